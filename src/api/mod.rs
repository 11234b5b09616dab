//! HTTP handlers, grouped by endpoint family. Each is thin: parse the input, call the
//! storage layer or the recorder, render JSON.

mod admin;
mod health;
mod tools;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{any, get, post};

use crate::server::AppState;
use crate::server::admin_auth::require_admin;
use crate::server::error::ApiError;
use crate::server::operation::storage_route;
use crate::server::rate_limit::limit_api;
use crate::telemetry::OperationType as Op;

/// Every route of the application.
pub fn routes(state: &AppState) -> Router<AppState> {
    let public = Router::new()
        .route("/health", get(health::health))
        .route("/metrics", get(health::prometheus));
    let admin = Router::new()
        .route("/metrics/operations", get(admin::operations))
        .route("/logs/operations", get(admin::logs))
        .route("/stats", get(admin::stats))
        .route("/admin/api/{*rest}", any(unknown_admin_route))
        .route_layer(from_fn_with_state(state.clone(), require_admin));
    let s = state;
    let tools = Router::new()
        .route(
            "/tools/buckets",
            storage_route(get(tools::buckets), s, Op::ListBuckets, "/tools/buckets"),
        )
        .route(
            "/tools/list-all",
            storage_route(get(tools::list_all), s, Op::ListObjects, "/tools/list-all"),
        )
        .route(
            "/tools/storage-summary",
            storage_route(
                get(tools::storage_summary),
                s,
                Op::AnalyzeStorage,
                "/tools/storage-summary",
            ),
        )
        .route(
            "/tools/top-largest",
            storage_route(
                get(tools::top_largest),
                s,
                Op::AnalyzeStorage,
                "/tools/top-largest",
            ),
        )
        .route(
            "/tools/recent-objects",
            storage_route(
                get(tools::recent_objects),
                s,
                Op::AnalyzeStorage,
                "/tools/recent-objects",
            ),
        )
        .route(
            "/validate-credentials",
            storage_route(
                post(tools::validate_credentials),
                s,
                Op::ListBuckets,
                "/validate-credentials",
            ),
        )
        .route_layer(from_fn_with_state(state.clone(), limit_api));
    public.merge(admin).merge(tools)
}

async fn unknown_admin_route() -> ApiError {
    ApiError::not_found("Not Found")
}
