//! Admin endpoints: `/metrics/operations`, `/logs/operations`, `/stats`.

use axum::Json;
use axum::extract::State;
use serde_json::{Map, Value, json};

use crate::server::AppState;
use crate::server::error::ApiResult;
use crate::server::query::Params;
use crate::server::query::logs::LogQuery;
use crate::telemetry::bucket::BUCKET_WINDOW;
use crate::telemetry::prom::AppEvent;
use crate::telemetry::report::{
    bucket_analytics, log_entry, s3_requests, storage_metrics, window_json,
};

pub async fn operations(State(state): State<AppState>) -> Json<Value> {
    let now = state.recorder.now();
    let [current, hour, day] = state.recorder.snapshots();
    let buckets = state.recorder.buckets();
    Json(json!({
        "timestamp": now.to_rfc3339(),
        "current_5m": storage_metrics(&current, now),
        "trends": {
            "operations_last_1h": hour.all.cell.count,
            "operations_last_24h": day.all.cell.count,
            "window_1h": window_json(&hour, "_1h", "1h", now),
            "window_24h": window_json(&day, "_24h", "24h", now),
        },
        "bucket_analytics": bucket_analytics(&buckets),
        "s3_requests": s3_requests(&state.recorder.s3_snapshot()),
        "bucket_analytics_window_seconds": BUCKET_WINDOW.as_secs(),
        "total_operations_tracked": day.all.cell.count,
        "total_operations_since_start": state.recorder.total_recorded(),
        "recent_log_size": state.recorder.recent_len(),
    }))
}

pub async fn logs(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let LogQuery { filter, limit } = LogQuery::from_params(&params)?;
    let ops = state.recorder.recent(&filter, limit);
    let logs: Vec<Value> = ops.iter().map(log_entry).collect();
    Ok(Json(json!({
        "count": logs.len(),
        "logs": logs,
        "filters": {
            "operation_type": filter.operation.map(|t| t.as_str()),
            "bucket": filter.bucket,
            "min_duration_ms": filter.min_duration_ms,
            "status": filter.errors.map(|e| if e { "error" } else { "ok" }),
            "limit": limit,
        },
    })))
}

pub async fn stats(State(state): State<AppState>) -> Json<Value> {
    let now = state.recorder.now();
    let current = state
        .recorder
        .snapshot(crate::telemetry::window::WindowKind::Current);
    let mut out: Map<String, Value> = AppEvent::ALL
        .iter()
        .map(|e| (e.as_str().to_string(), state.counters.get(*e).into()))
        .collect();
    out.insert("clients_cached".into(), state.clients.len().into());
    out.insert(
        "operations_since_start".into(),
        state.recorder.total_recorded().into(),
    );
    out.insert(
        "uptime_seconds".into(),
        state.started.elapsed().as_secs().into(),
    );
    out.insert("storage_metrics".into(), storage_metrics(&current, now));
    out.insert("timestamp".into(), now.to_rfc3339().into());
    Json(Value::Object(out))
}
