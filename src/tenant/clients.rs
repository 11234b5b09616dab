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
mod tests;
