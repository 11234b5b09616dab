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
        log_prefix: crate::storage::KeyPrefix::default(),
        metrics_prefix: crate::storage::KeyPrefix::default(),
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
