//! `histogram_quantile` of cumulative buckets, as Prometheus computes it — applied here
//! to the buckets the engine has already summed over every replica, so one query serves
//! every quantile, window and operation type (the engine would scan the buckets once per
//! quantile otherwise).
//!
//! The rank is `q × total`; the answer interpolates linearly inside the first bucket
//! whose cumulative count reaches the rank (from 0 for the first bucket), and is the
//! largest finite bound when the rank falls in `+Inf`. So the answer always lies in the
//! bucket that holds the value of that rank: the error bound of the fleet percentiles.

/// The `q` quantile of `(upper bound, cumulative count)` buckets; `None` without
/// observations or without a `+Inf` bucket.
pub fn histogram_quantile(q: f64, buckets: &[(f64, f64)]) -> Option<f64> {
    let mut b: Vec<(f64, f64)> = buckets.to_vec();
    b.sort_by(|x, y| x.0.total_cmp(&y.0));
    if b.len() < 2 || b.last().map(|l| l.0) != Some(f64::INFINITY) {
        return None;
    }
    // Sums taken at slightly different moments can dip; counts are made monotonic.
    for i in 1..b.len() {
        b[i].1 = b[i].1.max(b[i - 1].1);
    }
    let total = b[b.len() - 1].1;
    if total.is_nan() || total <= 0.0 || q.is_nan() {
        return None;
    }
    let rank = q.clamp(0.0, 1.0) * total;
    let i = b.partition_point(|(_, c)| *c < rank);
    if i >= b.len() - 1 {
        return Some(b[b.len() - 2].0);
    }
    if i == 0 && b[0].0 <= 0.0 {
        return Some(b[0].0);
    }
    let (start, below) = if i == 0 { (0.0, 0.0) } else { b[i - 1] };
    let (end, count) = (b[i].0, b[i].1 - below);
    if count <= 0.0 {
        return Some(end);
    }
    Some(start + (end - start) * ((rank - below) / count))
}

#[cfg(test)]
mod tests;
