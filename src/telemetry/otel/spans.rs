//! The spans SpaceWatch makes: one SERVER span per storage operation and one CLIENT span
//! per upstream S3 call (and one per agent tool call), with the semantic-convention attributes.
//!
//! Spans are `tracing` spans bridged by tracing-opentelemetry; with export off they are
//! disabled and every call here is a no-op. Attributes are set through
//! `OpenTelemetrySpanExt` rather than declared fields, because most are only known when
//! the operation ends. A failed storage operation (status ≥ 400) sets the server span's
//! status to Error: SpaceWatch counts it as an error in its error rate, and the trace
//! should say the same thing the metrics say.

use http::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{Status, TraceContextExt};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::telemetry::operation::{
    Fingerprint, HttpMethod, OperationType, TraceId, is_error_status,
};
use crate::telemetry::s3::S3Api;

/// The server span of one storage operation.
#[derive(Debug, Clone)]
pub struct ServerSpan(Span);

/// What the request said, for the server span.
pub struct Incoming<'a> {
    pub method: HttpMethod,
    pub route: &'static str,
    pub operation: OperationType,
    pub path: &'a str,
    pub headers: &'a HeaderMap,
}

/// How the operation ended, for the server span.
pub struct Ended<'a> {
    pub status: u16,
    pub error: Option<&'a str>,
    pub bucket: Option<&'a str>,
    pub tenant: Option<Fingerprint>,
    pub bytes_in: u64,
    pub bytes_out: u64,
}

impl ServerSpan {
    /// Starts the span, continuing the caller's trace when a `traceparent` came in.
    /// Returns the span's trace id when tracing is on.
    pub fn start(r: &Incoming<'_>) -> (Self, Option<TraceId>) {
        // format_args: nothing is formatted when tracing is off.
        let span = tracing::info_span!(
            "storage_operation",
            otel.name = %format_args!("{} {}", r.method.as_str(), r.route),
            otel.kind = "server"
        );
        if span.is_disabled() {
            return (Self(span), None);
        }
        let parent = TraceContextPropagator::new().extract(&Headers(r.headers));
        if parent.span().span_context().is_valid() {
            let _ = span.set_parent(parent);
        }
        span.set_attribute("http.request.method", r.method.as_str());
        span.set_attribute("http.route", r.route);
        span.set_attribute("url.path", r.path.to_string());
        span.set_attribute("url.scheme", "http");
        span.set_attribute("spacewatch.operation.type", r.operation.as_str());
        if let Some(ua) = r
            .headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
        {
            span.set_attribute("user_agent.original", ua.to_string());
        }
        let trace = span.context().span().span_context().clone();
        let id = trace
            .is_valid()
            .then(|| TraceId(trace.trace_id().to_bytes()));
        (Self(span), id)
    }

    /// The span to enter while the handler runs (S3 call spans become its children).
    pub fn span(&self) -> &Span {
        &self.0
    }

    /// Ends the span of a request refused before it became an operation (no or rejected
    /// credentials): its status only, no tenant or bucket.
    pub fn refused(self, status: u16) {
        let span = self.0;
        if !span.is_disabled() {
            span.set_attribute("http.response.status_code", i64::from(status));
            span.set_attribute("spacewatch.refused", true);
        }
    }

    /// Sets the outcome; the span ends when the last handle to it is dropped.
    pub fn end(self, e: &Ended<'_>) {
        let span = self.0;
        if span.is_disabled() {
            return;
        }
        span.set_attribute("http.response.status_code", i64::from(e.status));
        span.set_attribute("http.request.body.size", e.bytes_in as i64);
        span.set_attribute("http.response.body.size", e.bytes_out as i64);
        if let Some(b) = e.bucket {
            span.set_attribute("aws.s3.bucket", b.to_string());
        }
        if let Some(t) = e.tenant {
            span.set_attribute("spacewatch.tenant", t.to_string());
        }
        if is_error_status(e.status) {
            span.set_attribute("error.type", e.status.to_string());
            span.set_status(Status::error(
                e.error.unwrap_or("request failed").to_string(),
            ));
        }
    }
}

/// The client span of one upstream S3 call.
#[derive(Debug, Clone)]
pub struct CallSpan(Span);

/// The request of an S3 call, for its span. Bucket, key, host and port are read from
/// the (path-style) URI only when tracing is on: with it off, a call costs nothing here.
pub struct Call<'a> {
    pub api: S3Api,
    pub method: &'a str,
    pub uri: &'a str,
    pub region: Option<&'a str>,
}

impl CallSpan {
    /// Starts a child of the current span (the operation's server span) in OTel terms.
    pub fn start(c: &Call<'_>) -> Self {
        // The OTel parent is set explicitly and the tracing span has none: a tracing
        // child keeps its parent open until it closes, and when it closes outside the
        // request's dispatch scope (a streamed body ending in hyper's task) that
        // release goes to the wrong dispatcher and the server span never ends.
        let span = tracing::info_span!(
            parent: None,
            "s3_call",
            otel.name = %format_args!("S3.{}", c.api.as_str()),
            otel.kind = "client"
        );
        if span.is_disabled() {
            return Self(span);
        }
        let _ = span.set_parent(Span::current().context());
        span.set_attribute("rpc.system", "aws-api");
        span.set_attribute("rpc.service", "S3");
        span.set_attribute("rpc.method", c.api.as_str());
        span.set_attribute("http.request.method", c.method.to_string());
        let uri = c.uri.parse::<http::Uri>().ok();
        let (bucket, key) = uri
            .as_ref()
            .map_or((None, None), |u| bucket_and_key(u.path()));
        let text = [
            ("aws.s3.bucket", bucket),
            ("aws.s3.key", key),
            (
                "server.address",
                uri.as_ref().and_then(|u| u.host().map(str::to_string)),
            ),
            ("cloud.region", c.region.map(str::to_string)),
        ];
        for (k, v) in text {
            if let Some(v) = v {
                span.set_attribute(k, v);
            }
        }
        if let Some(p) = uri.as_ref().and_then(port_of) {
            span.set_attribute("server.port", i64::from(p));
        }
        Self(span)
    }

    /// Whether the span records anything (tracing on); callers skip work for it if not.
    pub fn is_enabled(&self) -> bool {
        !self.0.is_disabled()
    }

    /// Sets the outcome; `status` is `None` when no response came back.
    pub fn end(self, status: Option<u16>, request_id: Option<&str>, error: Option<&str>) {
        let span = self.0;
        if span.is_disabled() {
            return;
        }
        if let Some(id) = request_id {
            span.set_attribute("aws.request_id", id.to_string());
        }
        match status {
            Some(s) => {
                span.set_attribute("http.response.status_code", i64::from(s));
                if s >= 400 {
                    span.set_attribute("error.type", s.to_string());
                    span.set_status(Status::error(error.unwrap_or("").to_string()));
                }
            }
            None => {
                span.set_attribute("error.type", "no_response");
                span.set_status(Status::error(error.unwrap_or("no response").to_string()));
            }
        }
    }
}

/// The span of one agent tool call (GenAI semantic conventions: `execute_tool {name}`),
/// a child of the current span like [`CallSpan`]; S3 calls the tool makes nest under it.
#[derive(Debug, Clone)]
pub struct ToolSpan(Span);

impl ToolSpan {
    pub fn start(tool: &'static str) -> Self {
        let span = tracing::info_span!(
            parent: None,
            "tool_call",
            otel.name = %format_args!("execute_tool {tool}"),
            otel.kind = "internal"
        );
        if span.is_disabled() {
            return Self(span);
        }
        let _ = span.set_parent(Span::current().context());
        span.set_attribute("gen_ai.operation.name", "execute_tool");
        span.set_attribute("gen_ai.tool.name", tool);
        span.set_attribute("gen_ai.tool.type", "function");
        Self(span)
    }

    /// The model's id of this call (`gen_ai.tool.call.id`), when a model made it.
    pub fn call_id(&self, id: &str) {
        if !self.0.is_disabled() {
            self.0.set_attribute("gen_ai.tool.call.id", id.to_string());
        }
    }

    /// The span to enter while the tool runs.
    pub fn span(&self) -> &Span {
        &self.0
    }

    /// Ends the call; `error` sets the status.
    pub fn end(self, error: Option<&str>) {
        if let Some(e) = error.filter(|_| !self.0.is_disabled()) {
            self.0.set_attribute("error.type", "tool_error");
            self.0.set_status(Status::error(e.to_string()));
        }
    }
}

fn port_of(u: &http::Uri) -> Option<u16> {
    u.port_u16().or(match u.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    })
}

/// Bucket and (percent-decoded) key of a path-style request path.
fn bucket_and_key(path: &str) -> (Option<String>, Option<String>) {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let bucket = parts.next().filter(|b| !b.is_empty()).map(str::to_string);
    let key = parts.next().filter(|k| !k.is_empty()).map(|k| {
        crate::percent::decode_strict(k).map_or_else(|| k.to_string(), |d| d.into_owned())
    });
    (bucket, key)
}

/// Headers as the propagator reads them.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(http::HeaderName::as_str).collect()
    }
}

#[cfg(test)]
mod tests;
