//! A bounded cache of storage clients, one per tenant credential.
//!
//! Building an SDK client is cheap but not free, and every client shares one HTTP
//! connection pool, so reusing them keeps connections warm. The cache key covers the
//! secret ([`Credentials::cache_key`]); the least recently used client is evicted.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_s3::config::SharedHttpClient;
use parking_lot::Mutex;

use super::credentials::Credentials;
use crate::storage::calls::RecordCalls;
use crate::storage::client::build_client;
use crate::storage::sigv4::SigningKeys;

struct Entry {
    client: aws_sdk_s3::Client,
    /// The gateway's SigV4 signing key of this credential, per UTC day.
    signing: Arc<SigningKeys>,
    last_used: u64,
}

/// The per-credential client cache.
pub struct ClientCache {
    capacity: usize,
    http: SharedHttpClient,
    timeout: Duration,
    calls: Option<RecordCalls>,
    inner: Mutex<(HashMap<[u8; 32], Entry>, u64)>,
}

impl std::fmt::Debug for ClientCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl ClientCache {
    /// `calls` records every SDK attempt as an S3 call.
    pub fn new(
        capacity: usize,
        http: SharedHttpClient,
        timeout: Duration,
        calls: Option<RecordCalls>,
    ) -> Self {
        Self {
            capacity: capacity.max(1),
            http,
            timeout,
            calls,
            inner: Mutex::new((HashMap::new(), 0)),
        }
    }

    /// The client for these credentials (`key` is their [`Credentials::cache_key`]),
    /// built on first use.
    pub fn get(
        &self,
        creds: &Credentials,
        key: [u8; 32],
    ) -> (aws_sdk_s3::Client, Arc<SigningKeys>) {
        let mut guard = self.inner.lock();
        let (map, tick) = &mut *guard;
        *tick += 1;
        if let Some(e) = map.get_mut(&key) {
            e.last_used = *tick;
            return (e.client.clone(), e.signing.clone());
        }
        if map.len() >= self.capacity {
            let oldest = map.iter().min_by_key(|(_, e)| e.last_used).map(|(k, _)| *k);
            oldest.and_then(|k| map.remove(&k));
        }
        let client = build_client(
            creds.account(),
            self.http.clone(),
            self.timeout,
            self.calls.clone(),
        );
        let signing = Arc::new(SigningKeys::default());
        map.insert(
            key,
            Entry {
                client: client.clone(),
                signing: signing.clone(),
                last_used: *tick,
            },
        );
        (client, signing)
    }

    pub fn len(&self) -> usize {
        self.inner.lock().0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use std::time::SystemTime;

    fn creds(key: &str, secret: &str) -> Credentials {
        Credentials {
            key: key.into(),
            secret: Secret::new(secret),
            region: "nyc3".into(),
            endpoint: "https://nyc3.digitaloceanspaces.com".into(),
            log_bucket: None,
            metrics_bucket: None,
            log_prefix: String::new(),
            metrics_prefix: String::new(),
        }
    }

    fn get(cache: &ClientCache, key: &str, secret: &str) {
        let c = creds(key, secret);
        cache.get(&c, c.cache_key());
    }

    #[test]
    fn bounded_and_least_recently_used_goes_first() {
        let cache = ClientCache::new(
            2,
            crate::storage::client::shared_http_client(),
            Duration::from_secs(5),
            None,
        );
        get(&cache, "a", "s");
        get(&cache, "b", "s");
        get(&cache, "a", "s"); // a is now the most recent
        get(&cache, "c", "s"); // evicts b
        assert_eq!(cache.len(), 2);
        let keys: Vec<[u8; 32]> = cache.inner.lock().0.keys().copied().collect();
        assert!(keys.contains(&creds("a", "s").cache_key()));
        assert!(!keys.contains(&creds("b", "s").cache_key()));
        // Same key, another secret: another client, never the cached one.
        get(&cache, "a", "other");
        assert!(
            cache
                .inner
                .lock()
                .0
                .contains_key(&creds("a", "other").cache_key())
        );
    }

    #[test]
    fn one_tenants_key_never_signs_for_another() {
        use crate::storage::client::shared_http_client;
        let cache = ClientCache::new(8, shared_http_client(), Duration::from_secs(5), None);
        let now = SystemTime::now();
        let a = creds("AKIDA", "secret-a");
        let b = creds("AKIDA", "secret-b"); // the same key with another secret
        let (_, ka) = cache.get(&a, a.cache_key());
        let (_, kb) = cache.get(&b, b.cache_key());
        assert!(!std::sync::Arc::ptr_eq(&ka, &kb), "separate cache entries");
        let date = chrono::DateTime::<chrono::Utc>::from(now)
            .format("%Y%m%d")
            .to_string();
        let key_a = ka.key("secret-a", now, &date, "nyc3");
        let key_b = kb.key("secret-b", now, &date, "nyc3");
        assert_ne!(*key_a, *key_b);
        let (_, ka_again) = cache.get(&a, a.cache_key());
        assert!(
            std::sync::Arc::ptr_eq(&ka, &ka_again),
            "a tenant finds its own entry"
        );
    }
}
