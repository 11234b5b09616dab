//! HTTP handlers, grouped by endpoint family. Each is thin: parse the input, call the
//! storage layer or the recorder, render JSON.

mod admin;
mod fleet;
mod gateway;
mod health;
mod tools;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, any, delete, get, head, post, put};

use crate::server::AppState;
use crate::server::admin_auth::require_admin;
use crate::server::error::ApiError;
use crate::server::operation::storage_route;
use crate::server::rate_limit::{limit_api, limit_gateway};
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
        .route("/fleet/operations", get(fleet::operations))
        .route("/fleet/timeseries", get(fleet::timeseries))
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
    public
        .merge(admin)
        .merge(tools)
        .merge(gateway_routes(state))
}

/// `/s3/…`, with the gateway's own rate limit.
fn gateway_routes(s: &AppState) -> Router<AppState> {
    const OBJECT: &str = "/s3/{bucket}/{*key}";
    let object = |mr: MethodRouter<AppState>, op| storage_route(mr, s, op, OBJECT);
    let buckets = storage_route(get(gateway::list_buckets), s, Op::ListBuckets, "/s3/");
    let objects = storage_route(
        get(gateway::list_objects),
        s,
        Op::ListObjects,
        "/s3/{bucket}",
    );
    Router::new()
        .route("/s3", buckets.clone())
        .route("/s3/", buckets)
        .route("/s3/{bucket}", objects.clone())
        .route("/s3/{bucket}/", objects)
        .route(
            OBJECT,
            object(get(gateway::object), Op::GetObject)
                .merge(object(put(gateway::object), Op::PutObject))
                .merge(object(head(gateway::object), Op::HeadObject))
                .merge(object(delete(gateway::object), Op::DeleteObject)),
        )
        .route_layer(from_fn_with_state(s.clone(), limit_gateway))
}

async fn unknown_admin_route() -> ApiError {
    ApiError::not_found("Not Found")
}
