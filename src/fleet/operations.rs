//! `/fleet/operations`: the shape of `/metrics/operations`, from the engine's answers.
//!
//! The window figures are turned back into [`WindowSnapshot`]s so the one renderer of
//! that shape, [`crate::telemetry::report`], writes them; only the rates are the fleet's
//! own (the sum of the replicas' rates, which no single "covered" time expresses).

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use super::quantile::histogram_quantile;
use super::replicas;
use super::wire::Sample;
use crate::telemetry::bucket::{BUCKET_WINDOW, BucketStats};
use crate::telemetry::clock::UnixTime;
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

/// Unix seconds as a [`UnixTime`].
pub(crate) fn unix(t: f64) -> UnixTime {
    UnixTime((t.max(0.0) * 1e6) as u64)
}

/// A count from an engine value (NaN and negatives are 0).
pub(crate) fn count(v: f64) -> u64 {
    if v.is_finite() && v > 0.0 {
        v.round() as u64
    } else {
        0
    }
}

/// A value, or 0 when the engine had none to give (`NaN` of an empty histogram).
fn finite(v: f64) -> f64 {
    if v.is_finite() { v } else { 0.0 }
}

pub(crate) fn label<'a>(s: &'a Sample, name: &str) -> Option<&'a str> {
    s.labels.get(name).map(String::as_str)
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

/// The whole view. `now` is the evaluation time of every query; `source` is added by
/// the caller.
pub fn view(a: &Answers, current: Duration, now: f64) -> Map<String, Value> {
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
    let mut m = Map::new();
    m.insert("timestamp".into(), at.to_rfc3339().into());
    m.insert("current_5m".into(), render(&cur, "_5m"));
    m.insert(
        "trends".into(),
        json!({
            "operations_last_1h": hour.0.all.cell.count,
            "operations_last_24h": day.0.all.cell.count,
            "window_1h": render(&hour, "_1h"),
            "window_24h": render(&day, "_24h"),
        }),
    );
    m.insert("bucket_analytics".into(), buckets(a));
    m.insert(
        "bucket_analytics_window_seconds".into(),
        BUCKET_WINDOW.as_secs().into(),
    );
    m.insert(
        "total_operations_tracked".into(),
        day.0.all.cell.count.into(),
    );
    m.insert(
        "replicas_up".into(),
        replicas.iter().filter(|r| r.up).count().into(),
    );
    m.insert("replicas".into(), replicas::json(&replicas, &cur.3, now));
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::wire::Labels;

    fn s(pairs: &[(&str, &str)], value: f64) -> Sample {
        Sample {
            labels: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Labels>(),
            time: 1_700_000_000.0,
            value,
        }
    }

    fn ops(window: &str, op: &str, class: &str, v: f64) -> Sample {
        let name = N::WindowOperations.as_str();
        s(
            &[
                ("__name__", name),
                ("window", window),
                ("operation", op),
                ("status_class", class),
            ],
            v,
        )
    }

    fn le(op: &str, le: &str, v: f64) -> Sample {
        let name = format!("{}_bucket", N::WindowOperationDurationSeconds.as_str());
        s(
            &[
                ("__name__", &name),
                ("window", "5m"),
                ("operation", op),
                ("le", le),
            ],
            v,
        )
    }

    #[test]
    fn the_view_has_the_shape_and_figures_of_the_answers() {
        let dur = format!("{}_sum", N::WindowOperationDurationSeconds.as_str());
        let bytes = N::WindowTransferredBytes.as_str();
        let a = Answers {
            sums: vec![
                ops("5m", "GET_OBJECT", "2xx", 90.0),
                ops("5m", "GET_OBJECT", "4xx", 6.0),
                ops("5m", "GET_OBJECT", "5xx", 4.0),
                ops("5m", "LIST_BUCKETS", "2xx", 0.0),
                ops("1h", "GET_OBJECT", "2xx", 500.0),
                ops("24h", "GET_OBJECT", "2xx", 700.0),
                s(
                    &[
                        ("__name__", bytes),
                        ("window", "5m"),
                        ("operation", "GET_OBJECT"),
                    ],
                    4096.0,
                ),
                s(
                    &[
                        ("__name__", &dur),
                        ("window", "5m"),
                        ("operation", "GET_OBJECT"),
                    ],
                    1.5,
                ),
                s(
                    &[
                        ("__name__", N::WindowOperationsPerSecond.as_str()),
                        ("window", "5m"),
                    ],
                    0.42,
                ),
                s(
                    &[
                        ("__name__", N::WindowTransferredBytesPerSecond.as_str()),
                        ("window", "5m"),
                    ],
                    17.5,
                ),
                le("GET_OBJECT", "0.0025", 0.0),
                le("GET_OBJECT", "0.005", 60.0),
                le("GET_OBJECT", "0.01", 60.0),
                le("GET_OBJECT", "0.025", 96.0),
                le("GET_OBJECT", "+Inf", 100.0),
                le("LIST_BUCKETS", "0.005", 0.0),
                le("LIST_BUCKETS", "+Inf", 0.0),
            ],
            replicas: vec![
                s(
                    &[("__name__", "up"), ("instance", "b:2"), ("figure", "up")],
                    0.0,
                ),
                s(
                    &[("instance", "b:2"), ("figure", "scraped")],
                    1_699_999_990.0,
                ),
                s(
                    &[("__name__", "up"), ("instance", "a:1"), ("figure", "up")],
                    1.0,
                ),
                s(&[("instance", "a:1"), ("figure", "ops")], 100.0),
                s(
                    &[
                        ("instance", "a:1"),
                        ("figure", "info"),
                        ("service_instance_id", "host-a:1"),
                    ],
                    1.0,
                ),
            ],
            buckets: vec![
                s(
                    &[
                        ("__name__", N::BucketWindowOperations.as_str()),
                        ("bucket", "logs"),
                    ],
                    10.0,
                ),
                s(
                    &[
                        ("__name__", N::BucketWindowErrors.as_str()),
                        ("bucket", "logs"),
                    ],
                    1.0,
                ),
                s(
                    &[
                        ("__name__", N::BucketWindowDurationSeconds.as_str()),
                        ("bucket", "logs"),
                    ],
                    0.05,
                ),
                s(&[("bucket", "logs"), ("figure", "p95")], 0.0125),
            ],
        };
        let v = Value::Object(view(&a, Duration::from_secs(300), 1_700_000_000.0));
        let c = &v["current_5m"];
        assert_eq!(c["total_operations_5m"], 100);
        assert_eq!(c["error_operations_5m"], 10);
        assert_eq!(c["error_rate_percent"], 10.0);
        assert_eq!(c["health"], "degraded");
        assert_eq!(c["total_bytes_transferred_5m"], 4096);
        assert_eq!(c["operations_per_second"], 0.42);
        assert_eq!(c["bytes_per_second"], 17.5);
        assert_eq!(c["avg_latency_ms"], 15.0);
        assert_eq!(
            (c["p50"].clone(), c["p95"].clone(), c["p99"].clone()),
            // Inside the buckets of ranks 50 and 95; rank 99 is above 25 ms: +Inf.
            (4.583.into(), 24.583.into(), 25.0.into())
        );
        let get = &c["operation_breakdown"]["GET_OBJECT"];
        assert_eq!(
            (get["request_count"].clone(), get["error_count"].clone()),
            (100.into(), 10.into())
        );
        assert_eq!(get["p50"], 4.583);
        // A window without buckets reads 0, as a replica's own empty window does.
        assert_eq!(v["trends"]["window_1h"]["p95"], 0.0);
        assert!(c["operation_breakdown"].get("LIST_BUCKETS").is_none());
        assert_eq!(v["trends"]["operations_last_1h"], 500);
        assert_eq!(v["trends"]["window_24h"]["total_operations_24h"], 700);
        assert_eq!(v["total_operations_tracked"], 700);
        let logs = &v["bucket_analytics"]["logs"];
        assert_eq!(
            (logs["operation_count"].clone(), logs["error_count"].clone()),
            (10.into(), 1.into())
        );
        assert_eq!(
            (logs["avg_latency_ms"].clone(), logs["p95"].clone()),
            (5.0.into(), 12.5.into())
        );
        assert_eq!(v["replicas_up"], 1);
        let r = v["replicas"].as_array().unwrap();
        assert_eq!(r[0]["instance"], "a:1");
        assert_eq!(
            (r[0]["up"].clone(), r[0]["operations_5m"].clone()),
            (true.into(), 100.into())
        );
        assert_eq!(r[0]["service_instance_id"], "host-a:1");
        assert_eq!(
            (r[1]["up"].clone(), r[1]["last_scrape_age_seconds"].clone()),
            (false.into(), 10.0.into())
        );
    }
}
