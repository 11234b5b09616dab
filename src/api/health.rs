//! `GET /health` and `GET /metrics` (Prometheus text format).

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use http::header::CONTENT_TYPE;
use serde::Serialize;

use super::fleet::FleetHealth;
use crate::server::AppState;
use crate::telemetry::prom::{TEXT_CONTENT_TYPE, render};
use crate::telemetry::report::{Health, WindowReport, storage_metrics};
use crate::telemetry::window::WindowKind;

/// `GET /health`.
#[derive(Debug, Serialize)]
pub struct HealthAnswer {
    pub ok: bool,
    pub status: Health,
    pub uptime_seconds: f64,
    pub version: &'static str,
    pub spaces_endpoint: String,
    pub spaces_region: String,
    pub api_key_protection: bool,
    pub agent_configured: bool,
    pub storage_metrics: WindowReport<'static>,
    pub timestamp: String,
    /// With `--prometheus-url` only: the fleet view's configuration and last query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fleet: Option<FleetHealth>,
}

pub async fn health(State(state): State<AppState>) -> Json<HealthAnswer> {
    let now = state.recorder.now();
    let current = state.recorder.snapshot(WindowKind::Current);
    Json(HealthAnswer {
        ok: true,
        status: Health::of(current.all.cell.error_rate_percent()),
        uptime_seconds: (state.started.elapsed().as_secs_f64() * 10.0).round() / 10.0,
        version: env!("CARGO_PKG_VERSION"),
        spaces_endpoint: state.default_endpoint(),
        spaces_region: state.tenants.region.clone(),
        api_key_protection: state.settings.api_key.is_some(),
        agent_configured: state.settings.agent.is_some(),
        storage_metrics: storage_metrics(&current, now),
        timestamp: now.to_rfc3339(),
        fleet: super::fleet::health(&state),
    })
}

pub async fn prometheus(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, TEXT_CONTENT_TYPE)], render(&state.registry))
}
