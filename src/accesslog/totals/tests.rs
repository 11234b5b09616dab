use super::*;

#[test]
fn nearest_rank_quantiles() {
    let d: BTreeMap<u64, u64> = [(1, 1), (2, 1), (3, 1), (4, 1)].into_iter().collect();
    assert_eq!(quantile(&d, 0.5), Some(2));
    assert_eq!(quantile(&d, 0.95), Some(4));
    assert_eq!(quantile(&d, 0.0), Some(1));
    let skew: BTreeMap<u64, u64> = [(10, 99), (1000, 1)].into_iter().collect();
    assert_eq!(quantile(&skew, 0.99), Some(10));
    assert_eq!(quantile(&skew, 0.991), Some(1000));
    assert_eq!(quantile(&BTreeMap::new(), 0.5), None);
    assert_eq!(mean(&d), Some(2.5));
}
