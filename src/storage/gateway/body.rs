//! The upstream response body, streamed to the client; its S3 call is recorded when the
//! body ends, fails, stalls, or is dropped (the client went away).
//!
//! A body that delivers nothing for the no-progress timeout fails with [`BodyStalled`]:
//! a storage that sent its headers and then went quiet must not hold the client (and a
//! connection) forever.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::Frame;
use hyper::body::Incoming;
use tokio::time::Sleep;

/// The upstream body delivered nothing for the no-progress timeout.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the storage stopped sending the body")]
pub struct BodyStalled;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

use crate::body::{End, Hooks, Observed};
use crate::telemetry::Recorder;
use crate::telemetry::otel::spans::CallSpan;
use crate::telemetry::s3::{S3Api, S3Call};

/// An S3 call whose response headers have arrived.
pub struct CallInFlight {
    pub recorder: Arc<Recorder>,
    pub api: S3Api,
    pub bucket: Option<Arc<str>>,
    pub status: Option<u16>,
    /// When the call started (for TotalRequestLatency).
    pub started: Instant,
    /// Complete request to response headers (FirstByteLatency).
    pub first_byte: Option<Duration>,
    pub bytes_up: u64,
    /// The call's client span, ended with the call.
    pub span: CallSpan,
    /// `x-amz-request-id` of the response, for the span.
    pub request_id: Option<String>,
    /// Why no response came back, for the span.
    pub error: Option<String>,
}

impl CallInFlight {
    /// Records the call with `bytes_down` received.
    pub fn finish(self, bytes_down: u64) {
        self.span.end(
            self.status,
            self.request_id.as_deref(),
            self.error.as_deref(),
        );
        let call = S3Call {
            api: self.api,
            bucket: self.bucket,
            status: self.status,
            first_byte: self.first_byte,
            total: self.started.elapsed(),
            bytes_up: self.bytes_up,
            bytes_down,
            ended_at: self.recorder.now(),
            trace_id: None,
        };
        self.recorder.record_s3(&call);
    }
}

/// Streams `Incoming` and records the call at its end.
pub fn call_body(
    inner: Incoming,
    call: CallInFlight,
    idle: Duration,
) -> Observed<Incoming, CallHooks> {
    let hooks = CallHooks {
        call: Some(call),
        received: 0,
        idle,
        stall: Box::pin(tokio::time::sleep(idle)),
    };
    Observed::new(inner, hooks)
}

/// The hooks of [`call_body`]: bytes received, the no-progress timer, the call's record.
pub struct CallHooks {
    call: Option<CallInFlight>,
    received: u64,
    idle: Duration,
    /// Fires when nothing arrived for `idle`; re-armed by every frame.
    stall: Pin<Box<Sleep>>,
}

impl Hooks for CallHooks {
    type Error = BoxError;

    fn on_frame(&mut self, frame: &Frame<Bytes>) -> Result<(), BoxError> {
        if let Some(d) = frame.data_ref() {
            self.received += d.len() as u64;
        }
        let next = tokio::time::Instant::now() + self.idle;
        self.stall.as_mut().reset(next);
        Ok(())
    }

    fn on_pending(&mut self, cx: &mut Context<'_>) -> Poll<BoxError> {
        ready!(self.stall.as_mut().poll(cx));
        if let Some(call) = &mut self.call {
            call.error = Some(BodyStalled.to_string());
        }
        Poll::Ready(Box::new(BodyStalled))
    }

    fn on_end(&mut self, _end: End<'_, BoxError>) {
        if let Some(call) = self.call.take() {
            call.finish(self.received);
        }
    }
}
