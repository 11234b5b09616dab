//! The JSON shapes of `/health`, `/metrics/operations` and `/logs/operations`, built from
//! window snapshots — handlers serialize these and compute nothing themselves. Each shape
//! is a `Serialize` struct whose fields, in order, are the answer's keys.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

use super::bucket::BucketStats;
use super::clock::UnixTime;
use super::operation::{Operation, OperationType};
use super::s3::{Quantiles, S3Cell, S3Snapshot, S3Stats};
use super::window::{TypeStats, WindowKind, WindowSnapshot};

/// Health by the current window's error rate: < 5 % healthy, 5–10 % degraded, > 10 % unhealthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Healthy,
    Degraded,
    Unhealthy,
}

impl Health {
    pub fn of(error_rate_percent: f64) -> Self {
        if error_rate_percent < 5.0 {
            Self::Healthy
        } else if error_rate_percent <= 10.0 {
            Self::Degraded
        } else {
            Self::Unhealthy
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Healthy => "healthy",
            Self::Degraded => "degraded",
            Self::Unhealthy => "unhealthy",
        }
    }
}

/// A JSON object whose keys are data (operation types, buckets, APIs), in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Keyed<K, V>(pub Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Keyed<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Keys whose names end in the window's suffix (`total_operations_5m`), the seed's names,
/// flattened into the window's object.
#[derive(Debug, Clone, PartialEq)]
pub struct Suffixed<'a, const N: usize> {
    suffix: &'a str,
    entries: [(&'static str, u64); N],
}

impl<const N: usize> Serialize for Suffixed<'_, N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(N))?;
        for (name, value) in &self.entries {
            m.serialize_entry(&format!("{name}{}", self.suffix), value)?;
        }
        m.end()
    }
}

/// Rounds for display: milliseconds to the microsecond, rates and percentages to 1e-4.
fn r3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}
fn r4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// One operation type's figures in a window's `operation_breakdown`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub request_count: u64,
    pub error_count: u64,
    pub error_rate_percent: f64,
    pub bytes_transferred: u64,
    pub avg_latency_ms: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Breakdown {
    fn of(t: &TypeStats) -> Self {
        Self {
            request_count: t.cell.count,
            error_count: t.cell.errors,
            error_rate_percent: r4(t.cell.error_rate_percent()),
            bytes_transferred: t.cell.bytes,
            avg_latency_ms: r3(t.cell.avg_ms()),
            p50: r3(t.p50_ms),
            p95: r3(t.p95_ms),
            p99: r3(t.p99_ms),
        }
    }
}

/// One window: `storage_metrics`, `current_5m`, `window_1h`, `window_24h`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WindowReport<'a> {
    pub window: String,
    pub window_seconds: u64,
    /// `total_operations{suffix}`, `error_operations{suffix}`.
    #[serde(flatten)]
    pub suffixed_counts: Suffixed<'a, 2>,
    pub total_operations: u64,
    pub error_operations: u64,
    pub error_rate_percent: f64,
    pub success_rate_percent: f64,
    pub operations_per_second: f64,
    /// `total_bytes_transferred{suffix}`.
    #[serde(flatten)]
    pub suffixed_bytes: Suffixed<'a, 1>,
    pub total_bytes_transferred: u64,
    pub bytes_per_second: f64,
    pub latency_p50_ms: f64,
    pub latency_p95_ms: f64,
    pub latency_p99_ms: f64,
    pub avg_latency_ms: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub health: Health,
    /// The types with operations in the window, in [`OperationType::ALL`] order.
    pub operation_breakdown: Keyed<&'static str, Breakdown>,
    pub timestamp: String,
}

/// One window. `suffix` names the seed's keys (`_5m` for the current window).
pub fn window_report<'a>(
    s: &WindowSnapshot,
    suffix: &'a str,
    label: &str,
    now: UnixTime,
) -> WindowReport<'a> {
    let a = &s.all;
    let rate = a.cell.error_rate_percent();
    let breakdown = OperationType::ALL
        .iter()
        .zip(&s.per_type)
        .filter(|(_, t)| t.cell.count > 0)
        .map(|(op, t)| (op.as_str(), Breakdown::of(t)))
        .collect();
    let success = if a.cell.count == 0 {
        100.0
    } else {
        100.0 - rate
    };
    WindowReport {
        window: label.to_string(),
        window_seconds: s.length.as_secs(),
        suffixed_counts: Suffixed {
            suffix,
            entries: [
                ("total_operations", a.cell.count),
                ("error_operations", a.cell.errors),
            ],
        },
        total_operations: a.cell.count,
        error_operations: a.cell.errors,
        error_rate_percent: r4(rate),
        success_rate_percent: r4(success),
        operations_per_second: r4(s.ops_per_second()),
        suffixed_bytes: Suffixed {
            suffix,
            entries: [("total_bytes_transferred", a.cell.bytes)],
        },
        total_bytes_transferred: a.cell.bytes,
        bytes_per_second: r4(s.bytes_per_second()),
        latency_p50_ms: r3(a.p50_ms),
        latency_p95_ms: r3(a.p95_ms),
        latency_p99_ms: r3(a.p99_ms),
        avg_latency_ms: r3(a.cell.avg_ms()),
        p50: r3(a.p50_ms),
        p95: r3(a.p95_ms),
        p99: r3(a.p99_ms),
        health: Health::of(rate),
        operation_breakdown: Keyed(breakdown),
        timestamp: now.to_rfc3339(),
    }
}

/// [`window_report`] as a JSON value, for a caller that edits it (the fleet view).
pub fn window_json(s: &WindowSnapshot, suffix: &str, label: &str, now: UnixTime) -> Value {
    to_value(&window_report(s, suffix, label, now))
}

/// The current window as `storage_metrics` (keys with the `_5m` suffix of the seed).
pub fn storage_metrics(s: &WindowSnapshot, now: UnixTime) -> WindowReport<'static> {
    window_report(s, "_5m", &WindowKind::Current.label(s.length), now)
}

/// Counts of upstream S3 calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct S3CellReport {
    pub requests: u64,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    pub no_response: u64,
    pub bytes_downloaded: u64,
    pub bytes_uploaded: u64,
}

impl S3CellReport {
    fn of(c: &S3Cell) -> Self {
        Self {
            requests: c.requests,
            errors_4xx: c.errors_4xx,
            errors_5xx: c.errors_5xx,
            no_response: c.no_response,
            bytes_downloaded: c.bytes_downloaded,
            bytes_uploaded: c.bytes_uploaded,
        }
    }
}

/// A latency's mean and percentiles, in milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyReport {
    pub avg: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl LatencyReport {
    fn of(avg_ms: f64, q: &Quantiles) -> Self {
        Self {
            avg: r3(avg_ms),
            p50: r3(q.p50),
            p95: r3(q.p95),
            p99: r3(q.p99),
        }
    }
}

/// Upstream S3 calls with their latencies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct S3StatsReport {
    #[serde(flatten)]
    pub counts: S3CellReport,
    pub first_byte_latency_ms: LatencyReport,
    pub total_request_latency_ms: LatencyReport,
}

impl S3StatsReport {
    fn of(s: &S3Stats) -> Self {
        let c = &s.cell;
        let avg = |us: u64, n: u64| {
            if n == 0 {
                0.0
            } else {
                us as f64 / 1000.0 / n as f64
            }
        };
        Self {
            counts: S3CellReport::of(c),
            first_byte_latency_ms: LatencyReport::of(
                avg(c.first_byte_us, c.first_byte_count),
                &s.first_byte,
            ),
            total_request_latency_ms: LatencyReport::of(avg(c.total_us, c.requests), &s.total),
        }
    }
}

/// `s3_requests`: the upstream S3 calls of the current window, in total and per API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct S3Requests {
    pub window_seconds: u64,
    pub all: S3StatsReport,
    /// The APIs called in the window, in vocabulary order.
    pub by_api: Keyed<&'static str, S3StatsReport>,
}

pub fn s3_requests(s: &S3Snapshot) -> S3Requests {
    let by_api = s
        .per_api
        .iter()
        .filter(|(_, st)| st.cell.requests > 0)
        .map(|(api, st)| (api.as_str(), S3StatsReport::of(st)))
        .collect();
    S3Requests {
        window_seconds: s.length.as_secs(),
        all: S3StatsReport::of(&s.all),
        by_api: Keyed(by_api),
    }
}

/// One bucket's figures over the last hour, in `bucket_analytics`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BucketReport {
    pub operation_count: u64,
    pub error_count: u64,
    pub error_rate: f64,
    pub bytes_transferred: u64,
    pub avg_latency_ms: f64,
    pub p95: f64,
    pub s3_requests: S3CellReport,
}

/// `bucket_analytics`: one entry per bucket active in the last hour, in `buckets`' order.
pub fn bucket_reports(buckets: &[BucketStats]) -> Keyed<String, BucketReport> {
    Keyed(
        buckets
            .iter()
            .map(|b| {
                let r = BucketReport {
                    operation_count: b.cell.count,
                    error_count: b.cell.errors,
                    error_rate: r4(b.cell.error_rate_percent()),
                    bytes_transferred: b.cell.bytes,
                    avg_latency_ms: r3(b.cell.avg_ms()),
                    p95: r3(b.p95_ms),
                    s3_requests: S3CellReport::of(&b.s3),
                };
                (b.bucket.to_string(), r)
            })
            .collect(),
    )
}

/// [`bucket_reports`] as a JSON value, for a caller that edits it (the fleet view).
pub fn bucket_analytics(buckets: &[BucketStats]) -> Value {
    to_value(&bucket_reports(buckets))
}

/// One `/logs/operations` entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry<'a> {
    pub timestamp: String,
    pub operation_type: &'static str,
    /// The S3 API of a gateway operation (`None` for the tools).
    pub s3_api: Option<&'static str>,
    pub method: &'static str,
    pub endpoint: &'static str,
    pub bucket: Option<&'a str>,
    pub status_code: u16,
    pub duration_ms: f64,
    pub bytes_transferred: u64,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub first_byte_ms: Option<f64>,
    pub success: bool,
    pub request_id: &'a str,
    pub trace_id: String,
    pub tenant: Option<String>,
    pub error: Option<&'a str>,
}

pub fn log_entry(op: &Operation) -> LogEntry<'_> {
    LogEntry {
        timestamp: op.started_at.to_rfc3339(),
        operation_type: op.operation.as_str(),
        s3_api: op.s3_api.map(|a| a.as_str()),
        method: op.method.as_str(),
        endpoint: op.route,
        bucket: op.shown_bucket(),
        status_code: op.status,
        duration_ms: r3(op.duration_ms()),
        bytes_transferred: op.bytes_transferred(),
        bytes_in: op.bytes_in,
        bytes_out: op.bytes_out,
        first_byte_ms: op.first_byte.map(|d| r3(d.as_secs_f64() * 1000.0)),
        success: !op.is_error(),
        request_id: op.request_id.as_str(),
        trace_id: op.trace_id.to_string(),
        tenant: op.tenant.map(|t| t.to_string()),
        error: op.error.as_deref(),
    }
}

/// A report as a JSON value. It cannot fail: every key is a string.
fn to_value(report: &impl Serialize) -> Value {
    serde_json::to_value(report).unwrap_or_default()
}

#[cfg(test)]
mod tests;
