//! One connection's request state, for the read and write timeouts.
//!
//! hyper knows when it waits for a request head but does not say; the service knows when
//! a head is complete (it is called) and when a response ends (its body is dropped). So
//! the connection keeps a count of requests in flight: bytes that arrive while none is in
//! flight are the start of a head, and from then the head must be complete within the
//! header-read timeout, or reads fail with `TimedOut` and hyper closes the connection. A
//! new connection must send its first byte within the first-byte timeout, the same way.
//!
//! Writes: a write the client does not take (its window full, nothing read) may wait at
//! most the write timeout; then it fails with `TimedOut`, hyper closes the connection and
//! drops the response — a streamed gateway body, and the upstream connection under it,
//! with it. Any progress starts the wait over, so a slow reader is not cut off.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::response::Response;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

use crate::body::{Hooks, Observed};

const NO_HEAD: u64 = u64::MAX;

/// The timeouts of one connection.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub header: Duration,
    pub first_byte: Duration,
    pub write: Duration,
}

/// Shared by a connection's IO and its service.
#[derive(Debug)]
pub struct ConnState {
    timeouts: Timeouts,
    epoch: Instant,
    in_flight: AtomicUsize,
    /// Whether any byte arrived yet.
    spoke: AtomicBool,
    /// Microseconds after `epoch` when the current head's first byte arrived.
    head_started: AtomicU64,
}

impl ConnState {
    pub fn new(timeouts: Timeouts) -> Arc<Self> {
        Arc::new(Self {
            timeouts,
            epoch: Instant::now(),
            in_flight: AtomicUsize::new(0),
            spoke: AtomicBool::new(false),
            head_started: AtomicU64::new(NO_HEAD),
        })
    }

    /// A head was complete: the service was called.
    pub fn request_started(&self) {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_started.store(NO_HEAD, Ordering::Release);
    }

    fn request_finished(&self) {
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
    }

    fn bytes_arrived(&self) {
        self.spoke.store(true, Ordering::Release);
        if self.in_flight.load(Ordering::Acquire) == 0 {
            let now = self.epoch.elapsed().as_micros() as u64;
            let _ = self.head_started.compare_exchange(
                NO_HEAD,
                now,
                Ordering::AcqRel,
                Ordering::Acquire,
            );
        }
    }

    /// When the head being read must be complete, if one is being read — or, on a
    /// connection that has not said anything yet, when its first byte must have come.
    fn head_deadline(&self) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        match self.head_started.load(Ordering::Acquire) {
            NO_HEAD if self.spoke.load(Ordering::Acquire) => None,
            NO_HEAD => Some(self.epoch + self.timeouts.first_byte),
            us => Some(self.epoch + Duration::from_micros(us) + self.timeouts.header),
        }
    }
}

/// The connection's IO, failing reads once a started head (or a first byte) is overdue,
/// and writes the client has not taken for the write timeout.
pub struct Guarded<S> {
    inner: S,
    state: Arc<ConnState>,
    timer: Option<Pin<Box<Sleep>>>,
    /// Armed when a write waits for the client; disarmed by any progress.
    write_stall: Option<Pin<Box<Sleep>>>,
}

impl<S> Guarded<S> {
    pub fn new(inner: S, state: Arc<ConnState>) -> Self {
        Self {
            inner,
            state,
            timer: None,
            write_stall: None,
        }
    }

    /// A write (or flush) that `polled` Pending waits at most the write timeout.
    fn stalled<T>(
        &mut self,
        polled: Poll<io::Result<T>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<T>> {
        if !polled.is_pending() {
            self.write_stall = None;
            return polled;
        }
        let limit = self.state.timeouts.write;
        let stall = self
            .write_stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        match stall.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took none of the response in time",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

fn overdue() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "request head not complete in time")
}

impl<S: AsyncRead + Unpin> AsyncRead for Guarded<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.state.bytes_arrived();
        }
        let Some(deadline) = this.state.head_deadline() else {
            return polled;
        };
        if Instant::now() >= deadline {
            return Poll::Ready(Err(overdue()));
        }
        if polled.is_pending() {
            let deadline = tokio::time::Instant::from_std(deadline);
            let timer = this
                .timer
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
            timer.as_mut().reset(deadline);
            if timer.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Err(overdue()));
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Guarded<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.stalled(polled, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.stalled(polled, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.inner).poll_flush(cx);
        self.stalled(polled, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The response, whose body marks the request finished when it is dropped (fully sent,
/// or abandoned).
pub fn finish_with(resp: Response, state: Arc<ConnState>) -> Response {
    resp.map(|inner| Body::new(Observed::new(inner, Finishing(state))))
}

/// Marks the request finished when the body (and so these hooks) is dropped, whatever
/// the end was: a response is over for the connection only when hyper lets go of it.
struct Finishing(Arc<ConnState>);

impl Hooks for Finishing {
    type Error = axum::Error;
}

impl Drop for Finishing {
    fn drop(&mut self) {
        self.0.request_finished();
    }
}
