//! The operation's two body hooks (on [`crate::body::Observed`]): count the request bytes
//! the handler reads; record a streamed response when it really ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use http_body::Frame;

use super::{Outcome, PendingOperation};
use crate::body::{End, Hooks, Observed};
use crate::telemetry::HttpMethod;

/// Counts the request body bytes the handler reads.
pub(crate) fn count_in(inner: Body, counter: Arc<AtomicU64>) -> Body {
    Body::new(Observed::new(inner, CountIn(counter)))
}

struct CountIn(Arc<AtomicU64>);

impl Hooks for CountIn {
    type Error = axum::Error;

    fn on_frame(&mut self, frame: &Frame<Bytes>) -> Result<(), axum::Error> {
        if let Some(data) = frame.data_ref() {
            self.0.fetch_add(data.len() as u64, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// A streamed response body that records its operation at end of stream, on a body
/// error, or when dropped early (the client went away).
pub(crate) fn record_out(
    inner: Body,
    draft: PendingOperation,
    status: u16,
    error: Option<Arc<str>>,
) -> Body {
    let hooks = RecordOut {
        draft: Some(draft),
        status,
        error,
        sent: 0,
        first_byte: None,
    };
    Body::new(Observed::new(inner, hooks))
}

struct RecordOut {
    draft: Option<PendingOperation>,
    status: u16,
    error: Option<Arc<str>>,
    sent: u64,
    first_byte: Option<Duration>,
}

impl RecordOut {
    fn outcome(&mut self, status: u16, error: Option<Arc<str>>) -> Outcome {
        Outcome {
            status,
            error,
            bytes_out: self.sent,
            first_byte: self.first_byte,
        }
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

impl Hooks for RecordOut {
    type Error = axum::Error;

    fn on_frame(&mut self, frame: &Frame<Bytes>) -> Result<(), axum::Error> {
        if let Some(data) = frame.data_ref() {
            if self.first_byte.is_none() {
                self.first_byte = self.draft.as_ref().map(|d| d.ctx.start.elapsed());
            }
            self.sent += data.len() as u64;
        }
        Ok(())
    }

    fn on_end(&mut self, end: End<'_, axum::Error>) {
        let Some(draft) = self.draft.take() else {
            return;
        };
        let outcome = match end {
            // The status line already went out; the operation still failed.
            End::Failed(e) if stalled(e) => {
                self.outcome(504, Some(Arc::from("upstream body stalled mid-stream")))
            }
            End::Failed(_) => self.outcome(502, Some(Arc::from("upstream body failed mid-stream"))),
            // A HEAD answer's body is never sent (HTTP says so; the router and hyper drop
            // it): that is its normal end, not a client that went away.
            End::Dropped { at_end: false } if draft.method != HttpMethod::Head => {
                draft.cancelled(self.sent, self.first_byte);
                return;
            }
            End::Complete | End::Dropped { .. } => {
                let error = self.error.take();
                self.outcome(self.status, error)
            }
        };
        draft.finish(outcome);
    }
}
