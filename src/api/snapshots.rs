//! Snapshots: take one (`POST /metrics/snapshot`), take one of every bucket
//! (`POST /trigger-snapshot-all`), and read them back (`/metrics/sources`,
//! `/metrics/series`, `/metrics/aggregate-series`) — each one `QUERY_METRICS` operation,
//! in the tenant's `X-Metrics-Bucket` under `X-Metrics-Prefix`.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::accesslog::keys::MAX_HOURS;
use crate::accesslog::scan::Logs;
use crate::accesslog::snapshot::{self, DEFAULT_WINDOW_HOURS, Target, series};
use crate::server::AppState;
use crate::server::credentials::bucket_access;
use crate::server::error::{ApiError, ApiResult};
use crate::storage::BucketName;
use crate::telemetry::prom::AppEvent;
use crate::tenant::Credentials;

use super::tenant_bucket::{BucketRole, TenantBucket, merged, now_secs};

/// Where snapshots live: the tenant's `X-Metrics-Bucket`.
pub struct MetricsBucket;

impl BucketRole for MetricsBucket {
    const HEADER: &'static str = "X-Metrics-Bucket";
    const NOT_CONFIGURED: &'static str = "snapshots live in the bucket named in the X-Metrics-Bucket header (under X-Metrics-Prefix)";
    fn bucket(creds: &Credentials) -> Option<&BucketName> {
        creds.metrics_bucket.as_ref()
    }
}

/// A verified tenant's snapshot request: parameters and its metrics bucket.
type MetricsRequest = TenantBucket<MetricsBucket>;

impl MetricsRequest {
    fn metrics(&self) -> Logs<'_> {
        Logs {
            client: &self.tenant.client,
            endpoint: &self.tenant.creds.endpoint,
            bucket: &self.bucket,
            prefix: &self.tenant.creds.metrics_prefix,
        }
    }

    /// The tenant's access logs, if it named a log bucket it may use.
    async fn logs<'a>(
        &'a self,
        state: &AppState,
        log_bucket: &'a Option<BucketName>,
    ) -> Option<Logs<'a>> {
        let b = log_bucket.as_ref()?;
        state
            .access
            .check(&self.tenant, b, &state.counters)
            .await
            .ok()?;
        Some(Logs {
            client: &self.tenant.client,
            endpoint: &self.tenant.creds.endpoint,
            bucket: b,
            prefix: &self.tenant.creds.log_prefix,
        })
    }

    fn hours(&self, default: u64) -> ApiResult<u64> {
        Ok(self.params.int("hours", 1..=MAX_HOURS, default)?)
    }

    fn head(&self) -> Value {
        json!({
            "metrics_bucket": self.bucket.as_str(),
            "metrics_prefix": self.tenant.creds.metrics_prefix,
        })
    }
}

async fn take_one(
    state: &AppState,
    r: &MetricsRequest,
    source: &BucketName,
    source_prefix: Option<&str>,
    hours: u64,
) -> Result<Value, ApiError> {
    let log_bucket = r.tenant.creds.log_bucket.clone();
    let logs = r.logs(state, &log_bucket).await;
    let t = Target {
        client: &r.tenant.client,
        endpoint: &r.tenant.creds.endpoint,
        source,
        source_prefix,
        metrics_bucket: &r.bucket,
        metrics_prefix: &r.tenant.creds.metrics_prefix,
        logs,
        window_hours: hours,
    };
    let taken = snapshot::take(&state.logs, &state.snapshot_locks, &t, now_secs(state)).await;
    let event = if taken.is_ok() {
        AppEvent::SnapshotOk
    } else {
        AppEvent::SnapshotError
    };
    state.counters.inc(event);
    Ok(taken?)
}

pub async fn take(State(state): State<AppState>, r: MetricsRequest) -> ApiResult<Json<Value>> {
    let raw = r.params.require("source_bucket")?.to_string();
    let source = bucket_access(&state, &r.fields, &r.tenant, ("source_bucket", &raw)).await?;
    let prefix = r.params.get("source_prefix").map(str::to_string);
    let hours = r.hours(DEFAULT_WINDOW_HOURS)?;
    let line = take_one(&state, &r, &source, prefix.as_deref(), hours).await?;
    let key = snapshot::store::object_key(&r.tenant.creds.metrics_prefix, now_secs(&state));
    Ok(Json(merged(
        r.head(),
        json!({ "object_key": key, "snapshot": line }),
    )))
}

pub async fn take_all(State(state): State<AppState>, r: MetricsRequest) -> ApiResult<Json<Value>> {
    let hours = r.hours(DEFAULT_WINDOW_HOURS)?;
    let buckets = state.access.list(&r.tenant, &state.counters).await?;
    let skip = [r.tenant.creds.log_bucket.clone(), Some(r.bucket.clone())];
    let mut results = Vec::new();
    for b in buckets.iter().filter_map(|b| BucketName::parse(&b.name)) {
        if skip.iter().any(|s| s.as_ref() == Some(&b)) {
            continue;
        }
        let result = match take_one(&state, &r, &b, None, hours).await {
            Ok(line) => json!({
                "bucket": b.as_str(), "ok": true,
                "source_objects": line["source_objects"], "source_bytes": line["source_bytes"],
                "requests_total": line["requests_total"],
            }),
            Err(e) => json!({ "bucket": b.as_str(), "ok": false, "error": e.detail }),
        };
        results.push(result);
    }
    let ok = results.iter().filter(|v| v["ok"] == true).count();
    Ok(Json(merged(
        r.head(),
        json!({ "buckets": results.len(), "ok": ok, "failed": results.len() - ok, "results": results }),
    )))
}

pub async fn sources(State(state): State<AppState>, r: MetricsRequest) -> ApiResult<Json<Value>> {
    let lines = series::read(&state.logs, &r.metrics(), None).await?;
    let sources = series::sources(&lines);
    Ok(Json(merged(
        r.head(),
        json!({
            "count": sources.len(),
            "sources": sources,
            "objects_read": lines.objects_read,
            "bad_lines": lines.bad_lines,
        }),
    )))
}

pub async fn source_series(
    State(state): State<AppState>,
    r: MetricsRequest,
) -> ApiResult<Json<Value>> {
    let source = r.params.require("source_bucket")?.to_string();
    if BucketName::parse(&source).is_none() {
        return Err(ApiError::bad_request(
            "'source_bucket' is not a valid bucket name",
        ));
    }
    let hours = r.hours(168)?;
    let since = now_secs(&state) - hours as i64 * 3600;
    let lines = series::read(&state.logs, &r.metrics(), Some(since)).await?;
    let points = series::series(&lines, &source);
    Ok(Json(merged(
        r.head(),
        json!({ "source_bucket": source, "hours": hours, "count": points.len(), "points": points }),
    )))
}

pub async fn aggregate_series(
    State(state): State<AppState>,
    r: MetricsRequest,
) -> ApiResult<Json<Value>> {
    let hours = r.hours(168)?;
    let since = now_secs(&state) - hours as i64 * 3600;
    let lines = series::read(&state.logs, &r.metrics(), Some(since)).await?;
    let points = series::aggregate(&lines);
    Ok(Json(merged(
        r.head(),
        json!({ "hours": hours, "count": points.len(), "points": points }),
    )))
}
