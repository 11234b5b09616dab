//! The operation layer: turns one storage request into exactly one [`Operation`].
//!
//! It wraps a storage route. The handler tells it the bucket and tenant through
//! [`OpFields`] (a request extension); the response tells it status and error text
//! ([`ErrorText`]). A response with a complete body is recorded as it leaves the handler,
//! and its `X-Request-Duration-Ms` is the recorded duration. A response marked
//! [`Streamed`] is recorded when its body ends — or is dropped, because a client that
//! goes away mid-body is an outcome (status 499), not a lost sample. A handler future
//! dropped before it answered is recorded the same way. A request never admitted (see
//! [`OpFields`]) is counted as refused instead, and is no operation.

mod body;
mod call;
mod fields;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use http::HeaderValue;
use http_body::Body as _;

pub use call::recorded;
use fields::Admission;
pub use fields::OpFields;

use super::AppState;
use super::request_context::{DURATION, RequestContext, duration_header};
pub use crate::telemetry::operation::{CLIENT_CLOSED, Streamed};
use crate::telemetry::operation::{ErrorText, MAX_ERROR_TEXT, bounded_text};
use crate::telemetry::otel::spans::{Ended, Incoming, ServerSpan};
use crate::telemetry::prom::AppCounters;
use crate::telemetry::s3::S3Api;
use crate::telemetry::{HttpMethod, Operation, OperationType, Recorder};
use tracing::Instrument;

pub const OPERATION_TYPE: http::HeaderName = http::HeaderName::from_static("x-operation-type");

/// Which operation a route is, and its template for logs.
#[derive(Debug, Clone, Copy)]
pub struct OpRoute {
    pub operation: OperationType,
    pub route: &'static str,
    /// The S3 API of a gateway request.
    pub s3: Option<S3Api>,
}

impl OpRoute {
    /// An operation that is no S3 API of its own.
    pub const fn new(operation: OperationType, route: &'static str) -> Self {
        Self {
            operation,
            route,
            s3: None,
        }
    }
}

/// Everything but the outcome; finishing it records the operation exactly once.
pub(crate) struct PendingOperation {
    recorder: Arc<Recorder>,
    counters: AppCounters,
    ctx: RequestContext,
    route: OpRoute,
    method: HttpMethod,
    fields: OpFields,
    bytes_in: Arc<AtomicU64>,
    span: ServerSpan,
}

/// The outcome of a request, as far as the response body goes.
pub(crate) struct Outcome {
    pub status: u16,
    pub error: Option<Arc<str>>,
    pub bytes_out: u64,
    pub first_byte: Option<Duration>,
}

impl PendingOperation {
    /// Records the operation and returns its duration — or, for a request never
    /// admitted, counts the refusal and returns `None`.
    pub(crate) fn finish(self, o: Outcome) -> Option<Duration> {
        let duration = self.ctx.start.elapsed();
        let (bucket, named, tenant) = match self.fields.take() {
            Admission::Admitted {
                bucket,
                named,
                tenant,
            } => (bucket, named, tenant),
            Admission::Refused(why) => {
                self.counters.refused(why);
                self.span.refused(o.status);
                return None;
            }
        };
        let attributed = bucket.is_some();
        let bytes_in = self.bytes_in.load(Ordering::Relaxed);
        self.span.end(&Ended {
            status: o.status,
            error: o.error.as_deref(),
            bucket: bucket.as_deref(),
            tenant,
            bytes_in,
            bytes_out: o.bytes_out,
        });
        self.recorder.record(Operation {
            started_at: self.ctx.started_at,
            operation: self.route.operation,
            method: self.method,
            route: self.route.route,
            bucket,
            tenant,
            status: o.status,
            duration,
            bytes_in,
            bytes_out: o.bytes_out,
            first_byte: o.first_byte,
            error: o.error,
            s3_api: self.route.s3,
            named_bucket: if attributed { None } else { named },
            request_id: self.ctx.request_id,
            trace_id: self.ctx.trace_id,
        });
        Some(duration)
    }

    pub(crate) fn cancelled(self, bytes_out: u64, first_byte: Option<Duration>) {
        self.finish(Outcome {
            status: CLIENT_CLOSED,
            error: Some(Arc::from("client closed the connection")),
            bytes_out,
            first_byte,
        });
    }
}

/// Records a cancellation if the handler's future is dropped before it answers.
struct CancelOnDrop(Option<PendingOperation>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(d) = self.0.take() {
            d.cancelled(0, None);
        }
    }
}

/// The request's context and the server span of an operation of `route`, started now.
/// With tracing on, the span's trace id is the one logs and /logs/operations show (the
/// caller's, when a traceparent came in: the span continues it).
fn begin(
    state: &AppState,
    parts: &http::request::Parts,
    route: OpRoute,
) -> (RequestContext, HttpMethod, ServerSpan) {
    let mut ctx = match parts.extensions.get::<RequestContext>() {
        Some(c) => c.clone(),
        None => RequestContext::from_headers(&parts.headers, state.recorder.now()),
    };
    let method = HttpMethod::from(&parts.method);
    let (span, trace_id) = ServerSpan::start(&Incoming {
        method,
        route: route.route,
        operation: route.operation,
        path: parts.uri.path(),
        headers: &parts.headers,
    });
    if let Some(id) = trace_id {
        ctx.trace_id = id;
    }
    (ctx, method, span)
}

/// The operation of `req` around `inner` (the handler): the layer's work, callable
/// without a `from_fn` layer (the gateway's dispatch calls it directly).
pub(crate) async fn around<F>(
    state: &AppState,
    route: OpRoute,
    req: Request,
    inner: impl FnOnce(Request, OpFields) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    let (mut parts, body) = req.into_parts();
    let (ctx, method, span) = begin(state, &parts, route);
    let running = span.span().clone();
    let fields = OpFields::default();
    // Handlers behind axum's extractors find it in the request; direct callers (the
    // gateway) get it as an argument.
    parts.extensions.insert(fields.clone());
    let handed = fields.clone();
    let bytes_in = Arc::new(AtomicU64::new(0));
    let body = body::count_in(body, bytes_in.clone());
    let mut pending = CancelOnDrop(Some(PendingOperation {
        recorder: state.recorder.clone(),
        counters: state.counters.clone(),
        ctx,
        route,
        method,
        fields,
        bytes_in,
        span,
    }));
    let resp = inner(Request::from_parts(parts, body), handed)
        .instrument(running)
        .await;
    match pending.0.take() {
        Some(draft) => complete(draft, resp),
        None => resp,
    }
}

fn complete(draft: PendingOperation, mut resp: Response) -> Response {
    let status = resp.status();
    let error = resp
        .extensions()
        .get::<ErrorText>()
        .map(|e| Arc::from(bounded_text(&e.0, MAX_ERROR_TEXT)))
        .or_else(|| {
            (status.as_u16() >= 400)
                .then(|| Arc::from(status.canonical_reason().unwrap_or("error")))
        });
    if draft.fields.is_admitted() {
        resp.headers_mut().insert(
            OPERATION_TYPE,
            HeaderValue::from_static(draft.route.operation.as_str()),
        );
    }
    if resp.extensions().get::<Streamed>().is_some() {
        return resp.map(|b| body::record_out(b, draft, status.as_u16(), error));
    }
    let outcome = Outcome {
        status: status.as_u16(),
        error,
        bytes_out: resp.body().size_hint().exact().unwrap_or(0),
        first_byte: None,
    };
    if let Some(duration) = draft.finish(outcome) {
        resp.headers_mut()
            .insert(DURATION, duration_header(duration));
    }
    resp
}
