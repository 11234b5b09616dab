//! `aws-chunked` request bodies, decoded as they stream.
//!
//! An AWS SDK uploading over plain HTTP frames the body in chunks, each signed with the
//! client's key, and may append a checksum trailer. Those signatures cannot be re-signed
//! for the tenant, so the gateway forwards the plain bytes (with the decoded length) and
//! checks the trailing checksum itself: CRC32 and CRC32C, the SDKs' defaults.
//!
//! The upstream request carries `Content-Length: <decoded length>`, and hyper stops
//! polling a body once that many bytes are out — so the decoder holds back the final data
//! until the terminating chunk and the trailer have been read and checked. A checksum
//! mismatch, a body longer or shorter than the decoded length, or bad framing fails the
//! body before its last byte leaves: the upstream upload is aborted and nothing is
//! committed.

mod decoder;
mod reframe;
mod signed;
mod upstream;

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use bytes::Bytes;
use http_body::{Body as HttpBody, Frame, SizeHint};

pub use decoder::{CHECKSUM_MISMATCH, ChunkDecoder, ChunkError, ChunkSignatures, Step};
pub use reframe::{Reframe, encoded_len};
pub use signed::{ChunkSigner, SIGNATURE_MISMATCH};
pub use upstream::upstream;

/// The decoded body.
pub struct Dechunk {
    inner: Body,
    dec: ChunkDecoder,
    decoded_len: u64,
}

impl Dechunk {
    /// `trailer` is the `x-amz-trailer` header (the checksum's header name), if any;
    /// `signatures`, for a signed body, checks each chunk's signature.
    pub fn new(
        inner: Body,
        trailer: Option<&str>,
        decoded_len: u64,
        signatures: Option<ChunkSigner>,
    ) -> Self {
        let mut dec = ChunkDecoder::new(trailer, decoded_len);
        if let Some(s) = signatures {
            dec = dec.with_signatures(Box::new(s));
        }
        Self {
            inner,
            dec,
            decoded_len,
        }
    }
}

impl Dechunk {
    /// The trailing headers read, once the body ended (see [`ChunkDecoder::trailers`]).
    pub fn trailers(&self) -> &[u8] {
        self.dec.trailers()
    }

    pub fn decoded_len(&self) -> u64 {
        self.decoded_len
    }
}

fn error(e: ChunkError) -> axum::Error {
    axum::Error::new(e)
}

impl HttpBody for Dechunk {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        loop {
            match this.dec.step() {
                Err(e) => return Poll::Ready(Some(Err(error(e)))),
                Ok(Step::Data(d)) => return Poll::Ready(Some(Ok(Frame::data(d)))),
                Ok(Step::End) => return Poll::Ready(None),
                Ok(Step::NeedMore) => {}
            }
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    return Poll::Ready(Some(Err(error(ChunkDecoder::ended_early()))));
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        this.dec.push(&data);
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.dec.is_done()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.decoded_len)
    }
}

#[cfg(test)]
mod tests;
