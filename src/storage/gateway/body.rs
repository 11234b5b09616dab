//! The upstream response body, streamed to the client; its S3 call is recorded when the
//! body ends, fails, stalls, or is dropped (the client went away).
//!
//! A body that delivers nothing for the no-progress timeout fails with [`BodyStalled`]:
//! a storage that sent its headers and then went quiet must not hold the client (and a
//! connection) forever.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::Sleep;

/// The upstream body delivered nothing for the no-progress timeout.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the storage stopped sending the body")]
pub struct BodyStalled;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

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
pub struct CallBody {
    inner: Incoming,
    call: Option<CallInFlight>,
    received: u64,
    idle: Duration,
    /// Fires when nothing arrived for `idle`; re-armed by every frame.
    stall: Pin<Box<Sleep>>,
}

impl CallBody {
    pub fn new(inner: Incoming, call: CallInFlight, idle: Duration) -> Self {
        Self {
            inner,
            call: Some(call),
            received: 0,
            idle,
            stall: Box::pin(tokio::time::sleep(idle)),
        }
    }

    fn finish(&mut self) {
        if let Some(call) = self.call.take() {
            call.finish(self.received);
        }
    }
}

impl HttpBody for CallBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(d) = frame.data_ref() {
                    this.received += d.len() as u64;
                }
                if this.inner.is_end_stream() {
                    this.finish();
                } else {
                    let next = tokio::time::Instant::now() + this.idle;
                    this.stall.as_mut().reset(next);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                this.finish();
                Poll::Ready(Some(Err(e.into())))
            }
            Poll::Ready(None) => {
                this.finish();
                Poll::Ready(None)
            }
            Poll::Pending => match this.stall.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    if let Some(call) = &mut this.call {
                        call.error = Some(BodyStalled.to_string());
                    }
                    this.finish();
                    Poll::Ready(Some(Err(Box::new(BodyStalled))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for CallBody {
    fn drop(&mut self) {
        self.finish();
    }
}
