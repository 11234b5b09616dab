//! Snapshots: take one (`POST /metrics/snapshot`), take one of every bucket
//! (`POST /trigger-snapshot-all`), and read them back (`/metrics/sources`,
//! `/metrics/series`, `/metrics/aggregate-series`) — each one `QUERY_METRICS` operation,
//! in the tenant's `X-Metrics-Bucket` under `X-Metrics-Prefix`.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::value::RawValue;

use crate::accesslog::keys::MAX_HOURS;
use crate::accesslog::scan::Logs;
use crate::accesslog::snapshot::series::{self, HourSum, Source};
use crate::accesslog::snapshot::{self, DEFAULT_WINDOW_HOURS, Snapshot, Target};
use crate::server::AppState;
use crate::server::credentials::bucket_access;
use crate::server::error::{ApiError, ApiResult};
use crate::storage::{BucketName, KeyPrefix, ObjectKey};
use crate::telemetry::prom::AppEvent;
use crate::tenant::Credentials;

use super::tenant_bucket::{BucketRole, Headed, TenantBucket, now_secs};

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

/// Where the snapshots of an answer are.
#[derive(Debug, Serialize)]
pub struct MetricsHead<'a> {
    pub metrics_bucket: &'a str,
    pub metrics_prefix: &'a KeyPrefix,
}

impl MetricsRequest {
    fn metrics<'a>(&'a self, state: &'a AppState) -> Logs<'a> {
        Logs {
            tenant: &self.tenant,
            bucket: &self.bucket,
            prefix: &self.tenant.creds.metrics_prefix,
            access: Some(&state.access),
        }
    }

    /// The tenant's access logs, if it named a log bucket it may use.
    async fn logs<'a>(&'a self, state: &'a AppState) -> Option<Logs<'a>> {
        let b = self.tenant.creds.log_bucket.as_ref()?;
        state
            .access
            .check(&self.tenant, b, &state.counters)
            .await
            .ok()?;
        Some(Logs {
            tenant: &self.tenant,
            bucket: b,
            prefix: &self.tenant.creds.log_prefix,
            access: Some(&state.access),
        })
    }

    fn hours(&self, default: u64) -> ApiResult<u64> {
        Ok(self.params.int("hours", 1..=MAX_HOURS, default)?)
    }

    /// `head` followed by `body`.
    fn answer<B: Serialize>(&self, body: B) -> Response {
        let head = MetricsHead {
            metrics_bucket: self.bucket.as_str(),
            metrics_prefix: &self.tenant.creds.metrics_prefix,
        };
        Json(Headed { head, body }).into_response()
    }
}

async fn take_one(
    state: &AppState,
    r: &MetricsRequest,
    source: &BucketName,
    source_prefix: Option<&KeyPrefix>,
    hours: u64,
) -> Result<(ObjectKey, Snapshot), ApiError> {
    let t = Target {
        tenant: &r.tenant,
        source,
        source_prefix,
        metrics_bucket: &r.bucket,
        metrics_prefix: &r.tenant.creds.metrics_prefix,
        logs: r.logs(state).await,
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

#[derive(Serialize)]
pub struct Taken<'a> {
    pub object_key: &'a str,
    pub snapshot: &'a Snapshot,
}

pub async fn take(State(state): State<AppState>, r: MetricsRequest) -> ApiResult<Response> {
    let raw = r.params.require("source_bucket")?.to_string();
    let source = bucket_access(&state, &r.fields, &r.tenant, ("source_bucket", &raw)).await?;
    let prefix = r
        .params
        .get("source_prefix")
        .map(KeyPrefix::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("'source_prefix': {e}")))?;
    let hours = r.hours(DEFAULT_WINDOW_HOURS)?;
    let (key, line) = take_one(&state, &r, &source, prefix.as_ref(), hours).await?;
    Ok(r.answer(Taken {
        object_key: key.as_str(),
        snapshot: &line,
    }))
}

/// One bucket's snapshot in `/trigger-snapshot-all`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum BucketResult {
    Ok {
        bucket: String,
        ok: bool,
        source_objects: u64,
        source_bytes: u64,
        requests_total: Option<u64>,
    },
    Failed {
        bucket: String,
        ok: bool,
        error: String,
    },
}

#[derive(Serialize)]
pub struct TakenAll {
    pub buckets: usize,
    pub ok: usize,
    pub failed: usize,
    pub results: Vec<BucketResult>,
}

pub async fn take_all(State(state): State<AppState>, r: MetricsRequest) -> ApiResult<Response> {
    let hours = r.hours(DEFAULT_WINDOW_HOURS)?;
    let buckets = state.access.list(&r.tenant, &state.counters).await?;
    let skip = [r.tenant.creds.log_bucket.clone(), Some(r.bucket.clone())];
    let mut results = Vec::new();
    for b in buckets.iter().filter_map(|b| BucketName::parse(&b.name)) {
        if skip.iter().any(|s| s.as_ref() == Some(&b)) {
            continue;
        }
        let result = match take_one(&state, &r, &b, None, hours).await {
            Ok((_, line)) => BucketResult::Ok {
                bucket: b.to_string(),
                ok: true,
                source_objects: line.source_objects,
                source_bytes: line.source_bytes,
                requests_total: line.requests.as_ref().map(|q| q.metrics.requests_total),
            },
            Err(e) => BucketResult::Failed {
                bucket: b.to_string(),
                ok: false,
                error: e.detail,
            },
        };
        results.push(result);
    }
    let ok = results
        .iter()
        .filter(|v| matches!(v, BucketResult::Ok { .. }))
        .count();
    Ok(r.answer(TakenAll {
        buckets: results.len(),
        ok,
        failed: results.len() - ok,
        results,
    }))
}

#[derive(Serialize)]
pub struct Sources {
    pub count: usize,
    pub sources: Vec<Source>,
    pub objects_read: usize,
    pub bad_lines: u64,
    /// Lines were left out (over the read-back's caps): the oldest.
    pub truncated: bool,
}

pub async fn sources(State(state): State<AppState>, r: MetricsRequest) -> ApiResult<Response> {
    let lines = series::read(&state.logs, &r.metrics(&state), None, false).await?;
    let sources = series::sources(&lines);
    Ok(r.answer(Sources {
        count: sources.len(),
        sources,
        objects_read: lines.objects_read,
        bad_lines: lines.bad_lines,
        truncated: lines.truncated,
    }))
}

#[derive(Serialize)]
pub struct SeriesAnswer<'a> {
    pub source_bucket: &'a str,
    pub hours: u64,
    pub count: usize,
    /// The snapshot lines as written, oldest first.
    pub points: Vec<&'a RawValue>,
}

pub async fn source_series(
    State(state): State<AppState>,
    r: MetricsRequest,
) -> ApiResult<Response> {
    let source = r.params.require("source_bucket")?.to_string();
    if BucketName::parse(&source).is_none() {
        return Err(ApiError::bad_request(
            "'source_bucket' is not a valid bucket name",
        ));
    }
    let hours = r.hours(168)?;
    let since = now_secs(&state) - hours as i64 * 3600;
    let lines = series::read(&state.logs, &r.metrics(&state), Some(since), true).await?;
    let points = series::raw(series::series(&lines, &source));
    Ok(r.answer(SeriesAnswer {
        source_bucket: &source,
        hours,
        count: points.len(),
        points,
    }))
}

#[derive(Serialize)]
pub struct AggregateAnswer {
    pub hours: u64,
    pub count: usize,
    pub points: Vec<HourSum>,
}

pub async fn aggregate_series(
    State(state): State<AppState>,
    r: MetricsRequest,
) -> ApiResult<Response> {
    let hours = r.hours(168)?;
    let since = now_secs(&state) - hours as i64 * 3600;
    let lines = series::read(&state.logs, &r.metrics(&state), Some(since), false).await?;
    let points = series::aggregate(&lines);
    Ok(r.answer(AggregateAnswer {
        hours,
        count: points.len(),
        points,
    }))
}
