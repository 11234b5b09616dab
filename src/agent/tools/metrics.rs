//! Metrics tools: the snapshots in the tenant's `X-Metrics-Bucket` (sources with their
//! growth, one source's series or the sum over sources), the tenant's own SpaceWatch
//! operations, and — only with `AGENT_ALLOW_WRITE=true` — taking a snapshot.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Args, ToolEnv, ToolError, ToolOutput};
use crate::accesslog::LogError;
use crate::accesslog::keys::MAX_HOURS;
use crate::accesslog::scan::Logs;
use crate::accesslog::snapshot::{self, DEFAULT_WINDOW_HOURS, Target, series};
use crate::storage::BucketName;
use crate::storage::listing::human_bytes;
use crate::telemetry::OperationType;
use crate::telemetry::prom::AppEvent;
use crate::telemetry::recent::LogFilter;
use crate::telemetry::report::log_entry;

/// Fields of a snapshot line a model needs for trends.
const SERIES_FIELDS: [&str; 8] = [
    "timestamp",
    "source_objects",
    "source_bytes",
    "requests_total",
    "bytes_sent",
    "errors_4xx",
    "errors_5xx",
    "unique_ips",
];

async fn metrics_bucket(env: &ToolEnv<'_>) -> Result<BucketName, ToolError> {
    let b = env.tenant.creds.metrics_bucket.clone().ok_or(LogError::NotConfigured(
        "no snapshots configured: the request needs an X-Metrics-Bucket header (and X-Metrics-Prefix)",
    ))?;
    env.check(&b).await?;
    Ok(b)
}

fn place<'a>(env: &'a ToolEnv<'_>, bucket: &'a BucketName) -> Logs<'a> {
    Logs {
        tenant: env.tenant,
        bucket,
        prefix: &env.tenant.creds.metrics_prefix,
        access: Some(env.access),
    }
}

fn slim(v: &Value) -> Value {
    Value::Object(
        SERIES_FIELDS
            .iter()
            .filter(|f| !v[**f].is_null())
            .map(|f| ((*f).to_string(), v[*f].clone()))
            .collect(),
    )
}

fn delta(first: &Value, last: &Value, f: &str) -> Option<i64> {
    Some(last[f].as_i64()? - first[f].as_i64()?)
}

fn growth(first: Option<u64>, last: Option<u64>) -> Option<i64> {
    Some(last? as i64 - first? as i64)
}

/// Every source with snapshots in the window, its latest size and its growth.
pub async fn sources(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let hours = a.int("hours", 1..=MAX_HOURS, 168)?;
    let b = metrics_bucket(env).await?;
    let since = env.now() - hours as i64 * 3600;
    let lines = series::read(env.reader, &place(env, &b), Some(since), false).await?;
    let rows: Vec<Value> = series::sources(&lines)
        .into_iter()
        .map(|s| {
            json!({
                "source_bucket": s.source_bucket,
                "snapshots": s.snapshots,
                "first": s.first,
                "last": s.last,
                "source_objects": s.source_objects,
                "source_bytes": s.source_bytes,
                "growth_bytes": growth(s.first_bytes, s.source_bytes),
                "growth_objects": growth(s.first_objects, s.source_objects),
            })
        })
        .collect();
    Ok(ToolOutput {
        summary: format!(
            "{} source bucket(s) with snapshots in the last {hours} h",
            rows.len()
        ),
        value: json!({ "hours": hours, "count": rows.len(), "sources": rows }),
        subject: None,
    })
}

/// One source's snapshots (or, without a source, the sum over sources), oldest first.
pub async fn series(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let source = a.bucket("source_bucket")?;
    let hours = a.int("hours", 1..=MAX_HOURS, 168)?;
    let b = metrics_bucket(env).await?;
    let since = env.now() - hours as i64 * 3600;
    let lines = series::read(env.reader, &place(env, &b), Some(since), false).await?;
    let points: Vec<Value> = match &source {
        Some(s) => series::series(&lines, s.as_str())
            .map(|l| slim(&json!(l)))
            .collect(),
        None => series::aggregate(&lines)
            .iter()
            .map(|p| slim(&json!(p)))
            .collect(),
    };
    let change = match (points.first(), points.last()) {
        (Some(f), Some(l)) => json!({
            "source_bytes": delta(f, l, "source_bytes"),
            "source_objects": delta(f, l, "source_objects"),
        }),
        _ => Value::Null,
    };
    let what = source
        .as_ref()
        .map_or("all sources".to_string(), |s| s.to_string());
    let last = points
        .last()
        .and_then(|p| p["source_bytes"].as_u64())
        .map(|n| format!(", latest {}", human_bytes(n)))
        .unwrap_or_default();
    Ok(ToolOutput {
        summary: format!("{what}: {} point(s) over {hours} h{last}", points.len()),
        value: json!({
            "source_bucket": source.as_ref().map(BucketName::as_str),
            "hours": hours,
            "count": points.len(),
            "change": change,
            "points": points,
        }),
        subject: source.map(|s| s.to_string()),
    })
}

/// The tenant's own recent SpaceWatch operations (from the recent-operation log).
pub fn operations(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let operation = a
        .str("operation_type")?
        .map(|t| {
            OperationType::parse(&t.to_ascii_uppercase()).ok_or_else(|| {
                ToolError::bad_args("unknown 'operation_type' (LIST_OBJECTS, QUERY_LOGS, …)")
            })
        })
        .transpose()?;
    let limit = a.int("limit", 1..=50, 10)? as usize;
    let filter = LogFilter {
        operation,
        ..LogFilter::default()
    };
    let me = Some(env.tenant.fingerprint);
    let ops: Vec<_> = env
        .recorder
        .recent(&filter, env.recorder.recent_len().max(1))
        .into_iter()
        .filter(|o| o.tenant == me)
        .collect();
    let mut by: BTreeMap<&str, (u64, u64, f64, Vec<f64>)> = BTreeMap::new();
    for o in &ops {
        let e = by.entry(o.operation.as_str()).or_default();
        e.0 += 1;
        e.1 += u64::from(o.is_error());
        e.2 += o.duration_ms();
        e.3.push(o.duration_ms());
    }
    let breakdown: serde_json::Map<String, Value> = by
        .into_iter()
        .map(|(t, (n, errors, sum, mut d))| {
            d.sort_by(f64::total_cmp);
            let p95 = d[((d.len() as f64 * 0.95).ceil() as usize).clamp(1, d.len()) - 1];
            let v = json!({
                "count": n, "errors": errors,
                "avg_ms": (sum / n as f64 * 100.0).round() / 100.0,
                "p95_ms": (p95 * 100.0).round() / 100.0,
            });
            (t.to_string(), v)
        })
        .collect();
    let errors = ops.iter().filter(|o| o.is_error()).count();
    let rate = if ops.is_empty() {
        0.0
    } else {
        errors as f64 * 100.0 / ops.len() as f64
    };
    Ok(ToolOutput {
        summary: format!(
            "{} recent operation(s) of this tenant, {errors} failed",
            ops.len()
        ),
        value: json!({
            "count": ops.len(),
            "errors": errors,
            "error_rate_percent": (rate * 100.0).round() / 100.0,
            "by_operation": breakdown,
            "recent": ops.iter().take(limit).map(log_entry).collect::<Vec<_>>(),
        }),
        subject: None,
    })
}

/// Takes a snapshot of `source_bucket` now (writes to the metrics bucket).
pub async fn take_snapshot(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let source = a.require_bucket("source_bucket")?;
    let prefix = a.prefix("source_prefix")?;
    let hours = a.int("hours", 1..=MAX_HOURS, DEFAULT_WINDOW_HOURS)?;
    let metrics = metrics_bucket(env).await?;
    env.check(&source).await?;
    let log_bucket = env.tenant.creds.log_bucket.clone();
    let logs = match &log_bucket {
        Some(b) if env.access.check(env.tenant, b, env.counters).await.is_ok() => Some(Logs {
            tenant: env.tenant,
            bucket: b,
            prefix: &env.tenant.creds.log_prefix,
            access: Some(env.access),
        }),
        _ => None,
    };
    let t = Target {
        tenant: env.tenant,
        source: &source,
        source_prefix: prefix.as_ref(),
        metrics_bucket: &metrics,
        metrics_prefix: &env.tenant.creds.metrics_prefix,
        logs,
        window_hours: hours,
    };
    let taken = snapshot::take(env.reader, env.locks, &t, env.now()).await;
    env.counters.inc(if taken.is_ok() {
        AppEvent::SnapshotOk
    } else {
        AppEvent::SnapshotError
    });
    let (_, line) = taken?;
    Ok(ToolOutput {
        summary: format!(
            "snapshot of {source}: {} object(s), {} bytes",
            line.source_objects, line.source_bytes
        ),
        value: slim(&json!(line)),
        subject: Some(source.to_string()),
    })
}
