//! The exact window totals as gauges, built at scrape time from the recorder's windows.
//!
//! Each replica exports what its own windows hold *now* — operations by type and status
//! class, bytes, and the latency distribution — so an engine's `sum()` over replicas is
//! the fleet's window, exact up to one scrape interval, with no `increase()`
//! extrapolation. Labels: `window` (3 values), `operation` (10), `status_class` (4), `le`
//! (16): at most 696 series, whatever the traffic. The operation counts are always all
//! there (at 0), so sums and dashboards never lack a series; the latency histogram of a
//! (window, type) without operations is left out — absent adds up as 0, and the engine
//! reads a third of the series for a typical mix of types. The per-bucket hour window
//! adds five gauges per bucket under the capped `bucket` label.
//!
//! The latency family is a *gauge histogram*: its buckets count the operations of the
//! window, so they fall as the window slides. The text format has no gauge-histogram
//! type; it is typed `histogram` so that `histogram_quantile` and `promtool` accept its
//! `le` label, and its help text says not to `rate()` it.

use std::time::Duration;

use prometheus::core::Desc;
use prometheus::proto::MetricFamily;

use super::MetricName as N;
use super::encode::{Hist, desc, gauges, histograms, labels};
use crate::telemetry::StatusClass;
use crate::telemetry::bucket::BucketStats;
use crate::telemetry::operation::OperationType;
use crate::telemetry::window::WindowTallies;

/// The descriptions of every family built by [`window_families`].
pub fn window_descs() -> Vec<Desc> {
    vec![
        desc(
            N::WindowOperations,
            &["window", "operation", "status_class"],
        ),
        desc(N::WindowTransferredBytes, &["window", "operation"]),
        desc(N::WindowOperationDurationSeconds, &["window", "operation"]),
        desc(N::WindowOperationsPerSecond, &["window"]),
        desc(N::WindowTransferredBytesPerSecond, &["window"]),
    ]
}

/// The window families; every series exists from the first scrape (at 0).
/// `current` is the length of the current window, which names its `window` label.
pub fn window_families(windows: &[WindowTallies], current: Duration) -> Vec<MetricFamily> {
    let (mut ops, mut bytes, mut hists) = (Vec::new(), Vec::new(), Vec::new());
    let (mut ops_rate, mut bytes_rate) = (Vec::new(), Vec::new());
    for w in windows {
        let name = w.kind.label(current);
        // The rates of the JSON views: over the part of the window this process has
        // been running for, so a replica started a minute ago is not diluted.
        let secs = w.covered.as_secs_f64();
        let (n, b) = w
            .per_type
            .iter()
            .fold((0, 0), |(n, b), t| (n + t.cell.count, b + t.cell.bytes));
        ops_rate.push((labels(&[("window", &name)]), n as f64 / secs));
        bytes_rate.push((labels(&[("window", &name)]), b as f64 / secs));
        for (op, t) in OperationType::ALL.iter().zip(&w.per_type) {
            let op = op.as_str();
            for (class, n) in StatusClass::ANSWERED.iter().zip(t.by_class) {
                let l = [
                    ("window", &*name),
                    ("operation", op),
                    ("status_class", class.as_str()),
                ];
                ops.push((labels(&l), n as f64));
            }
            let l = labels(&[("window", &name), ("operation", op)]);
            bytes.push((l.clone(), t.cell.bytes as f64));
            if t.cell.count > 0 {
                let sum = t.cell.duration_us as f64 / 1e6;
                hists.push((l, Hist::from_parts(t.le, t.cell.count, sum)));
            }
        }
    }
    let mut families = vec![
        gauges(N::WindowOperations, ops),
        gauges(N::WindowTransferredBytes, bytes),
        gauges(N::WindowOperationsPerSecond, ops_rate),
        gauges(N::WindowTransferredBytesPerSecond, bytes_rate),
    ];
    // A family without series cannot be encoded.
    if !hists.is_empty() {
        families.push(histograms(N::WindowOperationDurationSeconds, hists));
    }
    families
}

/// The descriptions of every family built by [`bucket_window_families`].
pub fn bucket_window_descs() -> Vec<Desc> {
    [
        N::BucketWindowOperations,
        N::BucketWindowErrors,
        N::BucketWindowTransferredBytes,
        N::BucketWindowDurationSeconds,
        N::BucketWindowP95Seconds,
    ]
    .into_iter()
    .map(|n| desc(n, &["bucket"]))
    .collect()
}

/// The per-bucket hour-window gauges of the buckets active in the last hour.
pub fn bucket_window_families(buckets: &[BucketStats]) -> Vec<MetricFamily> {
    if buckets.is_empty() {
        return Vec::new();
    }
    let series = |f: &dyn Fn(&BucketStats) -> f64| {
        buckets
            .iter()
            .map(|b| (labels(&[("bucket", &b.bucket)]), f(b)))
            .collect()
    };
    vec![
        gauges(N::BucketWindowOperations, series(&|b| b.cell.count as f64)),
        gauges(N::BucketWindowErrors, series(&|b| b.cell.errors as f64)),
        gauges(
            N::BucketWindowTransferredBytes,
            series(&|b| b.cell.bytes as f64),
        ),
        gauges(
            N::BucketWindowDurationSeconds,
            series(&|b| b.cell.duration_us as f64 / 1e6),
        ),
        gauges(N::BucketWindowP95Seconds, series(&|b| b.p95_ms / 1000.0)),
    ]
}

#[cfg(test)]
mod tests;
