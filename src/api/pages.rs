//! The dashboard pages, their embedded assets, and `GET /api/ui-config` — what the page
//! needs to know about this server (refresh interval, demo mode, agent).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderName, HeaderValue};
use serde::Serialize;

use crate::demo::{DEMO_LOG_BUCKET, DEMO_LOG_PREFIX, DEMO_METRICS_BUCKET};
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::web::{self, Asset};

/// Headers of every page and asset: nothing runs or loads from anywhere but this server.
fn respond(asset: &'static Asset) -> Response {
    let headers: [(HeaderName, HeaderValue); 6] = [
        (CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
        (
            http::header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(web::CONTENT_SECURITY_POLICY),
        ),
        (
            http::header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            http::header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            http::header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (headers, asset.body).into_response()
}

/// `GET /`, `/dashboard`, `/config` (the page opens its credentials dialog there).
pub async fn dashboard() -> Response {
    respond(&web::DASHBOARD)
}

/// `GET /admin`: Mission Control.
pub async fn admin() -> Response {
    respond(&web::ADMIN)
}

/// `GET /static/{name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    match web::asset(&name) {
        Some(a) => respond(a),
        None => ApiError::not_found("Not Found").into_response(),
    }
}

/// `GET /api/ui-config`: what the page needs to know about this server.
#[derive(Debug, Serialize)]
pub struct UiConfig<'a> {
    pub version: &'static str,
    pub refresh_seconds: u64,
    pub demo: bool,
    /// Under `--demo` only: what the credentials dialog offers in one click.
    pub demo_credentials: Option<DemoCredentials<'a>>,
    pub agent_configured: bool,
    pub api_key_protection: bool,
    pub spaces_region: &'a str,
}

/// The demo tenant's credentials and buckets; the secret only when it is the documented one.
#[derive(Debug, Serialize)]
pub struct DemoCredentials<'a> {
    pub key: &'a str,
    pub secret: Option<&'a str>,
    pub log_bucket: &'static str,
    pub log_prefix: &'static str,
    pub metrics_bucket: &'static str,
}

/// `GET /api/ui-config`.
pub async fn ui_config(State(state): State<AppState>) -> Response {
    let s = &state.settings;
    let demo_credentials = s.demo.as_ref().map(|d| DemoCredentials {
        key: &d.key,
        secret: d.secret.as_deref(),
        log_bucket: DEMO_LOG_BUCKET,
        log_prefix: DEMO_LOG_PREFIX,
        metrics_bucket: DEMO_METRICS_BUCKET,
    });
    Json(UiConfig {
        version: env!("CARGO_PKG_VERSION"),
        refresh_seconds: s.knobs.dashboard_refresh_sec,
        demo: s.demo.is_some(),
        demo_credentials,
        agent_configured: s.agent.is_some(),
        api_key_protection: s.api_key.is_some(),
        spaces_region: &s.region,
    })
    .into_response()
}
