//! Metrics tools: the snapshots in the tenant's `X-Metrics-Bucket` (sources with their
//! growth, one source's series or the sum over sources), the tenant's own SpaceWatch
//! operations, and — only with `AGENT_ALLOW_WRITE=true` — taking a snapshot.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Args, ToolEnv, ToolError, ToolOutput, typed};
use crate::accesslog::LogError;
use crate::accesslog::keys::MAX_HOURS;
use crate::accesslog::scan::Logs;
use crate::accesslog::snapshot::series::{HourSum, Source};
use crate::accesslog::snapshot::store::SnapshotLine;
use crate::accesslog::snapshot::{self, DEFAULT_WINDOW_HOURS, Snapshot, Target, series};
use crate::storage::BucketName;
use crate::storage::listing::human_bytes;
use crate::telemetry::OperationType;
use crate::telemetry::prom::AppEvent;
use crate::telemetry::recent::LogFilter;
use crate::telemetry::report::{LogEntry, log_entry};

/// A snapshot as a model needs it for trends: its time and figures, those it has.
#[derive(Serialize, Default)]
struct Point<'a> {
    timestamp: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_objects: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    requests_total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bytes_sent: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors_4xx: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors_5xx: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unique_ips: Option<u64>,
}

impl<'a> From<&'a SnapshotLine> for Point<'a> {
    fn from(l: &'a SnapshotLine) -> Self {
        Self {
            timestamp: &l.timestamp,
            source_objects: l.source_objects,
            source_bytes: l.source_bytes,
            requests_total: l.requests_total,
            bytes_sent: l.bytes_sent,
            errors_4xx: l.errors_4xx,
            errors_5xx: l.errors_5xx,
            unique_ips: l.unique_ips,
        }
    }
}

impl<'a> From<&'a HourSum> for Point<'a> {
    fn from(h: &'a HourSum) -> Self {
        Self {
            timestamp: &h.timestamp,
            source_objects: Some(h.source_objects),
            source_bytes: Some(h.source_bytes),
            requests_total: Some(h.requests_total),
            bytes_sent: Some(h.bytes_sent),
            errors_4xx: Some(h.errors_4xx),
            errors_5xx: Some(h.errors_5xx),
            unique_ips: None,
        }
    }
}

impl<'a> From<&'a Snapshot> for Point<'a> {
    fn from(s: &'a Snapshot) -> Self {
        let m = s.requests.as_ref().map(|r| &r.metrics);
        Self {
            timestamp: &s.timestamp,
            source_objects: Some(s.source_objects),
            source_bytes: Some(s.source_bytes),
            requests_total: m.map(|m| m.requests_total),
            bytes_sent: m.map(|m| m.bytes_sent),
            errors_4xx: m.map(|m| m.errors_4xx),
            errors_5xx: m.map(|m| m.errors_5xx),
            unique_ips: m.map(|m| m.unique_ips),
        }
    }
}

/// A source bucket with snapshots, and its growth over the window.
#[derive(Serialize)]
struct SourceRow<'a> {
    #[serde(flatten)]
    source: &'a Source,
    growth_bytes: Option<i64>,
    growth_objects: Option<i64>,
}

#[derive(Serialize)]
struct Sources<'a> {
    hours: u64,
    count: usize,
    sources: Vec<SourceRow<'a>>,
}

/// First to last point of a series.
#[derive(Serialize)]
struct Change {
    source_bytes: Option<i64>,
    source_objects: Option<i64>,
}

#[derive(Serialize)]
struct Series<'a> {
    source_bucket: Option<&'a str>,
    hours: u64,
    count: usize,
    change: Option<Change>,
    points: &'a [Point<'a>],
}

/// One operation type of the tenant's recent operations.
#[derive(Serialize)]
struct OperationStats {
    count: u64,
    errors: u64,
    avg_ms: f64,
    p95_ms: f64,
}

#[derive(Serialize)]
struct Operations<'a> {
    count: usize,
    errors: usize,
    error_rate_percent: f64,
    by_operation: BTreeMap<String, OperationStats>,
    recent: Vec<LogEntry<'a>>,
}

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

fn growth(first: Option<u64>, last: Option<u64>) -> Option<i64> {
    Some(last? as i64 - first? as i64)
}

/// Every source with snapshots in the window, its latest size and its growth.
pub async fn sources(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let hours = a.int("hours", 1..=MAX_HOURS, 168)?;
    let b = metrics_bucket(env).await?;
    let since = env.now() - hours as i64 * 3600;
    let lines = series::read(env.reader, &place(env, &b), Some(since), false).await?;
    let sources = series::sources(&lines);
    let rows: Vec<SourceRow> = sources
        .iter()
        .map(|s| SourceRow {
            source: s,
            growth_bytes: growth(s.first_bytes, s.source_bytes),
            growth_objects: growth(s.first_objects, s.source_objects),
        })
        .collect();
    Ok(ToolOutput {
        summary: format!(
            "{} source bucket(s) with snapshots in the last {hours} h",
            rows.len()
        ),
        value: typed(&Sources {
            hours,
            count: rows.len(),
            sources: rows,
        }),
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
    let sums;
    let points: Vec<Point> = match &source {
        Some(s) => series::series(&lines, s.as_str())
            .map(Point::from)
            .collect(),
        None => {
            sums = series::aggregate(&lines);
            sums.iter().map(Point::from).collect()
        }
    };
    let change = match (points.first(), points.last()) {
        (Some(f), Some(l)) => Some(Change {
            source_bytes: growth(f.source_bytes, l.source_bytes),
            source_objects: growth(f.source_objects, l.source_objects),
        }),
        _ => None,
    };
    let what = source
        .as_ref()
        .map_or("all sources".to_string(), |s| s.to_string());
    let last = points
        .last()
        .and_then(|p| p.source_bytes)
        .map(|n| format!(", latest {}", human_bytes(n)))
        .unwrap_or_default();
    Ok(ToolOutput {
        summary: format!("{what}: {} point(s) over {hours} h{last}", points.len()),
        value: typed(&Series {
            source_bucket: source.as_ref().map(BucketName::as_str),
            hours,
            count: points.len(),
            change,
            points: &points,
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
    let breakdown: BTreeMap<String, OperationStats> = by
        .into_iter()
        .map(|(t, (n, errors, sum, mut d))| {
            d.sort_by(f64::total_cmp);
            let p95 = d[((d.len() as f64 * 0.95).ceil() as usize).clamp(1, d.len()) - 1];
            let stats = OperationStats {
                count: n,
                errors,
                avg_ms: (sum / n as f64 * 100.0).round() / 100.0,
                p95_ms: (p95 * 100.0).round() / 100.0,
            };
            (t.to_string(), stats)
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
        value: typed(&Operations {
            count: ops.len(),
            errors,
            error_rate_percent: (rate * 100.0).round() / 100.0,
            by_operation: breakdown,
            recent: ops.iter().take(limit).map(log_entry).collect(),
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
        value: typed(&Point::from(&line)),
        subject: Some(source.to_string()),
    })
}
