//! The upstream response body, streamed to the client; its S3 call is recorded when the
//! body ends, fails, or is dropped (the client went away).

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;

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
}

impl CallBody {
    pub fn new(inner: Incoming, call: CallInFlight) -> Self {
        Self {
            inner,
            call: Some(call),
            received: 0,
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
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(d) = frame.data_ref() {
                    this.received += d.len() as u64;
                }
                if this.inner.is_end_stream() {
                    this.finish();
                }
            }
            Poll::Ready(Some(Err(_)) | None) => this.finish(),
            Poll::Pending => {}
        }
        polled
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
