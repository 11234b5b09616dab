//! The gateway: the S3 REST API, path-style, under `/s3` on the main port and at `/` of
//! the S3 listener (`--s3-listen`). Every request is forwarded to the store as the client
//! sent it, or refused with an S3 error (`error`) before anything is sent — never
//! half-forwarded — and is one operation named by the S3 API it is
//! ([`crate::telemetry::s3::api`]).
//!
//! Its requests skip axum's router — the gateway is the hot path, every download of
//! every tenant, and each `Router::layer` and `from_fn` middleware boxes and clones a
//! service and a future per request — and run the stages of [`crate::server::stages`] as
//! plain calls, in the order written there: [`stages::outer`] → the route (`routes`) →
//! [`stages::storage`] under the gateway's limit (and the API's, for an anonymous
//! client) → who is asking (`auth`) → the request forwarded (`forward`). An error made
//! by a shared stage (a 429, a 500) reaches the client as S3 XML too. What axum's router
//! adds at the top (an exact `Content-Length`, no body for `HEAD`) is added here too.

mod auth;
pub mod credentials;
mod error;
mod forward;
mod routes;
#[cfg(test)]
mod tests;

use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, header};
use http_body::Body as HttpBody;

use crate::server::AppState;
use crate::server::operation::{OpFields, OpRoute};
use crate::server::stages::{self, Limit};
use crate::telemetry::s3::api::{self, S3Api};
pub use error::S3Error;
use routes::Route;
pub use routes::{Mount, is_gateway};

/// A gateway request, through every stage.
pub async fn request(state: AppState, mount: Mount, req: Request) -> Response {
    // The route borrows the path while the request moves on: a clone of the URI shares
    // its bytes (no copy of the path).
    let uri = req.uri().clone();
    let route = routes::find(uri.path(), mount);
    let head = req.method() == Method::HEAD;
    let expects_continue = req
        .headers()
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let anonymous = auth::is_anonymous(req.headers(), uri.query());
    let template = route.as_ref().map(|r| r.template);
    let api = route.as_ref().map(|r| name(r, &req));
    let resp = stages::outer(&state, template, req, |req| {
        matched(&state, route, api, anonymous, req)
    })
    .await;
    let mut resp = error::as_s3_error(resp).await;
    as_axum_answers(&mut resp, head);
    if expects_continue && !resp.status().is_success() {
        // The client waited for a 100 Continue that never came and may not have sent its
        // body: the connection cannot be reused (its next bytes could be either).
        resp.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    resp
}

/// The S3 API a request is, and whether S3 defines its method on its resource at all.
fn name(route: &Route<'_>, req: &Request) -> (S3Api, bool) {
    let h = req.headers();
    let r = api::Request {
        method: req.method(),
        bucket: route.bucket.is_some(),
        key: route.key.is_some(),
        query: req.uri().query().unwrap_or(""),
        copy_source: h.contains_key("x-amz-copy-source"),
        form: h
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"multipart/form-data")),
    };
    (api::classify(&r), api::is_defined(&r))
}

/// Stage 4 has matched: the storage stages around who is asking and the forwarding.
async fn matched(
    state: &AppState,
    route: Option<Route<'_>>,
    api: Option<(S3Api, bool)>,
    anonymous: bool,
    req: Request,
) -> Response {
    let (Some(route), Some((api, defined))) = (route, api) else {
        return stages::no_route().into_response();
    };
    let op = OpRoute {
        operation: api.operation_type(),
        route: route.template,
        s3: Some(api),
    };
    let limit = if anonymous {
        Limit::Anonymous
    } else {
        Limit::Gateway
    };
    stages::storage(state, limit, op, req, |req, fields| async move {
        if !defined {
            // Not S3: refused, no operation, nothing sent.
            return S3Error::new(
                http::StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                "The specified method is not allowed against this resource",
            )
            .into_response();
        }
        handle(state, route, api, fields, req).await
    })
    .await
}

/// Who is asking, then the request forwarded.
async fn handle(
    state: &AppState,
    route: Route<'_>,
    api: S3Api,
    fields: OpFields,
    req: Request,
) -> Response {
    let (mut parts, body) = req.into_parts();
    let caller = match auth::authenticate(state, &mut parts, &fields).await {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    match forward::handle(state, &route, api, caller, &fields, parts, body).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

/// What axum's router does to every answer it gives: an exact `Content-Length` when the
/// body's size is known, no body for `HEAD`.
fn as_axum_answers(resp: &mut Response, head: bool) {
    let length = resp.body().size_hint().exact();
    if let (false, Some(n)) = (resp.headers().contains_key(header::CONTENT_LENGTH), length) {
        resp.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    if head {
        *resp.body_mut() = Body::empty();
    }
}
