//! How far an upload has got, so the timeout measures silence rather than size.
//!
//! A 5 GiB PUT may take minutes; what must not last longer than `S3_TIMEOUT_SEC` is a
//! stretch in which nothing moves: no request byte taken by the storage and no response.
//! Whose silence it was is known too: when the storage last asked for more of the body
//! and the client had none to give, the client stopped sending (a 408, not the storage's
//! timeout).
//! The end of the request body also starts CloudWatch's FirstByteLatency ("from the
//! complete request being received").

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use bytes::Bytes;
use http_body::Frame;

use crate::body::{End, Hooks, Observed};

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
pub fn progress_body(inner: Body, progress: Arc<Progress>) -> Body {
    Body::new(Observed::new(inner, Marks(progress)))
}

/// The hooks of [`progress_body`]: every poll says whether the client had nothing to
/// give; every frame is progress; the end is when the request was complete.
struct Marks(Arc<Progress>);

impl Hooks for Marks {
    type Error = axum::Error;

    fn on_frame(&mut self, _frame: &Frame<Bytes>) -> Result<(), axum::Error> {
        self.0.starved.store(false, Ordering::Relaxed);
        self.0.mark(&self.0.last_us);
        Ok(())
    }

    fn on_pending(&mut self, _cx: &mut Context<'_>) -> Poll<axum::Error> {
        self.0.starved.store(true, Ordering::Relaxed);
        Poll::Pending
    }

    fn on_end(&mut self, end: End<'_, axum::Error>) {
        match end {
            End::Complete => {
                self.0.mark(&self.0.last_us);
                self.0.mark(&self.0.done_us);
            }
            End::Failed(_) => self.0.starved.store(false, Ordering::Relaxed),
            End::Dropped { .. } => {}
        }
    }
}
