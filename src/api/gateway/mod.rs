//! The gateway: the S3 REST API, path-style, under `/s3`. Its requests skip axum's
//! router — the gateway is the hot path, every download of every tenant, and each
//! `Router::layer` and `from_fn` middleware boxes and clones a service and a future per
//! request — and run the stages of [`crate::server::stages`] as plain calls, in the order
//! written there: [`stages::outer`] → the route (`routes`: 404 / 405) →
//! [`stages::storage`] under the gateway's limit → credentials ([`Verified`]) → path
//! parameters → the handler (`forward`). What axum's router adds at the top (an exact
//! `Content-Length`, no body for `HEAD`, `Allow` on a 405) is added here too;
//! `tests.rs` holds the matching and those answers against a real axum router.

mod forward;
mod routes;
#[cfg(test)]
mod tests;

use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, header};
use http_body::Body as HttpBody;

use crate::server::AppState;
use crate::server::credentials::Verified;
use crate::server::error::ApiError;
use crate::server::operation::{OpFields, OpRoute};
use crate::server::stages::{self, Limit};
use routes::Target;
pub use routes::is_gateway;

/// A `/s3` request, through every stage.
pub async fn request(state: AppState, req: Request) -> Response {
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
    let mut resp = stages::outer(&state, template, req, |req| {
        matched(&state, route.map(|r| r.target), op, req)
    })
    .await;
    as_axum_answers(&mut resp, head, allow);
    resp
}

/// Stage 4 has matched: 404 or 405, or the storage stages around the handler.
async fn matched(
    state: &AppState,
    target: Option<Target<'_>>,
    op: Option<OpRoute>,
    req: Request,
) -> Response {
    let Some(target) = target else {
        return stages::no_route().into_response();
    };
    let Some(op) = op else {
        return stages::no_method().into_response();
    };
    stages::storage(state, Limit::Gateway, op, req, |req| {
        handle(state, target, req)
    })
    .await
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
        Target::Buckets => forward::list_buckets(state, &tenant, parts.headers).await,
        Target::Objects { bucket } => match decoded("bucket", bucket) {
            Ok(b) => forward::list_objects(state, &tenant, &fields, &b, parts).await,
            Err(e) => Err(e),
        },
        Target::Object { bucket, key } => match (decoded("bucket", bucket), decoded("key", key)) {
            (Ok(b), Ok(k)) => forward::object(state, &tenant, &fields, (&b, &k), parts, body).await,
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
