//! One operation that is not a route of its own: an MCP tool call, whose operation type
//! depends on the tool named in the request body. It is recorded exactly like a storage
//! route — server span, admission through [`OpFields`], one [`Operation`] — from inside
//! the MCP handler, which runs in a task of the MCP server (so the OTel dispatch is set
//! here again).
//!
//! [`Operation`]: crate::telemetry::Operation

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use http::request::Parts;
use serde_json::Value;
use tracing::Instrument;
use tracing::instrument::WithSubscriber;

use super::{CancelOnDrop, OpFields, OpRoute, Outcome, PendingOperation};
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::telemetry::operation::{MAX_ERROR_TEXT, bounded_text};

/// Runs `run` as one operation of `route`'s type; `bytes_in` is the size of what the
/// client sent for it. `run` admits the request (or not) through the [`OpFields`] it gets.
pub async fn recorded<F, Fut>(
    state: &AppState,
    parts: &Parts,
    route: OpRoute,
    bytes_in: u64,
    run: F,
) -> Result<Value, ApiError>
where
    F: FnOnce(OpFields) -> Fut,
    Fut: Future<Output = Result<Value, ApiError>>,
{
    let call = record(state, parts, route, bytes_in, run);
    match state.otel.dispatch() {
        Some(d) => call.with_subscriber(d.clone()).await,
        None => call.await,
    }
}

async fn record<F, Fut>(
    state: &AppState,
    parts: &Parts,
    route: OpRoute,
    bytes_in: u64,
    run: F,
) -> Result<Value, ApiError>
where
    F: FnOnce(OpFields) -> Fut,
    Fut: Future<Output = Result<Value, ApiError>>,
{
    let (mut ctx, method, span) = super::begin(state, parts, route);
    // The call starts now, not when its HTTP request did.
    ctx.start = Instant::now();
    ctx.started_at = state.recorder.now();
    let running = span.span().clone();
    let fields = OpFields::default();
    let mut pending = CancelOnDrop(Some(PendingOperation {
        recorder: state.recorder.clone(),
        counters: state.counters.clone(),
        ctx,
        route,
        method,
        fields: fields.clone(),
        bytes_in: Arc::new(AtomicU64::new(bytes_in)),
        span,
    }));
    let result = run(fields).instrument(running).await;
    if let Some(draft) = pending.0.take() {
        let outcome = match &result {
            Ok(v) => Outcome {
                status: 200,
                error: None,
                bytes_out: v.to_string().len() as u64,
                first_byte: None,
            },
            Err(e) => Outcome {
                status: e.status.as_u16(),
                error: Some(Arc::from(bounded_text(&e.detail, MAX_ERROR_TEXT))),
                bytes_out: e.detail.len() as u64,
                first_byte: None,
            },
        };
        draft.finish(outcome);
    }
    result
}
