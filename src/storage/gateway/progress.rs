//! How far an upload has got, so the timeout measures silence rather than size.
//!
//! A 5 GiB PUT may take minutes; what must not last longer than `S3_TIMEOUT_SEC` is a
//! stretch in which nothing moves: no request byte taken by the storage and no response.
//! Whose silence it was is known too: when the storage last asked for more of the body
//! and the client had none to give, the client stopped sending (a 408, not the storage's
//! timeout).
//! The end of the request body also starts CloudWatch's FirstByteLatency ("from the
//! complete request being received").

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};

/// Progress of one upstream request.
#[derive(Debug)]
pub struct Progress {
    start: Instant,
    /// Microseconds after `start` of the last body progress.
    last_us: AtomicU64,
    /// Microseconds after `start` when the body ended (`u64::MAX`: not yet).
    done_us: AtomicU64,
    /// The body's last poll found the client with nothing to send.
    starved: AtomicBool,
}

impl Progress {
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            start: Instant::now(),
            last_us: AtomicU64::new(0),
            done_us: AtomicU64::new(u64::MAX),
            starved: AtomicBool::new(false),
        })
    }

    fn mark(&self, slot: &AtomicU64) {
        slot.store(self.start.elapsed().as_micros() as u64, Ordering::Relaxed);
    }

    /// Time since anything moved.
    pub fn idle(&self) -> Duration {
        let last = Duration::from_micros(self.last_us.load(Ordering::Relaxed));
        self.start.elapsed().saturating_sub(last)
    }

    /// When the request was complete: the end of its body, or its start when it had none
    /// (or the body was never read).
    pub fn complete_at(&self) -> Instant {
        match self.done_us.load(Ordering::Relaxed) {
            u64::MAX => self.start,
            us => self.start + Duration::from_micros(us),
        }
    }

    pub fn start(&self) -> Instant {
        self.start
    }

    /// Whether the storage is waiting for request bytes the client has not sent.
    pub fn client_starved(&self) -> bool {
        self.starved.load(Ordering::Relaxed)
    }
}

/// The request body, reporting progress as the storage takes it.
pub struct ProgressBody {
    inner: Body,
    progress: Arc<Progress>,
}

impl ProgressBody {
    pub fn new(inner: Body, progress: Arc<Progress>) -> Self {
        Self { inner, progress }
    }
}

impl HttpBody for ProgressBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        let starved = polled.is_pending();
        this.progress.starved.store(starved, Ordering::Relaxed);
        match &polled {
            Poll::Ready(Some(Ok(_))) => {
                this.progress.mark(&this.progress.last_us);
                if this.inner.is_end_stream() {
                    this.progress.mark(&this.progress.done_us);
                }
            }
            Poll::Ready(None) => {
                this.progress.mark(&this.progress.last_us);
                this.progress.mark(&this.progress.done_us);
            }
            Poll::Ready(Some(Err(_))) | Poll::Pending => {}
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
