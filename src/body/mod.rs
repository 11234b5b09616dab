//! The one observed body: an `http_body::Body` that hands each event of the body it wraps
//! to [`Hooks`] and ends exactly once — at the end of the stream, on an error, or when it
//! is dropped first — the shape of tower-http's trace body (`OnBodyChunk`, `OnEos`,
//! `OnFailure`) with linkerd2-proxy's single `end_stream` for poll, trailers and drop.
//!
//! Every body wrapper that only watches (counts bytes, records an operation, times a
//! stall, checks a digest, marks progress) is an `Observed<_, SomeHooks>`; wrappers that
//! change the frames (de-chunking, re-framing) are bodies of their own.
//!
//! A leaf module: it imports nothing of the crate, so every layer may use it.
//!
//! The order of events, per poll of the inner body:
//!
//! | inner body gives                | hooks called                                       |
//! |---------------------------------|----------------------------------------------------|
//! | a frame                         | `on_frame`; then, if the inner body is at its end, `on_eos` and `on_end(Complete)` |
//! | its end (`None`)                | `on_eos` and `on_end(Complete)` (unless ended)     |
//! | an error                        | `on_end(Failed)`                                   |
//! | nothing yet (`Pending`)         | `on_pending` (a timer may fail the body)           |
//! | — (the body is dropped unended) | `on_end(Dropped)`                                  |
//!
//! An error a hook returns takes the place of what the inner body gave and ends the body
//! with `on_end(Failed)`.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};

/// How an observed body ended; each body ends once.
#[derive(Debug)]
pub enum End<'a, E> {
    /// The inner body ended and every hook accepted it.
    Complete,
    /// The inner body or a hook failed with this error, which goes on to the reader.
    Failed(&'a E),
    /// Dropped before it ended: the reader went away. `at_end` says whether the inner
    /// body had nothing left to give (a HEAD answer, a reader that stopped at the last
    /// frame).
    Dropped { at_end: bool },
}

/// What an observed body does at each event; every method has a do-nothing default.
pub trait Hooks {
    /// The error of the observed body (the inner body's errors convert into it).
    type Error;

    /// A frame, before it goes on; an error fails the body in its place.
    fn on_frame(&mut self, _frame: &Frame<Bytes>) -> Result<(), Self::Error> {
        Ok(())
    }

    /// The inner body has nothing yet; `Ready(e)` fails the body with `e` (a timer fired).
    fn on_pending(&mut self, _cx: &mut Context<'_>) -> Poll<Self::Error> {
        Poll::Pending
    }

    /// The inner body is at its end, before that end goes on; an error fails the body.
    fn on_eos(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }

    /// Exactly once: how the body ended.
    fn on_end(&mut self, _end: End<'_, Self::Error>) {}
}

/// A body observed by hooks.
pub struct Observed<B: HttpBody, H: Hooks> {
    inner: B,
    hooks: H,
    ended: bool,
}

impl<B: HttpBody, H: Hooks> Observed<B, H> {
    pub fn new(inner: B, hooks: H) -> Self {
        Self {
            inner,
            hooks,
            ended: false,
        }
    }

    fn end(&mut self, end: End<'_, H::Error>) {
        if !std::mem::replace(&mut self.ended, true) {
            self.hooks.on_end(end);
        }
    }

    fn fail(&mut self, e: H::Error) -> Poll<Option<Result<Frame<Bytes>, H::Error>>> {
        self.end(End::Failed(&e));
        Poll::Ready(Some(Err(e)))
    }

    /// The inner body is at its end: `on_eos`, then the end, unless a hook refuses it.
    fn at_eos(&mut self) -> Result<(), H::Error> {
        if self.ended {
            return Ok(());
        }
        self.hooks.on_eos()?;
        self.end(End::Complete);
        Ok(())
    }
}

impl<B, H> HttpBody for Observed<B, H>
where
    B: HttpBody<Data = Bytes> + Unpin,
    B::Error: Into<H::Error>,
    H: Hooks + Unpin,
{
    type Data = Bytes;
    type Error = H::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, H::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let Err(e) = this.hooks.on_frame(&frame) {
                    return this.fail(e);
                }
                if this.inner.is_end_stream()
                    && let Err(e) = this.at_eos()
                {
                    return this.fail(e);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => match this.at_eos() {
                Ok(()) => Poll::Ready(None),
                Err(e) => this.fail(e),
            },
            Poll::Ready(Some(Err(e))) => this.fail(e.into()),
            Poll::Pending => match this.hooks.on_pending(cx) {
                Poll::Ready(e) => this.fail(e),
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

impl<B: HttpBody, H: Hooks> Drop for Observed<B, H> {
    fn drop(&mut self) {
        let at_end = self.inner.is_end_stream();
        self.end(End::Dropped { at_end });
    }
}

#[cfg(test)]
mod tests;
