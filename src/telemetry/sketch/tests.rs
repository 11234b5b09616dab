use super::*;

fn exact(sorted: &[f64], q: f64) -> f64 {
    sorted[nearest_rank(q, sorted.len() as u64) as usize - 1]
}

fn assert_within(est: f64, truth: f64) {
    let err = (est - truth).abs() / truth;
    assert!(
        err <= RELATIVE_ACCURACY,
        "estimate {est} vs exact {truth}: {err}"
    );
}

#[test]
fn ln_gamma_matches_its_definition() {
    let gamma = (1.0 + RELATIVE_ACCURACY) / (1.0 - RELATIVE_ACCURACY);
    assert!((gamma.ln() - LN_GAMMA).abs() < 1e-15);
}

#[test]
fn quantiles_within_one_percent_over_six_decades() {
    // A deterministic spread from 20 µs to 2000 s, plus duplicates.
    let mut values: Vec<f64> = (0..20_000)
        .map(|i| 0.02 * 10f64.powf(f64::from(i % 7919) / 7919.0 * 8.0))
        .collect();
    let mut s: Sketch = Sketch::default();
    values.iter().for_each(|&v| s.insert(v));
    values.sort_by(f64::total_cmp);
    for q in [0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
        assert_within(s.quantile(q).unwrap(), exact(&values, q));
    }
    assert_eq!(s.count(), 20_000);
}

#[test]
fn add_then_subtract_restores_exactly() {
    let mut a: Sketch = Sketch::default();
    let mut b: Sketch<u32> = Sketch::default();
    (1..500).for_each(|i| a.insert(f64::from(i)));
    (1..50).for_each(|i| b.insert(f64::from(i) * 1000.0));
    let before = a.clone();
    a.add(&b);
    assert_eq!(a.count(), 499 + 49);
    assert!(a.quantile(1.0).unwrap() > 40_000.0);
    a.subtract(&b);
    assert_eq!(a.count(), before.count());
    for q in [0.1, 0.5, 0.99, 1.0] {
        assert_eq!(a.quantile(q), before.quantile(q));
    }
}

#[test]
fn out_of_range_values_are_clamped_not_lost() {
    let mut s: Sketch = Sketch::default();
    for v in [0.0, -5.0, f64::NAN, 1e-9, 1e12, f64::INFINITY] {
        s.insert(v);
    }
    assert_eq!(s.count(), 6);
    assert!(s.quantile(0.0).unwrap() <= MIN_VALUE_MS * 1.02);
    assert!(s.quantile(1.0).unwrap() >= MAX_VALUE_MS * 0.98);
}

#[test]
fn memory_is_bounded_by_the_value_range() {
    let mut s: Sketch<u32> = Sketch::default();
    for i in 0..1_000_000u32 {
        s.insert(f64::from(i % 1000) * 1e5 + 0.0005);
    }
    let (lo, hi) = index_bounds();
    assert_eq!(hi - lo + 1, 1037);
    assert!(s.heap_bytes() <= 1037 * 4);
}

#[test]
fn ranks_are_nearest_rank_and_the_tail_shows_the_slowest() {
    assert_eq!(nearest_rank(0.99, 4), 4);
    assert_eq!(nearest_rank(0.5, 4), 2);
    assert_eq!(nearest_rank(0.0, 4), 1);
    assert_eq!(nearest_rank(1.0, 4), 4);
    // 0.07 × 100 is 7.000000000000001 in floating point: rank 7, not 8.
    assert_eq!(nearest_rank(0.07, 100), 7);
    assert_eq!(nearest_rank(0.95, 100), 95);
    assert_eq!(nearest_rank(0.95, 101), 96);
    assert_eq!(nearest_rank(0.999, 1_000_000_000), 999_000_000);
    let mut s: Sketch = Sketch::default();
    for v in [0.09, 1.8, 8.2, 79.0] {
        s.insert(v);
    }
    assert_within(s.quantile(0.95).unwrap(), 79.0);
    assert_within(s.quantile(0.99).unwrap(), 79.0);
    assert_within(s.quantile(0.5).unwrap(), 1.8);
    assert_within(s.quantile(0.0).unwrap(), 0.09);
}

#[test]
fn empty_sketch_has_no_quantile() {
    assert_eq!(Sketch::<u64>::default().quantile(0.5), None);
}
