//! The first stop of every request: `/s3` paths go straight to the gateway's stages,
//! everything else to the axum router.
//!
//! The gateway is the hot path — every download of every tenant — and axum's shape
//! costs it: each `Router::layer` and `from_fn` middleware boxes and clones a service
//! and a future per request (`examples/bare_proxy.rs --layout axum`: ~1.3 µs a layer,
//! ~3 µs for the router itself). So the gateway's request runs the same stages as
//! every other route, as plain calls, in the same order: Mission Control's exchange
//! ([`http_stats`]) → request context → panic guard → the route (404 / 405) → the
//! gateway's rate limit → the [`operation`] → credentials ([`Verified`]) → path
//! parameters → the handler in [`api::gateway`](crate::api::gateway). What axum's router
//! adds at the top (an exact `Content-Length`, no body for `HEAD`, `Allow` on a 405) is
//! added here too; `tests.rs` holds the matching and those answers against a real
//! axum router.

mod routes;
#[cfg(test)]
mod tests;

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::task::{Context, Poll};

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Either};
use http::{HeaderValue, Method, header};
use http_body::Body as HttpBody;

use super::AppState;
use super::error::ApiError;
use super::operation::{self, OpFields, OpRoute};
use super::tenant::Verified;
use super::{http_stats, rate_limit, request_context};
use crate::api::gateway;
use routes::Target;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The whole application as one service: the gateway's dispatch in front of `router`.
#[derive(Clone)]
pub struct App {
    state: AppState,
    router: Router,
}

impl App {
    pub fn new(state: AppState, router: Router) -> Self {
        Self { state, router }
    }
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
        if !routes::is_gateway(req.uri().path()) {
            return Either::Right(self.router.call(req));
        }
        let state = self.state.clone();
        Either::Left(Box::pin(async move {
            Ok(gateway_request(state, req.map(Body::new)).await)
        }))
    }
}

/// A `/s3` request, through every stage.
async fn gateway_request(state: AppState, req: Request) -> Response {
    // The route borrows the path while the request moves on: a clone of the URI shares
    // its bytes (no copy of the path).
    let uri = req.uri().clone();
    let route = routes::find(uri.path());
    let head = req.method() == Method::HEAD;
    let op = route
        .as_ref()
        .and_then(|r| routes::operation(&r.target, req.method()));
    // `Allow` goes on the 405 of a method the route does not have, as axum's does.
    let allow = match (&route, op) {
        (Some(r), None) => Some(routes::allow(&r.target)),
        _ => None,
    };
    let template = route.as_ref().map(|r| r.template);
    let mut resp = http_stats::around(&state, template, req, |req| {
        request_context::around(&state, req, |req| guarded(&state, route, op, req))
    })
    .await;
    as_axum_answers(&mut resp, head, allow);
    resp
}

/// The route's answer, a panic turned into the 500 the rest of the app gives.
async fn guarded(
    state: &AppState,
    route: Option<routes::Route<'_>>,
    op: Option<OpRoute>,
    req: Request,
) -> Response {
    AssertUnwindSafe(routed(state, route, op, req))
        .catch_unwind()
        .await
        .unwrap_or_else(super::panic_response)
}

async fn routed(
    state: &AppState,
    route: Option<routes::Route<'_>>,
    op: Option<OpRoute>,
    req: Request,
) -> Response {
    let Some(route) = route else {
        return super::no_route().into_response();
    };
    let Some(op) = op else {
        return super::no_method().into_response();
    };
    if let Some(limited) = rate_limit::gateway_refusal(state, &req) {
        return limited;
    }
    let target = route.target;
    operation::around(state, op, req, |req| handle(state, target, req)).await
}

/// Credentials first, then the path's parameters, then the handler.
async fn handle(state: &AppState, target: Target<'_>, req: Request) -> Response {
    let (mut parts, body) = req.into_parts();
    let tenant = match Verified::from_request_parts(&mut parts, state).await {
        Ok(Verified(t)) => t,
        Err(e) => return e.into_response(),
    };
    let fields = parts
        .extensions
        .get::<OpFields>()
        .cloned()
        .unwrap_or_default();
    let answer = match target {
        Target::Buckets => gateway::list_buckets(state, &tenant, parts.headers).await,
        Target::Objects { bucket } => match decoded("bucket", bucket) {
            Ok(b) => gateway::list_objects(state, &tenant, &fields, &b, parts).await,
            Err(e) => Err(e),
        },
        Target::Object { bucket, key } => match (decoded("bucket", bucket), decoded("key", key)) {
            (Ok(b), Ok(k)) => gateway::object(state, &tenant, &fields, (&b, &k), parts, body).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
    };
    answer.into_response()
}

/// A path parameter percent-decoded, as axum's `Path` decodes it (and refuses it).
fn decoded(name: &str, raw: &str) -> Result<String, ApiError> {
    std::str::from_utf8(&crate::percent::decode_lenient(raw))
        .map(str::to_string)
        .map_err(|_| ApiError::bad_request(format!("Invalid URL: Invalid UTF-8 in `{name}`")))
}

/// What axum's router does to every answer it gives: `Allow` on the 405 of a method the
/// route lacks, an exact `Content-Length` when the body's size is known, no body for
/// `HEAD`.
fn as_axum_answers(resp: &mut Response, head: bool, allow: Option<&'static str>) {
    if let Some(allow) = allow {
        resp.headers_mut()
            .entry(header::ALLOW)
            .or_insert(HeaderValue::from_static(allow));
    }
    let length = resp.body().size_hint().exact();
    if let (false, Some(n)) = (resp.headers().contains_key(header::CONTENT_LENGTH), length) {
        resp.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    if head {
        *resp.body_mut() = Body::empty();
    }
}
