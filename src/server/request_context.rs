//! Request id, trace id and timing: the outermost middleware.
//!
//! Every response carries `X-Request-Id` (the caller's, when it is a sane token, else a
//! new unique one) and `X-Request-Duration-Ms` (two decimals). An incoming W3C
//! `traceparent` is continued; otherwise a new trace id is made, so every log line and
//! `/logs/operations` entry can be joined to a trace.

use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue};
use tracing::instrument::WithSubscriber;

use super::AppState;
use super::error::ApiError;
use crate::telemetry::{RequestId, TraceId, UnixTime};

// Header names as `HeaderName` constants: inserting by `&str` copies a non-standard
// name into a new allocation on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
pub const DURATION: HeaderName = HeaderName::from_static("x-request-duration-ms");

/// What every later stage knows about the request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: RequestId,
    pub trace_id: TraceId,
    pub start: Instant,
    pub started_at: UnixTime,
}

impl RequestContext {
    /// Reads the caller's ids from the headers, making new ones where needed.
    pub fn from_headers(h: &HeaderMap, now: UnixTime) -> Self {
        let request_id = h
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .and_then(RequestId::new)
            .unwrap_or_else(new_request_id);
        let parent = h
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_traceparent);
        Self {
            request_id,
            trace_id: parent.map(|p| p.0).unwrap_or_else(new_trace_id),
            start: Instant::now(),
            started_at: now,
        }
    }
}

/// `req-` and 32 hex digits, written into a stack buffer (no `format!` per request).
fn new_request_id() -> RequestId {
    let mut buf = [0u8; 36];
    buf[..4].copy_from_slice(b"req-");
    uuid::Uuid::new_v4().simple().encode_lower(&mut buf[4..]);
    let id = std::str::from_utf8(&buf).unwrap_or_else(|_| unreachable!("ASCII"));
    RequestId::new(id).unwrap_or_else(|| unreachable!("36 ASCII bytes fit"))
}

fn new_trace_id() -> TraceId {
    TraceId(*uuid::Uuid::new_v4().as_bytes())
}

/// `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`; all-zero ids are invalid.
pub fn parse_traceparent(v: &str) -> Option<(TraceId, [u8; 8])> {
    let parts: Vec<&str> = v.trim().split('-').collect();
    let [version, trace, span, flags] = parts.as_slice() else {
        return None;
    };
    if version.len() != 2 || *version == "ff" || flags.len() != 2 {
        return None;
    }
    let mut t = [0u8; 16];
    let mut s = [0u8; 8];
    hex::decode_to_slice(trace, &mut t).ok()?;
    hex::decode_to_slice(span, &mut s).ok()?;
    if t == [0; 16] || s == [0; 8] || trace.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some((TraceId(t), s))
}

/// `12.34` — the header format of durations, written into the buffer the header value
/// then owns (one allocation, no copy).
pub fn duration_header(d: Duration) -> HeaderValue {
    use std::fmt::Write;
    let mut text = bytes::BytesMut::with_capacity(16);
    let _ = write!(text, "{:.2}", d.as_secs_f64() * 1000.0);
    HeaderValue::from_maybe_shared(text.freeze()).unwrap_or(HeaderValue::from_static("0.00"))
}

/// The stage: puts a [`RequestContext`] on the request and the headers on the response
/// of `inner` (run with [`http_stats`](super::http_stats) as one middleware by the
/// application, `api::app`, and directly by the gateway's dispatch).
pub async fn around<F>(
    state: &AppState,
    mut req: Request,
    inner: impl FnOnce(Request) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    let ctx = RequestContext::from_headers(req.headers(), state.recorder.now());
    req.extensions_mut().insert(ctx.clone());
    // Spans are made under this server's own dispatch (nothing global), so the
    // request's future runs with it as the default.
    let resp = match state.otel.dispatch() {
        Some(d) => inner(req).with_subscriber(d.clone()).await,
        None => inner(req).await,
    };
    let mut resp = json_errors(resp).await;
    let h = resp.headers_mut();
    if !h.contains_key(DURATION) {
        h.insert(DURATION, duration_header(ctx.start.elapsed()));
    }
    if let Ok(v) = HeaderValue::from_str(&ctx.request_id) {
        h.insert(REQUEST_ID, v);
    }
    resp
}

/// Errors are JSON everywhere: an error response without a content type or in plain text
/// (from the framework: a body limit, an extractor) becomes `{"detail": "..."}`.
/// Responses with another content type (an S3 XML error from the gateway) pass through.
async fn json_errors(resp: Response) -> Response {
    let status = resp.status();
    let plain = resp
        .headers()
        .get(http::header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !(status.is_client_error() || status.is_server_error()) || !plain {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_string();
    let detail = if text.is_empty() {
        status.canonical_reason().unwrap_or("Error").to_string()
    } else {
        text
    };
    let mut out = ApiError::new(status, detail).into_response();
    for (k, v) in &parts.headers {
        if k != http::header::CONTENT_TYPE && k != http::header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests;
