use super::*;
use crate::accesslog::summary::ObjectSummary;

fn summary(hours: usize) -> Cached {
    Cached::Summary(Arc::new(ObjectSummary::of_empty_hours(hours)))
}

const TENANT: Fingerprint = Fingerprint([7; 8]);

fn key(k: &str) -> CacheKey {
    CacheKey::summary(TENANT, &ObjectId::new("e", "b", k, "etag"))
}

#[test]
fn the_budget_holds_and_the_least_recent_go_first() {
    let one = summary(1).heap_bytes();
    let cache = SummaryCache::new(one * 3);
    let ids: Vec<CacheKey> = (0..4).map(|i| key(&format!("k{i}"))).collect();
    for id in &ids[..3] {
        cache.insert(*id, summary(1));
    }
    assert!(cache.get(&ids[0]).is_some(), "k0 is now the most recent");
    cache.insert(ids[3], summary(1));
    assert!(cache.get(&ids[1]).is_none(), "k1 was the least recent");
    assert!(cache.get(&ids[0]).is_some() && cache.get(&ids[3]).is_some());
    let s = cache.stats();
    assert_eq!(s.entries, 3);
    assert!(s.bytes <= one * 3);
    cache.insert(key("huge"), summary(100));
    assert_eq!(cache.stats().entries, 3, "larger than the budget: not kept");
}

#[test]
fn a_tenant_meets_only_its_own_reads() {
    let id = ObjectId::new("e", "b", "k", "v1");
    let cache = SummaryCache::new(1 << 20);
    cache.insert(CacheKey::summary(TENANT, &id), summary(1));
    assert!(cache.get(&CacheKey::summary(TENANT, &id)).is_some());
    let other = Fingerprint([8; 8]);
    assert!(cache.get(&CacheKey::summary(other, &id)).is_none());
    assert_ne!(
        CacheKey::question(TENANT, &id, b"search a"),
        CacheKey::question(TENANT, &id, b"search b")
    );
}

#[test]
fn a_new_etag_is_a_new_object() {
    assert_ne!(
        ObjectId::new("e", "b", "k", "v1"),
        ObjectId::new("e", "b", "k", "v2")
    );
    assert_ne!(
        ObjectId::new("e1", "b", "k", "v"),
        ObjectId::new("e2", "b", "k", "v")
    );
}
