//! Body wrappers: count request bytes; record a streamed response when it really ends.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};

use super::{Outcome, PendingOperation};
use crate::telemetry::HttpMethod;

/// Counts the request body bytes the handler reads.
pub(crate) struct CountIn {
    inner: Body,
    counter: Arc<AtomicU64>,
}

impl CountIn {
    pub(crate) fn new(inner: Body, counter: Arc<AtomicU64>) -> Self {
        Self { inner, counter }
    }
}

impl HttpBody for CountIn {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(data) = frame.data_ref()
        {
            self.counter.fetch_add(data.len() as u64, Ordering::Relaxed);
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

/// A streamed response body that records its operation at end of stream, on a body
/// error, or when dropped early (the client went away).
pub(crate) struct RecordOut {
    inner: Body,
    draft: Option<PendingOperation>,
    status: u16,
    error: Option<Arc<str>>,
    sent: u64,
    first_byte: Option<Duration>,
}

impl RecordOut {
    pub(crate) fn new(
        inner: Body,
        draft: PendingOperation,
        status: u16,
        error: Option<Arc<str>>,
    ) -> Self {
        Self {
            inner,
            draft: Some(draft),
            status,
            error,
            sent: 0,
            first_byte: None,
        }
    }

    fn finish(&mut self, failed: Option<&axum::Error>) {
        let Some(draft) = self.draft.take() else {
            return;
        };
        let (status, error) = match failed {
            // The status line already went out; the operation still failed.
            Some(e) if stalled(e) => (504, Some(Arc::from("upstream body stalled mid-stream"))),
            Some(_) => (502, Some(Arc::from("upstream body failed mid-stream"))),
            None => (self.status, self.error.take()),
        };
        draft.finish(Outcome {
            status,
            error,
            bytes_out: self.sent,
            first_byte: self.first_byte,
        });
    }
}

/// Whether a body error is the storage going quiet (a timeout: 504), not failing.
fn stalled(e: &axum::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<crate::storage::gateway::BodyStalled>() {
            return true;
        }
        source = s.source();
    }
    false
}

impl HttpBody for RecordOut {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    if this.first_byte.is_none() {
                        this.first_byte = this.draft.as_ref().map(|d| d.ctx.start.elapsed());
                    }
                    this.sent += data.len() as u64;
                }
                if this.inner.is_end_stream() {
                    this.finish(None);
                }
            }
            Poll::Ready(Some(Err(e))) => this.finish(Some(e)),
            Poll::Ready(None) => this.finish(None),
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

impl Drop for RecordOut {
    fn drop(&mut self) {
        if let Some(draft) = self.draft.take() {
            // A HEAD answer's body is never sent (HTTP says so; the router and hyper
            // drop it): that is its normal end, not a client that went away.
            if self.inner.is_end_stream() || draft.method == HttpMethod::Head {
                draft.finish(Outcome {
                    status: self.status,
                    error: self.error.take(),
                    bytes_out: self.sent,
                    first_byte: self.first_byte,
                });
            } else {
                draft.cancelled(self.sent, self.first_byte);
            }
        }
    }
}
