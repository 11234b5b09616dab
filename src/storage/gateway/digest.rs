//! A request body whose SHA-256 the client declared (`x-amz-content-sha256`): hashed as
//! it streams, and checked when its last byte (by the declared length) arrives — before
//! that byte is handed on, so a body that does not match never completes the upload. A
//! body streamed without a length (`Transfer-Encoding: chunked`) is checked at its end,
//! before its terminating chunk goes on: the upload is cut just the same.

use axum::body::Body;
use bytes::Bytes;
use http_body::Frame;
use sha2::{Digest, Sha256};

use super::chunked::ChunkError;
use crate::body::{Hooks, Observed};

/// The message of a body that does not match its declared hash.
pub const MISMATCH: &str = "the body does not match x-amz-content-sha256";

/// The body `inner` checked against `expected_hex` (a 64-digit hex SHA-256), whose
/// declared length is `length` (`None`: streamed without one); `None` for a bad hex.
pub fn sha256_checked(inner: Body, expected_hex: &str, length: Option<u64>) -> Option<Body> {
    let mut expected = [0u8; 32];
    hex::decode_to_slice(expected_hex, &mut expected).ok()?;
    let hooks = Sha256Hooks {
        hasher: Some(Sha256::new()),
        expected,
        length,
        seen: 0,
    };
    Some(Body::new(Observed::new(inner, hooks)))
}

struct Sha256Hooks {
    /// Taken when the body has been checked.
    hasher: Option<Sha256>,
    expected: [u8; 32],
    length: Option<u64>,
    seen: u64,
}

impl Sha256Hooks {
    fn verify(&mut self) -> Result<(), axum::Error> {
        let Some(hasher) = self.hasher.take() else {
            return Ok(());
        };
        match hasher.finalize()[..] == self.expected[..] {
            true => Ok(()),
            false => Err(axum::Error::new(ChunkError(MISMATCH))),
        }
    }
}

impl Hooks for Sha256Hooks {
    type Error = axum::Error;

    /// Hashes the data; the frame that brings the declared length is checked before it
    /// goes on.
    fn on_frame(&mut self, frame: &Frame<Bytes>) -> Result<(), axum::Error> {
        let (Some(d), Some(hasher)) = (frame.data_ref(), self.hasher.as_mut()) else {
            return Ok(());
        };
        hasher.update(d);
        self.seen += d.len() as u64;
        match self.length {
            Some(length) if self.seen >= length => self.verify(),
            _ => Ok(()),
        }
    }

    /// A body without a length (or an empty one) is checked at its end.
    fn on_eos(&mut self) -> Result<(), axum::Error> {
        self.verify()
    }
}

#[cfg(test)]
mod tests;
