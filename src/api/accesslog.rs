//! `/logs/access/…`, `/metrics/top-ips` and `/plots/top-ips.png`: the tenant's access logs
//! (in its `X-Log-Bucket` under `X-Log-Prefix`), each request one `QUERY_LOGS` operation
//! attributed to the log bucket once the tenant's access to it passed. The answers are
//! the structs below, each after the [`LogHead`] of where the logs are.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::accesslog::answers::{self, FileJson, HotPrefixes};
use crate::accesslog::audit::Audit;
use crate::accesslog::keys::Window;
use crate::accesslog::plot;
use crate::accesslog::record::LineRecord;
use crate::accesslog::report::{CoverageJson, RequestMetrics, TopIp};
use crate::accesslog::scan::{Logs, Query};
use crate::accesslog::search::{Filter, MAX_LIMIT, PageLine};
use crate::accesslog::summary::MAX_DEPTH;
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::storage::{BucketName, KeyPrefix, ObjectKey};
use crate::tenant::Credentials;

use super::tenant_bucket::{BucketRole, Headed, TenantBucket, now_secs};

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

/// Most log objects `/logs/access/files` lists.
pub const MAX_FILES: u64 = 10_000;

/// Where the logs of an answer are, and what the query covers.
#[derive(Debug, Serialize)]
pub struct LogHead<'a> {
    pub log_bucket: &'a str,
    pub log_prefix: &'a KeyPrefix,
    pub source_bucket: Option<&'a str>,
    pub window: Bounds,
}

/// A window's bounds (RFC 3339; `to` is open for hour windows).
#[derive(Debug, Serialize)]
pub struct Bounds {
    pub from: Option<String>,
    pub to: Option<String>,
}

impl LogRequest {
    pub(crate) fn logs<'a>(&'a self, state: &'a AppState) -> Logs<'a> {
        Logs {
            tenant: &self.tenant,
            bucket: &self.bucket,
            prefix: &self.tenant.creds.log_prefix,
            access: Some(&state.access),
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

    fn head<'a>(&'a self, q: &'a Query) -> LogHead<'a> {
        let (from, to) = q.window.bounds();
        LogHead {
            log_bucket: self.bucket.as_str(),
            log_prefix: &self.tenant.creds.log_prefix,
            source_bucket: q.source.as_deref(),
            window: Bounds { from, to },
        }
    }

    /// `head` followed by `body`.
    fn answer<'a, B: Serialize>(&'a self, q: &'a Query, body: B) -> Json<Headed<LogHead<'a>, B>> {
        Json(Headed {
            head: self.head(q),
            body,
        })
    }
}

#[derive(Serialize)]
pub struct Files {
    /// Objects that fit the query (all are counted; `returned` of them are listed).
    pub count: usize,
    pub returned: usize,
    pub truncated: bool,
    pub objects_listed: usize,
    pub total_bytes: u64,
    pub files: Vec<FileJson>,
}

pub async fn files(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
    let q = r.query(now_secs(&state))?;
    let limit = r.params.int("limit", 1..=MAX_FILES, 1000)? as usize;
    let (objects, listed) = state.logs.objects(&r.logs(&state), &q).await?;
    let files: Vec<FileJson> = objects
        .iter()
        .take(limit)
        .map(|o| FileJson::of(o, state.logs.max_bytes))
        .collect();
    let body = Files {
        count: objects.len(),
        returned: files.len(),
        truncated: files.len() < objects.len(),
        objects_listed: listed,
        total_bytes: objects.iter().map(|o| o.size).sum(),
        files,
    };
    Ok(r.answer(&q, body).into_response())
}

#[derive(Serialize)]
pub struct ReadAnswer<'a> {
    pub log_bucket: &'a str,
    pub key: &'a str,
    pub offset: u64,
    pub limit: usize,
    pub returned: usize,
    pub total_lines: u64,
    pub malformed_lines: u64,
    pub has_more: bool,
    pub lines: &'a [PageLine],
}

pub async fn read(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
    let key = ObjectKey::parse(r.params.require("key")?)
        .map_err(|e| ApiError::bad_request(format!("'key': {e}")))?;
    let offset = r.params.int("offset", 0..=u64::MAX / 2, 0)?;
    let limit = r.params.int("limit", 1..=MAX_LIMIT as u64, 100)? as usize;
    let page = state
        .logs
        .read(&r.logs(&state), &key, offset, limit)
        .await?;
    Ok(Json(ReadAnswer {
        log_bucket: r.bucket.as_str(),
        key: key.as_str(),
        offset,
        limit,
        returned: page.lines.len(),
        total_lines: page.total_lines,
        malformed_lines: page.malformed,
        has_more: offset + (page.lines.len() as u64) < page.total_lines,
        lines: &page.lines,
    })
    .into_response())
}

#[derive(Serialize)]
pub struct Filters<'a> {
    pub method: &'a Option<String>,
    pub object_key: &'a Option<String>,
    pub status_prefix: &'a Option<String>,
    pub contains: &'a Option<String>,
    pub ip: &'a Option<String>,
}

#[derive(Serialize)]
pub struct SearchAnswer<'a> {
    pub filters: Filters<'a>,
    pub limit: usize,
    pub count: u64,
    pub returned: usize,
    /// More lines matched than were returned (over `limit`, or over the answer's byte cap).
    pub truncated: bool,
    pub results: &'a [LineRecord],
    pub coverage: CoverageJson,
}

pub async fn search(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
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
        .search(&r.logs(&state), &filter, q.window, limit)
        .await?;
    let body = SearchAnswer {
        filters: Filters {
            method: &filter.method,
            object_key: &filter.object_key,
            status_prefix: &filter.status_prefix,
            contains: &filter.contains,
            ip: &filter.ip,
        },
        limit,
        count: found.count,
        returned: found.results.len(),
        truncated: found.count > found.results.len() as u64,
        results: &found.results,
        coverage: CoverageJson::from(&found.coverage),
    };
    Ok(r.answer(&q, body).into_response())
}

#[derive(Serialize)]
pub struct AuditAnswer<'a> {
    pub object_key: &'a str,
    pub methods: &'a [String],
    pub count: u64,
    pub returned: usize,
    pub truncated: bool,
    pub events: &'a [LineRecord],
    pub coverage: CoverageJson,
}

pub async fn object_audit(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
    let q = r.query(now_secs(&state))?;
    let key = r.params.require("object_key")?.to_string();
    let audit = Audit {
        source: q.source.clone(),
        key: key.clone(),
        verbs: Audit::verbs(r.params.get("methods"))?,
        window: q.window,
    };
    let t = state.logs.audit(&r.logs(&state), &audit).await?;
    let body = AuditAnswer {
        object_key: &key,
        methods: &audit.verbs,
        count: t.count,
        returned: t.events.len(),
        truncated: t.count > t.events.len() as u64,
        events: &t.events,
        coverage: CoverageJson::from(&t.coverage),
    };
    Ok(r.answer(&q, body).into_response())
}

/// The merged figures of a query (summaries from the cache where possible).
async fn figures(
    state: &AppState,
    r: &LogRequest,
    q: &Query,
    top: usize,
) -> ApiResult<(RequestMetrics, CoverageJson)> {
    Ok(answers::request_metrics(&state.logs, &r.logs(state), q, top).await?)
}

#[derive(Serialize)]
pub struct MetricsAnswer {
    pub metrics: RequestMetrics,
    pub coverage: CoverageJson,
}

pub async fn request_metrics(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
    let q = r.query(now_secs(&state))?;
    let top = r.params.int("top", 1..=100, 10)? as usize;
    let (metrics, coverage) = figures(&state, &r, &q, top).await?;
    Ok(r.answer(&q, MetricsAnswer { metrics, coverage })
        .into_response())
}

#[derive(Serialize)]
pub struct TopIpsAnswer {
    pub limit: usize,
    pub requests_total: u64,
    pub bytes_sent: u64,
    pub unique_ips: u64,
    pub top_ips: Vec<TopIp>,
    pub coverage: CoverageJson,
}

pub async fn top_ips(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
    let q = r.query(now_secs(&state))?;
    let limit = r.params.int("limit", 1..=100, 10)? as usize;
    let (m, coverage) = figures(&state, &r, &q, limit).await?;
    let body = TopIpsAnswer {
        limit,
        requests_total: m.requests_total,
        bytes_sent: m.bytes_sent,
        unique_ips: m.unique_ips,
        top_ips: m.top_ips,
        coverage,
    };
    Ok(r.answer(&q, body).into_response())
}

pub async fn top_ips_png(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
    let q = r.query(now_secs(&state))?;
    let limit = r.params.int("limit", 1..=30, 10)? as usize;
    let (m, _) = figures(&state, &r, &q, limit).await?;
    let title = match &q.source {
        Some(b) => format!("Top IPs by requests: {b}"),
        None => "Top IPs by requests".to_string(),
    };
    let bars: Vec<(String, u64)> = m.top_ips.into_iter().map(|t| (t.ip, t.requests)).collect();
    // Drawing is a heavy job of its own, held until the drawing thread is done.
    let job = state.logs.start(&r.logs(&state)).await?.handle();
    let png = tokio::task::spawn_blocking(move || {
        let png = plot::bar_chart(&title, &bars);
        drop(job);
        png
    })
    .await
    .map_err(|_| ApiError::internal("the chart could not be drawn"))?
    .map_err(|e| ApiError::internal(format!("the chart could not be drawn: {e}")))?;
    Ok(([(http::header::CONTENT_TYPE, "image/png")], png).into_response())
}

pub async fn hot_prefixes(State(state): State<AppState>, r: LogRequest) -> ApiResult<Response> {
    let q = r.query(now_secs(&state))?;
    let depth = r.params.int("depth", 1..=MAX_DEPTH as u64, 1)? as usize;
    let limit = r.params.int("limit", 1..=100, 10)? as usize;
    let hot: HotPrefixes =
        answers::hot_prefixes(&state.logs, &r.logs(&state), &q, depth, limit).await?;
    Ok(r.answer(&q, hot).into_response())
}
