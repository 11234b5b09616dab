//! Admin endpoints: `/metrics/operations`, `/logs/operations`, `/stats`. Each answers a
//! `Serialize` struct whose fields, in order, are the answer's keys.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::server::AppState;
use crate::server::error::ApiResult;
use crate::server::query::Params;
use crate::server::query::logs::LogQuery;
use crate::telemetry::bucket::BUCKET_WINDOW;
use crate::telemetry::prom::AppEvent;
use crate::telemetry::recent::LogFilter;
use crate::telemetry::report::{
    BucketReport, Keyed, LogEntry, S3Requests, WindowReport, bucket_reports, log_entry,
    s3_requests, storage_metrics, window_report,
};
use crate::telemetry::window::WindowKind;

/// `GET /metrics/operations`.
#[derive(Debug, Serialize)]
pub struct Operations {
    pub timestamp: String,
    pub current_5m: WindowReport<'static>,
    pub trends: Trends,
    pub bucket_analytics: Keyed<String, BucketReport>,
    pub s3_requests: S3Requests,
    pub bucket_analytics_window_seconds: u64,
    pub total_operations_tracked: u64,
    pub total_operations_since_start: u64,
    pub recent_log_size: usize,
}

/// The longer windows of `/metrics/operations`.
#[derive(Debug, Serialize)]
pub struct Trends {
    pub operations_last_1h: u64,
    pub operations_last_24h: u64,
    pub window_1h: WindowReport<'static>,
    pub window_24h: WindowReport<'static>,
}

pub async fn operations(State(state): State<AppState>) -> Json<Operations> {
    let now = state.recorder.now();
    let [current, hour, day] = state.recorder.snapshots();
    let buckets = state.recorder.buckets();
    Json(Operations {
        timestamp: now.to_rfc3339(),
        current_5m: storage_metrics(&current, now),
        trends: Trends {
            operations_last_1h: hour.all.cell.count,
            operations_last_24h: day.all.cell.count,
            window_1h: window_report(&hour, "_1h", "1h", now),
            window_24h: window_report(&day, "_24h", "24h", now),
        },
        bucket_analytics: bucket_reports(&buckets),
        s3_requests: s3_requests(&state.recorder.s3_snapshot()),
        bucket_analytics_window_seconds: BUCKET_WINDOW.as_secs(),
        total_operations_tracked: day.all.cell.count,
        total_operations_since_start: state.recorder.total_recorded(),
        recent_log_size: state.recorder.recent_len(),
    })
}

/// `GET /logs/operations`.
#[derive(Debug, Serialize)]
pub struct Logs<'a> {
    pub count: usize,
    pub logs: Vec<LogEntry<'a>>,
    pub filters: Filters<'a>,
}

/// The filters `/logs/operations` applied.
#[derive(Debug, Serialize)]
pub struct Filters<'a> {
    pub operation_type: Option<&'static str>,
    pub bucket: &'a Option<String>,
    pub min_duration_ms: Option<f64>,
    pub status: Option<&'static str>,
    pub limit: usize,
}

impl<'a> Filters<'a> {
    fn of(filter: &'a LogFilter, limit: usize) -> Self {
        Self {
            operation_type: filter.operation.map(|t| t.as_str()),
            bucket: &filter.bucket,
            min_duration_ms: filter.min_duration_ms,
            status: filter.errors.map(|e| if e { "error" } else { "ok" }),
            limit,
        }
    }
}

/// Serialized here: the entries borrow the operations read for this answer.
pub async fn logs(State(state): State<AppState>, params: Params) -> ApiResult<Response> {
    let LogQuery { filter, limit } = LogQuery::from_params(&params)?;
    let ops = state.recorder.recent(&filter, limit);
    let logs: Vec<LogEntry<'_>> = ops.iter().map(log_entry).collect();
    let answer = Logs {
        count: logs.len(),
        logs,
        filters: Filters::of(&filter, limit),
    };
    Ok(Json(answer).into_response())
}

/// `GET /stats`: every application counter, then the figures below.
#[derive(Debug, Serialize)]
pub struct Stats {
    #[serde(flatten)]
    pub counters: Keyed<&'static str, u64>,
    pub clients_cached: usize,
    pub operations_since_start: u64,
    pub uptime_seconds: u64,
    pub storage_metrics: WindowReport<'static>,
    pub timestamp: String,
}

pub async fn stats(State(state): State<AppState>) -> Json<Stats> {
    let now = state.recorder.now();
    let current = state.recorder.snapshot(WindowKind::Current);
    let counters = AppEvent::ALL
        .iter()
        .map(|e| (e.as_str(), state.counters.get(*e)))
        .collect();
    Json(Stats {
        counters: Keyed(counters),
        clients_cached: state.clients.len(),
        operations_since_start: state.recorder.total_recorded(),
        uptime_seconds: state.started.elapsed().as_secs(),
        storage_metrics: storage_metrics(&current, now),
        timestamp: now.to_rfc3339(),
    })
}
