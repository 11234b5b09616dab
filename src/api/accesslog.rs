//! `/logs/access/…`, `/metrics/top-ips` and `/plots/top-ips.png`: the tenant's access logs
//! (in its `X-Log-Bucket` under `X-Log-Prefix`), each request one `QUERY_LOGS` operation
//! attributed to the log bucket once the tenant's access to it passed.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::accesslog::audit::Audit;
use crate::accesslog::keys::Window;
use crate::accesslog::report::{CoverageJson, RequestMetrics};
use crate::accesslog::scan::{Logs, Query};
use crate::accesslog::search::{Filter, MAX_LIMIT};
use crate::accesslog::summary::MAX_DEPTH;
use crate::accesslog::{answers, plot};
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::storage::BucketName;
use crate::tenant::Credentials;

use super::tenant_bucket::{BucketRole, TenantBucket, merged, now_secs};

/// Where the access-log endpoints read: the tenant's `X-Log-Bucket`.
pub struct LogBucket;

impl BucketRole for LogBucket {
    const HEADER: &'static str = "X-Log-Bucket";
    const NOT_CONFIGURED: &'static str = "the access-log endpoints read the bucket named in the X-Log-Bucket header (and X-Log-Prefix)";
    fn bucket(creds: &Credentials) -> Option<&BucketName> {
        creds.log_bucket.as_ref()
    }
}

/// A verified tenant's log request: its parameters and where its logs are.
pub type LogRequest = TenantBucket<LogBucket>;

impl LogRequest {
    pub(crate) fn logs(&self) -> Logs<'_> {
        Logs {
            client: &self.tenant.client,
            endpoint: &self.tenant.creds.endpoint,
            bucket: &self.bucket,
            prefix: &self.tenant.creds.log_prefix,
        }
    }

    /// `source_bucket`, checked as a bucket name.
    pub(crate) fn source(&self) -> ApiResult<Option<String>> {
        self.params
            .get("source_bucket")
            .map(|b| {
                BucketName::parse(b).map(|b| b.to_string()).ok_or_else(|| {
                    ApiError::bad_request("'source_bucket' is not a valid bucket name")
                })
            })
            .transpose()
    }

    pub(crate) fn window(&self, now: i64) -> ApiResult<Window> {
        Ok(Window::parse(
            self.params.get("date"),
            self.params.get("hours"),
            now,
        )?)
    }

    fn query(&self, now: i64) -> ApiResult<Query> {
        Ok(Query {
            source: self.source()?,
            window: self.window(now)?,
        })
    }

    fn head(&self, q: &Query) -> Value {
        let (from, to) = q.window.bounds();
        json!({
            "log_bucket": self.bucket.as_str(),
            "log_prefix": self.tenant.creds.log_prefix,
            "source_bucket": q.source,
            "window": { "from": from, "to": to },
        })
    }
}

pub async fn files(State(state): State<AppState>, r: LogRequest) -> ApiResult<Json<Value>> {
    let q = r.query(now_secs(&state))?;
    let (objects, listed) = state.logs.objects(&r.logs(), &q).await?;
    let total: u64 = objects.iter().map(|o| o.size).sum();
    let files: Vec<Value> = objects
        .iter()
        .map(|o| answers::file_json(o, state.logs.max_bytes))
        .collect();
    Ok(Json(merged(
        r.head(&q),
        json!({ "count": files.len(), "objects_listed": listed, "total_bytes": total, "files": files }),
    )))
}

pub async fn read(State(state): State<AppState>, r: LogRequest) -> ApiResult<Json<Value>> {
    let key = r.params.require("key")?.to_string();
    if key.len() > 1024 {
        return Err(ApiError::bad_request("'key' is longer than 1024 bytes"));
    }
    let offset = r.params.int("offset", 0..=u64::MAX / 2, 0)?;
    let limit = r.params.int("limit", 1..=MAX_LIMIT as u64, 100)? as usize;
    let page = state.logs.read(&r.logs(), &key, offset, limit).await?;
    Ok(Json(json!({
        "log_bucket": r.bucket.as_str(),
        "key": key,
        "offset": offset,
        "limit": limit,
        "returned": page.lines.len(),
        "total_lines": page.total_lines,
        "malformed_lines": page.malformed,
        "has_more": offset + (page.lines.len() as u64) < page.total_lines,
        "lines": page.lines,
    })))
}

pub async fn search(State(state): State<AppState>, r: LogRequest) -> ApiResult<Json<Value>> {
    let q = r.query(now_secs(&state))?;
    let p = &r.params;
    let limit = p.int("limit", 1..=MAX_LIMIT as u64, 100)? as usize;
    let own = |n: &str| p.get(n).map(str::to_string);
    let filter = Filter {
        source: q.source.clone(),
        method: own("method").map(|m| m.to_ascii_uppercase()),
        object_key: own("object_key"),
        status_prefix: own("status_prefix"),
        contains: own("contains"),
        ip: own("ip"),
    };
    let found = state
        .logs
        .search(&r.logs(), &filter, q.window, limit)
        .await?;
    Ok(Json(merged(
        r.head(&q),
        json!({
            "filters": {
                "method": filter.method, "object_key": filter.object_key,
                "status_prefix": filter.status_prefix, "contains": filter.contains, "ip": filter.ip,
            },
            "limit": limit,
            "count": found.count,
            "returned": found.results.len(),
            "truncated": found.count > found.results.len() as u64,
            "results": found.results,
            "coverage": CoverageJson::from(&found.coverage),
        }),
    )))
}

pub async fn object_audit(State(state): State<AppState>, r: LogRequest) -> ApiResult<Json<Value>> {
    let q = r.query(now_secs(&state))?;
    let key = r.params.require("object_key")?.to_string();
    let audit = Audit {
        source: q.source.clone(),
        key: key.clone(),
        verbs: Audit::verbs(r.params.get("methods"))?,
        window: q.window,
    };
    let t = state.logs.audit(&r.logs(), &audit).await?;
    Ok(Json(merged(
        r.head(&q),
        json!({
            "object_key": key,
            "methods": audit.verbs,
            "count": t.count,
            "returned": t.events.len(),
            "truncated": t.count > t.events.len() as u64,
            "events": t.events,
            "coverage": CoverageJson::from(&t.coverage),
        }),
    )))
}

/// The merged figures of a query (summaries from the cache where possible).
async fn figures(
    state: &AppState,
    r: &LogRequest,
    q: &Query,
    top: usize,
) -> ApiResult<(RequestMetrics, CoverageJson)> {
    Ok(answers::request_metrics(&state.logs, &r.logs(), q, top).await?)
}

pub async fn request_metrics(
    State(state): State<AppState>,
    r: LogRequest,
) -> ApiResult<Json<Value>> {
    let q = r.query(now_secs(&state))?;
    let top = r.params.int("top", 1..=100, 10)? as usize;
    let (m, cov) = figures(&state, &r, &q, top).await?;
    Ok(Json(merged(
        r.head(&q),
        json!({ "metrics": m, "coverage": cov }),
    )))
}

pub async fn top_ips(State(state): State<AppState>, r: LogRequest) -> ApiResult<Json<Value>> {
    let q = r.query(now_secs(&state))?;
    let limit = r.params.int("limit", 1..=100, 10)? as usize;
    let (m, cov) = figures(&state, &r, &q, limit).await?;
    Ok(Json(merged(
        r.head(&q),
        json!({
            "limit": limit,
            "requests_total": m.requests_total,
            "bytes_sent": m.bytes_sent,
            "unique_ips": m.unique_ips,
            "top_ips": m.top_ips,
            "coverage": cov,
        }),
    )))
}

pub async fn top_ips_png(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
    let q = r.query(now_secs(&state))?;
    let limit = r.params.int("limit", 1..=30, 10)? as usize;
    let (m, _) = figures(&state, &r, &q, limit).await?;
    let title = match &q.source {
        Some(b) => format!("Top IPs by requests: {b}"),
        None => "Top IPs by requests".to_string(),
    };
    let bars: Vec<(String, u64)> = m
        .top_ips
        .iter()
        .map(|t| (t.ip.clone(), t.requests))
        .collect();
    let png = tokio::task::spawn_blocking(move || plot::bar_chart(&title, &bars))
        .await
        .map_err(|_| ApiError::internal("the chart could not be drawn"))?
        .map_err(|e| ApiError::internal(format!("the chart could not be drawn: {e}")))?;
    Ok(([(http::header::CONTENT_TYPE, "image/png")], png).into_response())
}

pub async fn hot_prefixes(State(state): State<AppState>, r: LogRequest) -> ApiResult<Json<Value>> {
    let q = r.query(now_secs(&state))?;
    let depth = r.params.int("depth", 1..=MAX_DEPTH as u64, 1)? as usize;
    let limit = r.params.int("limit", 1..=100, 10)? as usize;
    let hot = answers::hot_prefixes(&state.logs, &r.logs(), &q, depth, limit).await?;
    let hot = serde_json::to_value(hot).unwrap_or_default();
    Ok(Json(merged(r.head(&q), hot)))
}
