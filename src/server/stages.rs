//! The stages every request runs through, in order — the one place the order is written.
//! Both ways in call these functions: the axum router's middleware and the gateway's
//! dispatch (both in the `api` layer above, which builds the application).
//!
//! ```text
//!  request ──► 1 Mission Control exchange ─► 2 request context ─► 3 panic guard
//!                    (outer: every request, pages and 404s included)
//!          ──► 4 route: path and method matched ─────────────────────► 404 / 405
//!          ──► 5 rate limit (per client; the API's or the gateway's) ─► 429
//!          ──► 6 operation: one Operation record from here on
//!          ──► 7 credentials: the tenant, before anything else is read ► 400 / 401 / 403
//!          ──► 8 handler
//!  response ◄── 6 records it (at the body's end when streamed) ◄── 2 adds ids and timing
//!           ◄── 1 counts it
//! ```
//!
//! Stages 1–3 are [`outer`]; 4 is the router (or the dispatch's matcher); 5–6 are
//! [`storage`]; 7 is the handler's first extractor ([`credentials`](super::credentials))
//! or the gateway's authentication. A request refused at 5 is never an operation; one
//! refused at 7 is counted as refused, not as an operation.

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;

use super::AppState;
use super::error::ApiError;
use super::operation::{self, OpFields as OperationFields, OpRoute};
pub use super::rate_limit::Limit;
use super::rate_limit::rate_limited;
use super::{http_stats, request_context};

/// Stages 1–3 around `inner`: the exchange under `route` (the template; `None` when no
/// route matched), the request context, and a panic turned into a 500.
pub async fn outer<F>(
    state: &AppState,
    route: Option<&str>,
    req: Request,
    inner: impl FnOnce(Request) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    http_stats::around(state, route, req, |req| {
        request_context::around(state, req, |req| async move {
            AssertUnwindSafe(inner(req))
                .catch_unwind()
                .await
                .unwrap_or_else(panic_response)
        })
    })
    .await
}

/// Stages 5–6 around `inner`: the rate limit, then the operation of `op` (whose fields
/// `inner` fills in as it authorises the request).
pub async fn storage<F>(
    state: &AppState,
    limit: Limit,
    op: OpRoute,
    req: Request,
    inner: impl FnOnce(Request, OperationFields) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    if let Some(refused) = rate_limited(state, limit, &req) {
        return refused;
    }
    operation::around(state, op, req, inner).await
}

/// Marks a response no route answered (stage 4's 404 and 405): Mission Control counts it
/// under the one `<unmatched>` key, whatever template the path resembled.
#[derive(Debug, Clone, Copy)]
pub struct Unrouted;

fn unrouted(e: ApiError) -> Response {
    let mut resp = e.into_response();
    resp.extensions_mut().insert(Unrouted);
    resp
}

/// The answer to a path no route has (stage 4).
pub fn no_route() -> Response {
    unrouted(ApiError::not_found("Not Found"))
}

/// The answer to a method the route lacks (stage 4).
pub fn no_method() -> Response {
    unrouted(ApiError::new(
        http::StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
    ))
}

/// The answer to a panic below stage 3.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("Internal server error").into_response()
}
