use super::*;
use crate::accesslog::summary::{HourAgg, ObjectSummary};

fn summary(hours: usize) -> Arc<ObjectSummary> {
    Arc::new(ObjectSummary {
        hours: (0..hours).map(|_| HourAgg::default()).collect(),
        ..ObjectSummary::default()
    })
}

#[test]
fn the_budget_holds_and_the_least_recent_go_first() {
    let one = summary(1).heap_bytes();
    let cache = SummaryCache::new(one * 3);
    let ids: Vec<ObjectId> = (0..4)
        .map(|i| ObjectId::new("e", "b", &format!("k{i}"), "etag"))
        .collect();
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
    cache.insert(ObjectId::new("e", "b", "huge", "x"), summary(100));
    assert_eq!(cache.stats().entries, 3, "larger than the budget: not kept");
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
