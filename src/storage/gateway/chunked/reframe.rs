//! The decoded body framed again for the store, when it carries a checksum trailer:
//! `aws-chunked` with an unsigned trailer (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`), so the
//! store gets the checksum the client sent and keeps it with the object, as it would
//! have without the gateway. The client's chunk and trailer signatures (checked on the
//! way in) do not go on: the request is signed again, and its trailer travels unsigned.
//!
//! The store needs the encoded length up front, so the chunks have a fixed size and the
//! trailer the length of its algorithm's value: the whole length follows from the
//! decoded length and the trailer's name ([`encoded_len`]).

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Body as HttpBody, Frame, SizeHint};

use super::{ChunkError, Dechunk};

/// Data bytes per chunk sent to the store.
const CHUNK: usize = 64 * 1024;

/// The length of the base64 value of each checksum trailer S3 defines.
fn value_len(trailer: &str) -> Option<u64> {
    Some(match trailer {
        "x-amz-checksum-crc32" | "x-amz-checksum-crc32c" => 8,
        "x-amz-checksum-crc64nvme" => 12,
        "x-amz-checksum-sha1" => 28,
        "x-amz-checksum-sha256" => 44,
        _ => return None,
    })
}

fn hex_len(n: u64) -> u64 {
    format!("{n:x}").len() as u64
}

/// The encoded length of `decoded` bytes with the checksum trailer `trailer`; `None`
/// for a trailer that is no checksum S3 defines.
pub fn encoded_len(decoded: u64, trailer: &str) -> Option<u64> {
    let chunk = CHUNK as u64;
    let (full, rest) = (decoded / chunk, decoded % chunk);
    let mut n = full * (hex_len(chunk) + 2 + chunk + 2);
    if rest > 0 {
        n += hex_len(rest) + 2 + rest + 2;
    }
    // "0\r\n", "name:value\r\n", "\r\n".
    Some(n + 3 + trailer.len() as u64 + 1 + value_len(trailer)? + 2 + 2)
}

/// The re-framed body.
pub struct Reframe {
    inner: Dechunk,
    buf: BytesMut,
    trailer: String,
    done: bool,
}

impl Reframe {
    /// `trailer` is the client's `x-amz-trailer` (lower case), one [`encoded_len`] knows.
    pub fn new(inner: Dechunk, trailer: &str) -> Self {
        Self {
            inner,
            buf: BytesMut::with_capacity(CHUNK),
            trailer: trailer.to_string(),
            done: false,
        }
    }

    fn chunk(data: &[u8]) -> Bytes {
        let mut out = BytesMut::with_capacity(data.len() + 12);
        out.extend_from_slice(format!("{:x}\r\n", data.len()).as_bytes());
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
        out.freeze()
    }

    /// The last data, the empty chunk and the trailer, as the store reads them; the
    /// trailer's value must have its algorithm's length, or the announced length is off.
    fn last(&mut self) -> Result<Bytes, ChunkError> {
        let mut out = BytesMut::new();
        if !self.buf.is_empty() {
            out.extend_from_slice(&Self::chunk(&self.buf));
        }
        out.extend_from_slice(b"0\r\n");
        let want = value_len(&self.trailer).unwrap_or(0) as usize;
        let line = self
            .inner
            .trailers()
            .split(|b| *b == b'\n')
            .find(|l| {
                l.starts_with(self.trailer.as_bytes()) && l.get(self.trailer.len()) == Some(&b':')
            })
            .filter(|l| l.len() == self.trailer.len() + 1 + want)
            .ok_or(ChunkError("the checksum trailer is missing or malformed"))?;
        out.extend_from_slice(line);
        out.extend_from_slice(b"\r\n\r\n");
        Ok(out.freeze())
    }
}

impl HttpBody for Reframe {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if this.buf.len() >= CHUNK {
            let full = this.buf.split_to(CHUNK);
            return Poll::Ready(Some(Ok(Frame::data(Self::chunk(&full)))));
        }
        loop {
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(frame))) => {
                    let Ok(data) = frame.into_data() else {
                        continue;
                    };
                    this.buf.extend_from_slice(&data);
                    if this.buf.len() >= CHUNK {
                        let full = this.buf.split_to(CHUNK);
                        return Poll::Ready(Some(Ok(Frame::data(Self::chunk(&full)))));
                    }
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(Some(
                        this.last().map(Frame::data).map_err(axum::Error::new),
                    ));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        match encoded_len(self.inner.decoded_len(), &self.trailer) {
            Some(n) => SizeHint::with_exact(n),
            None => SizeHint::default(),
        }
    }
}
