//! The application: the route table and the service that answers every request.
//!
//! Every request runs the stages of [`server::stages`](crate::server::stages), in the
//! order written there. `/s3` requests — the hot path — go straight to the gateway's
//! dispatch ([`gateway`](super::gateway)), which calls the stages as plain functions;
//! everything else goes through axum's router, whose middleware calls the same ones:
//! [`outermost`] (stages 1–3) around the router (4), and one layer per storage route
//! ([`storage_route`], stages 5–6) around its handler (7–8).

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::{MethodRouter, any, get, post};
use bytes::Bytes;
use futures_util::future::{BoxFuture, Either};
use http_body::Body as HttpBody;

use super::gateway::Mount;
use super::{
    accesslog, admin, chat, fleet, gateway, health, mcp, mission, pages, snapshots, tools,
};
use crate::server::AppState;
use crate::server::admin_auth::{require_admin, require_metrics_auth};
use crate::server::body_guard;
use crate::server::error::ApiError;
use crate::server::operation::OpRoute;
use crate::server::rate_limit::limit_api;
use crate::server::stages::{self, Limit};
use crate::telemetry::OperationType as Op;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Largest request body accepted outside the gateway.
const MAX_JSON_BODY: usize = 1024 * 1024;

/// The whole application as one service (tests call it without a socket): the
/// gateway's dispatch in front of the axum router of every other route.
pub fn app(state: AppState) -> App {
    let router = routes(&state)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // One `Router::layer` with the stack inside: each `layer` call boxes every route
        // again, and a boxed route is cloned for every request.
        .layer(
            tower::ServiceBuilder::new()
                .layer(from_fn_with_state(state.clone(), outermost))
                .layer(DefaultBodyLimit::max(MAX_JSON_BODY)),
        )
        .with_state(state.clone());
    App { state, router }
}

/// The application as one service: `/s3` paths to the gateway, the rest to `router`.
#[derive(Clone)]
pub struct App {
    state: AppState,
    router: Router,
}

impl<B> tower::Service<http::Request<B>> for App
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<
        BoxFuture<'static, Result<Response, Infallible>>,
        <Router as tower::Service<http::Request<B>>>::Future,
    >;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // Both sides are always ready (axum's router says so of itself).
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        if !gateway::is_gateway(req.uri().path()) {
            return Either::Right(self.router.call(req));
        }
        let state = self.state.clone();
        Either::Left(Box::pin(async move {
            Ok(gateway::request(state, Mount::S3, req.map(Body::new)).await)
        }))
    }
}

/// The S3 listener's application (`--s3-listen`): every path is the gateway's, at `/`.
pub fn s3_app(state: AppState) -> S3App {
    S3App { state }
}

/// The gateway at the root of its own listener, for tools that take no path in their
/// endpoint (s3cmd, mc, restic).
#[derive(Clone)]
pub struct S3App {
    state: AppState,
}

impl<B> tower::Service<http::Request<B>> for S3App
where
    B: HttpBody<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let state = self.state.clone();
        Box::pin(async move { Ok(gateway::request(state, Mount::Root, req.map(Body::new)).await) })
    }
}

/// Stages 1–3 as the router's outermost middleware: the route is known by now.
async fn outermost(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .cloned();
    let route = route.as_ref().map(axum::extract::MatchedPath::as_str);
    stages::outer(&state, route, req, |req| next.run(req)).await
}

/// Makes the routes of `mr` one storage operation each, of type `operation`, under the
/// API's rate limit: stages 5–6 as one middleware.
fn storage_route(
    mr: MethodRouter<AppState>,
    state: &AppState,
    operation: Op,
    route: &'static str,
) -> MethodRouter<AppState> {
    let op = OpRoute::new(operation, route);
    mr.route_layer(from_fn_with_state(
        (state.clone(), op),
        |State((state, op)): State<(AppState, OpRoute)>, req: Request, next: Next| async move {
            stages::storage(&state, Limit::Api, op, req, |req, _| next.run(req)).await
        },
    ))
}

async fn not_found() -> Response {
    stages::no_route()
}

async fn method_not_allowed() -> Response {
    stages::no_method()
}

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
        );
    // Not an operation: it reads nothing of the store beyond the credential check.
    let credentials = Router::new()
        .route("/gateway/credentials", post(gateway::credentials::issue))
        .route_layer(from_fn_with_state(state.clone(), limit_api));
    public
        .merge(admin)
        .merge(tools)
        .merge(credentials)
        .merge(log_routes(state))
        .merge(snapshot_routes(state))
        .merge(agent_routes(state))
}

/// `/chat` (one `AI_QUERY` operation each) and `/mcp` (one operation per tool call, of the
/// tool's type), rate limited like the tools.
fn agent_routes(s: &AppState) -> Router<AppState> {
    // /mcp: the rate limit, the body guard, Origin and Host, the credentials; each tool call is
    // an operation of its own (in the MCP service). /chat: the body guard inside its
    // operation, so a stalled body is recorded as the 400 the client gets.
    let mcp = Router::new()
        .route_service(mcp::ROUTE, mcp::service(s))
        .route_layer(from_fn_with_state(s.clone(), mcp::require_credentials))
        .route_layer(from_fn_with_state(s.clone(), mcp::check_origin))
        .route_layer(from_fn_with_state(s.clone(), body_guard::guard))
        .route_layer(from_fn_with_state(s.clone(), limit_api));
    let guarded_chat =
        post(chat::chat).route_layer(from_fn_with_state(s.clone(), body_guard::guard));
    Router::new()
        .route(
            "/chat",
            storage_route(guarded_chat, s, Op::AiQuery, "/chat"),
        )
        .merge(mcp)
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
}

async fn unknown_admin_route() -> ApiError {
    ApiError::not_found("Not Found")
}
