//! The chunk signatures of a signed aws-chunked upload, checked as it streams.
//!
//! Each chunk signs `AWS4-HMAC-SHA256-PAYLOAD`, the request time, the scope, the previous
//! signature (the first "previous" is the request's own), the hash of the empty string
//! and the hash of the chunk's data; the trailer (`…-TRAILER` variant) signs the trailing
//! headers the same way. A chunk whose signature does not match fails the body before
//! its data completes the upload (see [`super`]): nothing is committed.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::decoder::{ChunkError, ChunkSignatures};
use crate::storage::sigv4::Key;

/// Why a chunk was refused: its signature is not the client's.
pub const SIGNATURE_MISMATCH: &str = "chunk signature does not match";

/// SHA-256 of the empty string, hex.
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The signing state of one upload.
pub struct ChunkSigner {
    key: Key,
    amz_date: String,
    scope: String,
    previous: String,
    data: Sha256,
    /// The body is the `…-TRAILER` variant: its trailer must be signed.
    trailer: bool,
}

impl ChunkSigner {
    /// `seed` is the request's own signature; `key` the client's signing key.
    pub fn new(key: Key, amz_date: &str, scope: &str, seed: &str, trailer: bool) -> Self {
        Self {
            key,
            amz_date: amz_date.into(),
            scope: scope.into(),
            previous: seed.into(),
            data: Sha256::new(),
            trailer,
        }
    }

    fn check(&mut self, kind: &str, last: &str, got: Option<&str>) -> Result<(), ChunkError> {
        let to_sign = [
            kind,
            "\n",
            &self.amz_date,
            "\n",
            &self.scope,
            "\n",
            &self.previous,
            "\n",
            last,
        ]
        .concat();
        let want =
            aws_sigv4::sign::v4::calculate_signature(self.key.as_slice(), to_sign.as_bytes());
        let got = got.ok_or(ChunkError("a chunk of a signed upload has no signature"))?;
        if !bool::from(want.as_bytes().ct_eq(got.as_bytes())) {
            return Err(ChunkError(SIGNATURE_MISMATCH));
        }
        self.previous = want;
        Ok(())
    }
}

impl ChunkSignatures for ChunkSigner {
    fn data(&mut self, data: &[u8]) {
        self.data.update(data);
    }

    fn chunk_end(&mut self, signature: Option<&str>) -> Result<(), ChunkError> {
        let hash = hex::encode(std::mem::take(&mut self.data).finalize());
        let last = [EMPTY_SHA256, "\n", &hash].concat();
        self.check("AWS4-HMAC-SHA256-PAYLOAD", &last, signature)
    }

    fn trailer(&mut self, trailers: &[u8], signature: Option<&str>) -> Result<(), ChunkError> {
        if !self.trailer {
            return match trailers.is_empty() {
                true => Ok(()),
                false => Err(ChunkError("trailers on an upload that announced none")),
            };
        }
        let hash = hex::encode(Sha256::digest(trailers));
        self.check("AWS4-HMAC-SHA256-TRAILER", &hash, signature)
    }
}
