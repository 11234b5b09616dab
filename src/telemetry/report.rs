//! The JSON shapes of `/health`, `/metrics/operations` and `/logs/operations`, built from
//! window snapshots — handlers serialize these and compute nothing themselves.

use serde_json::{Map, Value, json};

use super::bucket::BucketStats;
use super::clock::UnixTime;
use super::operation::{Operation, OperationType};
use super::s3::{Quantiles, S3Cell, S3Snapshot, S3Stats};
use super::window::{TypeStats, WindowKind, WindowSnapshot};

/// Health by the current window's error rate: < 5 % healthy, 5–10 % degraded, > 10 % unhealthy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// Rounds for display: milliseconds to the microsecond, rates and percentages to 1e-4.
fn r3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}
fn r4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn breakdown_entry(t: &TypeStats) -> Value {
    json!({
        "request_count": t.cell.count,
        "error_count": t.cell.errors,
        "error_rate_percent": r4(t.cell.error_rate_percent()),
        "bytes_transferred": t.cell.bytes,
        "avg_latency_ms": r3(t.cell.avg_ms()),
        "p50": r3(t.p50_ms),
        "p95": r3(t.p95_ms),
        "p99": r3(t.p99_ms),
    })
}

/// One window as JSON. `suffix` names the seed's keys (`_5m` for the current window).
pub fn window_json(s: &WindowSnapshot, suffix: &str, label: &str, now: UnixTime) -> Value {
    let a = &s.all;
    let rate = a.cell.error_rate_percent();
    let breakdown: Map<String, Value> = OperationType::ALL
        .iter()
        .zip(&s.per_type)
        .filter(|(_, t)| t.cell.count > 0)
        .map(|(op, t)| (op.as_str().to_string(), breakdown_entry(t)))
        .collect();
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    put("window", label.into());
    put("window_seconds", s.length.as_secs().into());
    put(&format!("total_operations{suffix}"), a.cell.count.into());
    put(&format!("error_operations{suffix}"), a.cell.errors.into());
    put("total_operations", a.cell.count.into());
    put("error_operations", a.cell.errors.into());
    put("error_rate_percent", r4(rate).into());
    let success = if a.cell.count == 0 {
        100.0
    } else {
        100.0 - rate
    };
    put("success_rate_percent", r4(success).into());
    put("operations_per_second", r4(s.ops_per_second()).into());
    put(
        &format!("total_bytes_transferred{suffix}"),
        a.cell.bytes.into(),
    );
    put("total_bytes_transferred", a.cell.bytes.into());
    put("bytes_per_second", r4(s.bytes_per_second()).into());
    put("latency_p50_ms", r3(a.p50_ms).into());
    put("latency_p95_ms", r3(a.p95_ms).into());
    put("latency_p99_ms", r3(a.p99_ms).into());
    put("avg_latency_ms", r3(a.cell.avg_ms()).into());
    put("p50", r3(a.p50_ms).into());
    put("p95", r3(a.p95_ms).into());
    put("p99", r3(a.p99_ms).into());
    put("health", Health::of(rate).as_str().into());
    put("operation_breakdown", Value::Object(breakdown));
    put("timestamp", now.to_rfc3339().into());
    Value::Object(m)
}

/// The current window as `storage_metrics` (keys with the `_5m` suffix of the seed).
pub fn storage_metrics(s: &WindowSnapshot, now: UnixTime) -> Value {
    window_json(s, "_5m", &WindowKind::Current.label(s.length), now)
}

fn s3_cell_json(c: &S3Cell) -> Value {
    json!({
        "requests": c.requests,
        "errors_4xx": c.errors_4xx,
        "errors_5xx": c.errors_5xx,
        "no_response": c.no_response,
        "bytes_downloaded": c.bytes_downloaded,
        "bytes_uploaded": c.bytes_uploaded,
    })
}

fn quantiles_json(avg_ms: f64, q: &Quantiles) -> Value {
    json!({ "avg": r3(avg_ms), "p50": r3(q.p50), "p95": r3(q.p95), "p99": r3(q.p99) })
}

fn s3_stats_json(s: &S3Stats) -> Value {
    let c = &s.cell;
    let avg = |us: u64, n: u64| {
        if n == 0 {
            0.0
        } else {
            us as f64 / 1000.0 / n as f64
        }
    };
    let mut v = s3_cell_json(c);
    if let Value::Object(m) = &mut v {
        m.insert(
            "first_byte_latency_ms".into(),
            quantiles_json(avg(c.first_byte_us, c.first_byte_count), &s.first_byte),
        );
        m.insert(
            "total_request_latency_ms".into(),
            quantiles_json(avg(c.total_us, c.requests), &s.total),
        );
    }
    v
}

/// `s3_requests`: the upstream S3 calls of the current window, in total and per API.
pub fn s3_requests(s: &S3Snapshot) -> Value {
    let by_api: Map<String, Value> = s
        .per_api
        .iter()
        .filter(|(_, st)| st.cell.requests > 0)
        .map(|(api, st)| (api.as_str().to_string(), s3_stats_json(st)))
        .collect();
    json!({
        "window_seconds": s.length.as_secs(),
        "all": s3_stats_json(&s.all),
        "by_api": by_api,
    })
}

/// `bucket_analytics`: one entry per bucket active in the last hour.
pub fn bucket_analytics(buckets: &[BucketStats]) -> Value {
    let m: Map<String, Value> = buckets
        .iter()
        .map(|b| {
            let v = json!({
                "operation_count": b.cell.count,
                "error_count": b.cell.errors,
                "error_rate": r4(b.cell.error_rate_percent()),
                "bytes_transferred": b.cell.bytes,
                "avg_latency_ms": r3(b.cell.avg_ms()),
                "p95": r3(b.p95_ms),
                "s3_requests": s3_cell_json(&b.s3),
            });
            (b.bucket.to_string(), v)
        })
        .collect();
    Value::Object(m)
}

/// One `/logs/operations` entry.
pub fn log_entry(op: &Operation) -> Value {
    json!({
        "timestamp": op.started_at.to_rfc3339(),
        "operation_type": op.operation.as_str(),
        "s3_api": op.s3_api.map(|a| a.as_str()),
        "method": op.method.as_str(),
        "endpoint": op.route,
        "bucket": op.bucket.as_deref(),
        "status_code": op.status,
        "duration_ms": r3(op.duration_ms()),
        "bytes_transferred": op.bytes_transferred(),
        "bytes_in": op.bytes_in,
        "bytes_out": op.bytes_out,
        "first_byte_ms": op.first_byte.map(|d| r3(d.as_secs_f64() * 1000.0)),
        "success": !op.is_error(),
        "request_id": op.request_id.as_str(),
        "trace_id": op.trace_id.to_string(),
        "tenant": op.tenant.map(|t| t.to_string()),
        "error": op.error.as_deref(),
    })
}

#[cfg(test)]
mod tests;
