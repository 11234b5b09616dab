//! `GET /health` and `GET /metrics` (Prometheus text format).

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::header::CONTENT_TYPE;
use serde_json::{Value, json};

use crate::server::AppState;
use crate::telemetry::prom::{TEXT_CONTENT_TYPE, render};
use crate::telemetry::report::{Health, storage_metrics};
use crate::telemetry::window::WindowKind;

pub async fn health(State(state): State<AppState>) -> Json<Value> {
    let now = state.recorder.now();
    let current = state.recorder.snapshot(WindowKind::Current);
    let status = Health::of(current.all.cell.error_rate_percent());
    let mut body = json!({
        "ok": true,
        "status": status.as_str(),
        "uptime_seconds": (state.started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        "version": env!("CARGO_PKG_VERSION"),
        "spaces_endpoint": state.default_endpoint(),
        "spaces_region": state.tenants.region,
        "api_key_protection": state.settings.api_key.is_some(),
        "agent_configured": state.settings.agent.is_some(),
        "storage_metrics": storage_metrics(&current, now),
        "timestamp": now.to_rfc3339(),
    });
    if let (Some(fleet), Value::Object(m)) = (super::fleet::health(&state), &mut body) {
        m.insert("fleet".into(), fleet);
    }
    Json(body)
}

pub async fn prometheus(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, TEXT_CONTENT_TYPE)], render(&state.registry))
}
