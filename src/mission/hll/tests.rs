use std::hash::BuildHasher;

use super::*;

fn hash(i: u64) -> u64 {
    foldhash::quality::FixedState::with_seed(7).hash_one(i)
}

#[test]
fn small_counts_are_exact() {
    let mut h = HyperLogLog::default();
    assert_eq!(h.estimate(), 0);
    for n in 1..=20u64 {
        // Each value several times: duplicates never count twice.
        for _ in 0..3 {
            h.insert(hash(n));
        }
        assert_eq!(h.estimate(), n);
    }
}

#[test]
fn large_counts_are_within_five_percent() {
    let mut h = HyperLogLog::default();
    for n in 0..200_000u64 {
        h.insert(hash(n));
    }
    let e = h.estimate() as f64;
    assert!((e - 200_000.0).abs() / 200_000.0 < 0.05, "{e}");
}

#[test]
fn merge_is_a_union() {
    let (mut a, mut b) = (HyperLogLog::default(), HyperLogLog::default());
    (0..10).for_each(|i| a.insert(hash(i)));
    (5..15).for_each(|i| b.insert(hash(i)));
    a.merge(&b);
    assert_eq!(a.estimate(), 15);
    a.clear();
    assert_eq!(a.estimate(), 0);
}
