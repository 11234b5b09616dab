//! A request body whose SHA-256 the client declared (`x-amz-content-sha256`): hashed as
//! it streams, and checked when its last byte (by the declared length) arrives — before
//! that byte is handed on, so a body that does not match never completes the upload. A
//! body streamed without a length (`Transfer-Encoding: chunked`) is checked at its end,
//! before its terminating chunk goes on: the upload is cut just the same.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};
use sha2::{Digest, Sha256};

use super::chunked::ChunkError;

/// The message of a body that does not match its declared hash.
pub const MISMATCH: &str = "the body does not match x-amz-content-sha256";

/// The checked body.
pub struct Sha256Checked {
    inner: Body,
    hasher: Sha256,
    expected: [u8; 32],
    /// The declared length; `None` for a body streamed without one.
    length: Option<u64>,
    seen: u64,
}

impl Sha256Checked {
    /// `expected_hex` is a 64-digit hex SHA-256; `length` the body's declared length.
    pub fn new(inner: Body, expected_hex: &str, length: Option<u64>) -> Option<Self> {
        let mut expected = [0u8; 32];
        hex::decode_to_slice(expected_hex, &mut expected).ok()?;
        Some(Self {
            inner,
            hasher: Sha256::new(),
            expected,
            length,
            seen: 0,
        })
    }

    fn verify(&mut self) -> Result<(), axum::Error> {
        let got = std::mem::take(&mut self.hasher).finalize();
        match got[..] == self.expected[..] {
            true => Ok(()),
            false => Err(axum::Error::new(ChunkError(MISMATCH))),
        }
    }
}

impl HttpBody for Sha256Checked {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled
            && let Some(d) = frame.data_ref()
        {
            let before = this.seen;
            this.hasher.update(d);
            this.seen += d.len() as u64;
            if let Some(length) = this.length
                && before < length
                && this.seen >= length
                && let Err(e) = this.verify()
            {
                return Poll::Ready(Some(Err(e)));
            }
        }
        let unchecked = match this.length {
            Some(length) => length == 0 && this.seen == 0,
            None => true,
        };
        if let Poll::Ready(None) = &polled
            && unchecked
            && let Err(e) = this.verify()
        {
            return Poll::Ready(Some(Err(e)));
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

#[cfg(test)]
mod tests;
