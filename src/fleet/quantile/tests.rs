use super::*;

const INF: f64 = f64::INFINITY;

#[test]
fn interpolates_inside_the_bucket_of_the_rank() {
    // 10 values ≤ 0.1, 10 more ≤ 0.5, none above.
    let b = [(0.1, 10.0), (0.5, 20.0), (1.0, 20.0), (INF, 20.0)];
    assert_eq!(histogram_quantile(0.5, &b), Some(0.1));
    assert!((histogram_quantile(0.25, &b).unwrap() - 0.05).abs() < 1e-12);
    assert!((histogram_quantile(0.75, &b).unwrap() - 0.3).abs() < 1e-12);
    assert_eq!(histogram_quantile(1.0, &b), Some(0.5));
}

#[test]
fn the_inf_bucket_answers_the_largest_bound_and_empty_is_none() {
    let b = [(1.0, 1.0), (60.0, 1.0), (INF, 5.0)];
    assert_eq!(histogram_quantile(0.99, &b), Some(60.0));
    assert_eq!(histogram_quantile(0.5, &[(1.0, 0.0), (INF, 0.0)]), None);
    assert_eq!(histogram_quantile(0.5, &[(1.0, 3.0), (2.0, 3.0)]), None);
    // Unordered input and a dip are handled as Prometheus does.
    let b = [(INF, 4.0), (0.5, 2.0), (1.0, 1.0)];
    assert_eq!(histogram_quantile(0.5, &b), Some(0.5));
}
