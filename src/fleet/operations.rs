//! `/fleet/operations`: the shape of `/metrics/operations`, from the engine's answers.
//!
//! The window figures are turned back into [`WindowSnapshot`]s so the one renderer of
//! that shape, [`crate::telemetry::report`], writes them; only the rates are the fleet's
//! own (the sum of the replicas' rates, which no single "covered" time expresses).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::quantile::histogram_quantile;
use super::replicas;
use super::wire::{Sample, count, label, unix};
use crate::telemetry::bucket::{BUCKET_WINDOW, BucketStats};
use crate::telemetry::prom::MetricName as N;
use crate::telemetry::report::{bucket_analytics, window_json};
use crate::telemetry::s3::S3Cell;
use crate::telemetry::window::{Cell, TypeStats, WindowKind, WindowSnapshot};
use crate::telemetry::{OperationType, StatusClass};

/// The engine's answers the view is built from.
#[derive(Debug, Default)]
pub struct Answers {
    pub sums: Vec<Sample>,
    pub replicas: Vec<Sample>,
    pub buckets: Vec<Sample>,
}

/// A value, or 0 when the engine had none to give (`NaN` of an empty histogram).
fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

/// The three windows with their labels and lengths.
fn windows(current: Duration) -> [(WindowKind, String, Duration); 3] {
    [
        (
            WindowKind::Current,
            WindowKind::Current.label(current),
            current,
        ),
        (WindowKind::Hour, "1h".into(), Duration::from_secs(3600)),
        (WindowKind::Day, "24h".into(), Duration::from_secs(86_400)),
    ]
}

/// The percentiles of the JSON views.
const QUANTILES: [f64; 3] = [0.5, 0.95, 0.99];

/// Summed cumulative latency buckets: `(le, count)`.
type Buckets = Vec<(f64, f64)>;

/// One window's figures, per operation type.
#[derive(Default)]
struct Figures {
    cells: [Cell; OperationType::COUNT],
    latency: [Buckets; OperationType::COUNT],
    ops_rate: f64,
    bytes_rate: f64,
}

/// p50, p95, p99 in ms of summed buckets (0 without operations, as a replica says).
fn percentiles(b: &[(f64, f64)]) -> [f64; 3] {
    QUANTILES.map(|q| histogram_quantile(q, b).map_or(0.0, |s| finite(s) * 1000.0))
}

impl Figures {
    fn snapshot(&self, kind: WindowKind, length: Duration) -> WindowSnapshot {
        let stats = |cell: Cell, b: &[(f64, f64)]| {
            let [p50_ms, p95_ms, p99_ms] = percentiles(b);
            TypeStats {
                cell,
                p50_ms,
                p95_ms,
                p99_ms,
            }
        };
        let mut all = Cell::default();
        self.cells.iter().for_each(|c| all.merge(c));
        // Every type's buckets added up, bound by bound.
        let mut by_le: BTreeMap<u64, (f64, f64)> = BTreeMap::new();
        for (le, n) in self.latency.iter().flatten() {
            by_le.entry(le.to_bits()).or_insert((*le, 0.0)).1 += n;
        }
        let all_latency: Buckets = by_le.into_values().collect();
        WindowSnapshot {
            kind,
            length,
            covered: length,
            per_type: std::array::from_fn(|i| stats(self.cells[i], &self.latency[i])),
            all: stats(all, &all_latency),
        }
    }
}

fn figures(a: &Answers, window: &str) -> Figures {
    let mut f = Figures::default();
    let of_window = |s: &&Sample| label(s, "window") == Some(window);
    for s in a.sums.iter().filter(of_window) {
        match label(s, "__name__") {
            Some(n) if n == N::WindowOperationsPerSecond.as_str() => f.ops_rate = finite(s.value),
            Some(n) if n == N::WindowTransferredBytesPerSecond.as_str() => {
                f.bytes_rate = finite(s.value);
            }
            _ => {}
        }
        let Some(i) = label(s, "operation").and_then(OperationType::parse) else {
            continue;
        };
        let bucket = format!("{}_bucket", N::WindowOperationDurationSeconds.as_str());
        let c = &mut f.cells[i.index()];
        match label(s, "__name__") {
            Some(n) if n == bucket => {
                if let Some(le) = label(s, "le").and_then(|l| super::wire::number(l).ok()) {
                    f.latency[i.index()].push((le, s.value));
                }
            }
            Some(n) if n == N::WindowOperations.as_str() => {
                let n = count(s.value);
                c.count += n;
                let class = label(s, "status_class");
                if matches!(class, Some(k) if k == StatusClass::ClientError.as_str() || k == StatusClass::ServerError.as_str())
                {
                    c.errors += n;
                }
            }
            Some(n) if n == N::WindowTransferredBytes.as_str() => c.bytes += count(s.value),
            Some(_) => c.duration_us += count(s.value * 1e6),
            None => {}
        }
    }
    f
}

/// `bucket_analytics` from the per-bucket hour-window gauges.
fn buckets(a: &Answers) -> Value {
    let mut by: BTreeMap<String, BucketStats> = BTreeMap::new();
    for s in &a.buckets {
        let Some(b) = label(s, "bucket") else {
            continue;
        };
        let e = by.entry(b.to_string()).or_insert_with(|| BucketStats {
            bucket: b.into(),
            cell: Cell::default(),
            p95_ms: 0.0,
            s3: S3Cell::default(),
        });
        if label(s, "figure") == Some("p95") {
            e.p95_ms = finite(s.value) * 1000.0;
            continue;
        }
        let c = &mut e.cell;
        match label(s, "__name__") {
            Some(n) if n == N::BucketWindowOperations.as_str() => c.count = count(s.value),
            Some(n) if n == N::BucketWindowErrors.as_str() => c.errors = count(s.value),
            Some(n) if n == N::BucketWindowTransferredBytes.as_str() => c.bytes = count(s.value),
            Some(n) if n == N::BucketWindowDurationSeconds.as_str() => {
                c.duration_us = count(s.value * 1e6);
            }
            _ => {}
        }
    }
    let mut list: Vec<BucketStats> = by.into_values().filter(|b| b.cell.count > 0).collect();
    list.sort_by(|a, b| {
        b.cell
            .count
            .cmp(&a.cell.count)
            .then(a.bucket.cmp(&b.bucket))
    });
    let mut v = bucket_analytics(&list);
    // The fleet has no per-bucket S3-call windows; the replicas' own views do.
    if let Value::Object(m) = &mut v {
        m.values_mut().for_each(|b| {
            if let Value::Object(b) = b {
                b.remove("s3_requests");
            }
        });
    }
    v
}

/// `/fleet/operations`: the shape of `/metrics/operations`. The windows and
/// `bucket_analytics` are the one renderer's ([`window_json`], [`bucket_analytics`]).
#[derive(Debug, Clone, Serialize)]
pub struct OperationsView {
    pub timestamp: String,
    pub current_5m: Value,
    pub trends: Trends,
    pub bucket_analytics: Value,
    pub bucket_analytics_window_seconds: u64,
    pub total_operations_tracked: u64,
    pub replicas_up: usize,
    pub replicas: Vec<replicas::ReplicaRow>,
    /// Where the figures came from; set by the caller that asked the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
}

/// `trends` of [`OperationsView`].
#[derive(Debug, Clone, Serialize)]
pub struct Trends {
    pub operations_last_1h: u64,
    pub operations_last_24h: u64,
    pub window_1h: Value,
    pub window_24h: Value,
}

/// `source` of the fleet views: the engine, and how the queries went.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub engine_url: String,
    pub job: String,
    pub evaluated_at: String,
    pub query_duration_ms: f64,
    pub queries: usize,
}

/// The whole view. `now` is the evaluation time of every query; `source` is added by
/// the caller.
pub fn view(a: &Answers, current: Duration, now: f64) -> OperationsView {
    let at = unix(now);
    let [cur, hour, day] = windows(current).map(|(kind, label, length)| {
        let f = figures(a, &label);
        let snap = f.snapshot(kind, length);
        (snap, f.ops_rate, f.bytes_rate, label)
    });
    let render = |(snap, ops, bytes, label): &(WindowSnapshot, f64, f64, String), suffix: &str| {
        let mut v = window_json(snap, suffix, label, at);
        if let Value::Object(m) = &mut v {
            let r4 = |x: f64| (x * 1e4).round() / 1e4;
            m.insert("operations_per_second".into(), r4(*ops).into());
            m.insert("bytes_per_second".into(), r4(*bytes).into());
        }
        v
    };
    let replicas = replicas::replicas(&a.replicas);
    OperationsView {
        timestamp: at.to_rfc3339(),
        current_5m: render(&cur, "_5m"),
        trends: Trends {
            operations_last_1h: hour.0.all.cell.count,
            operations_last_24h: day.0.all.cell.count,
            window_1h: render(&hour, "_1h"),
            window_24h: render(&day, "_24h"),
        },
        bucket_analytics: buckets(a),
        bucket_analytics_window_seconds: BUCKET_WINDOW.as_secs(),
        total_operations_tracked: day.0.all.cell.count,
        replicas_up: replicas.iter().filter(|r| r.up).count(),
        replicas: replicas::rows(&replicas, &cur.3, now),
        source: None,
    }
}

#[cfg(test)]
mod tests;
