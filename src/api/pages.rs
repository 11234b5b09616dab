//! The dashboard pages, their embedded assets, and `GET /api/ui-config` — what the page
//! needs to know about this server (refresh interval, demo mode, agent).

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderName, HeaderValue};
use serde_json::{Value, json};

use crate::demo::{DEMO_BUCKETS, DEMO_LOG_BUCKET, DEMO_LOG_PREFIX};
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

/// `GET /api/ui-config`.
pub async fn ui_config(State(state): State<AppState>) -> Json<Value> {
    let s = &state.settings;
    let demo = s.demo.as_ref().map(|d| {
        json!({
            "key": d.key,
            "secret": d.secret,
            "log_bucket": DEMO_LOG_BUCKET,
            "log_prefix": DEMO_LOG_PREFIX,
            "metrics_bucket": DEMO_BUCKETS[2],
        })
    });
    Json(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "refresh_seconds": s.knobs.dashboard_refresh_sec,
        "demo": s.demo.is_some(),
        "demo_credentials": demo,
        "agent_configured": s.agent.is_some(),
        "api_key_protection": s.api_key.is_some(),
        "spaces_region": s.region,
    }))
}
