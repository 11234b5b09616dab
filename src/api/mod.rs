//! HTTP handlers, grouped by endpoint family. Each is thin: parse the input, call the
//! storage layer or the recorder, render JSON.

mod accesslog;
mod admin;
mod chat;
mod fleet;
pub(crate) mod gateway;
mod health;
mod mcp;
mod mission;
mod pages;
mod snapshots;
mod tenant_bucket;
mod tools;

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodRouter, any, get, post};

use crate::server::AppState;
use crate::server::admin_auth::{require_admin, require_metrics_auth};
use crate::server::body_guard;
use crate::server::error::ApiError;
use crate::server::operation::storage_route;
use crate::server::rate_limit::limit_api;
use crate::telemetry::OperationType as Op;

/// Every route of the application.
pub fn routes(state: &AppState) -> Router<AppState> {
    let public = Router::new()
        .route("/health", get(health::health))
        .route(
            "/metrics",
            get(health::prometheus)
                .route_layer(from_fn_with_state(state.clone(), require_metrics_auth)),
        )
        .merge(page_routes());
    let admin = Router::new()
        .route("/metrics/operations", get(admin::operations))
        .route("/logs/operations", get(admin::logs))
        .route("/stats", get(admin::stats))
        .route("/admin/api/mission-control", get(mission::overview))
        .route("/admin/api/timeseries", get(mission::timeseries))
        .route("/admin/api/events", get(mission::events))
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
        .merge(log_routes(state))
        .merge(snapshot_routes(state))
        .merge(agent_routes(state))
}

/// `/chat` (one `AI_QUERY` operation each) and `/mcp` (one operation per tool call, of the
/// tool's type), rate limited like the tools.
fn agent_routes(s: &AppState) -> Router<AppState> {
    let mcp = Router::new()
        .route_service(mcp::ROUTE, mcp::service(s))
        .route_layer(from_fn_with_state(s.clone(), mcp::require_credentials));
    Router::new()
        .route(
            "/chat",
            storage_route(post(chat::chat), s, Op::AiQuery, "/chat"),
        )
        .merge(mcp)
        .route_layer(from_fn_with_state(s.clone(), body_guard::guard))
        .route_layer(from_fn_with_state(s.clone(), limit_api))
}

/// The dashboard: pages, embedded assets and the page's view of the server's settings.
fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::dashboard))
        .route("/dashboard", get(pages::dashboard))
        .route("/config", get(pages::dashboard))
        .route("/admin", get(pages::admin))
        .route("/static/{name}", get(pages::asset))
        .route("/api/ui-config", get(pages::ui_config))
}

/// The access-log endpoints: one `QUERY_LOGS` operation each, rate limited like the tools.
fn log_routes(s: &AppState) -> Router<AppState> {
    let logs = |mr: MethodRouter<AppState>, route| storage_route(mr, s, Op::QueryLogs, route);
    Router::new()
        .route(
            "/logs/access/files",
            logs(get(accesslog::files), "/logs/access/files"),
        )
        .route(
            "/logs/access/read",
            logs(get(accesslog::read), "/logs/access/read"),
        )
        .route(
            "/logs/access/search",
            logs(get(accesslog::search), "/logs/access/search"),
        )
        .route(
            "/logs/access/object-audit",
            logs(get(accesslog::object_audit), "/logs/access/object-audit"),
        )
        .route(
            "/logs/access/hot-prefixes",
            logs(get(accesslog::hot_prefixes), "/logs/access/hot-prefixes"),
        )
        .route(
            "/logs/access/request-metrics",
            logs(
                get(accesslog::request_metrics),
                "/logs/access/request-metrics",
            ),
        )
        .route(
            "/metrics/top-ips",
            logs(get(accesslog::top_ips), "/metrics/top-ips"),
        )
        .route(
            "/plots/top-ips.png",
            logs(get(accesslog::top_ips_png), "/plots/top-ips.png"),
        )
        .route_layer(from_fn_with_state(s.clone(), limit_api))
}

/// The snapshot endpoints: one `QUERY_METRICS` operation each, rate limited like the tools.
fn snapshot_routes(s: &AppState) -> Router<AppState> {
    let m = |mr: MethodRouter<AppState>, route| storage_route(mr, s, Op::QueryMetrics, route);
    Router::new()
        .route(
            "/metrics/snapshot",
            m(post(snapshots::take), "/metrics/snapshot"),
        )
        .route(
            "/trigger-snapshot-all",
            m(post(snapshots::take_all), "/trigger-snapshot-all"),
        )
        .route(
            "/metrics/sources",
            m(get(snapshots::sources), "/metrics/sources"),
        )
        .route(
            "/metrics/series",
            m(get(snapshots::source_series), "/metrics/series"),
        )
        .route(
            "/metrics/aggregate-series",
            m(
                get(snapshots::aggregate_series),
                "/metrics/aggregate-series",
            ),
        )
        .route_layer(from_fn_with_state(s.clone(), limit_api))
}

async fn unknown_admin_route() -> ApiError {
    ApiError::not_found("Not Found")
}
