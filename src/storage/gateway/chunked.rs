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

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::Body;
use base64::Engine;
use bytes::{Buf, Bytes, BytesMut};
use http_body::{Body as HttpBody, Frame, SizeHint};

/// Longest chunk header or trailer line accepted.
const MAX_LINE: usize = 4096;

/// A malformed or corrupted chunked body (the client's fault: a 400).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChunkError(pub &'static str);

/// The checksum announced in `x-amz-trailer`.
#[derive(Debug)]
enum Checksum {
    Crc32(crc32fast::Hasher),
    Crc32c(u32),
    /// An algorithm not checked here (SHA-1, SHA-256, CRC64): framing is still checked.
    Unchecked,
}

impl Checksum {
    fn for_trailer(name: Option<&str>) -> Option<Self> {
        match name? {
            "x-amz-checksum-crc32" => Some(Self::Crc32(crc32fast::Hasher::new())),
            "x-amz-checksum-crc32c" => Some(Self::Crc32c(0)),
            _ => Some(Self::Unchecked),
        }
    }

    fn update(&mut self, data: &[u8]) {
        match self {
            Self::Crc32(h) => h.update(data),
            Self::Crc32c(c) => *c = crc32c::crc32c_append(*c, data),
            Self::Unchecked => {}
        }
    }

    /// The base64 of the big-endian checksum, as the trailer carries it.
    fn expected(&self) -> Option<String> {
        let v = match self {
            Self::Crc32(h) => h.clone().finalize(),
            Self::Crc32c(c) => *c,
            Self::Unchecked => return None,
        };
        Some(base64::engine::general_purpose::STANDARD.encode(v.to_be_bytes()))
    }
}

#[derive(Debug)]
enum State {
    Header,
    Data(u64),
    DataEnd,
    Trailers,
    Done,
}

/// The decoded body.
pub struct Dechunk {
    inner: Body,
    buf: BytesMut,
    state: State,
    trailer: Option<String>,
    checksum: Option<Checksum>,
    decoded_len: u64,
    /// Data bytes decoded so far (sent or held).
    decoded: u64,
    /// The final data, held until the trailer verifies.
    held: Option<Bytes>,
}

impl Dechunk {
    /// `trailer` is the `x-amz-trailer` header (the checksum's header name), if any.
    pub fn new(inner: Body, trailer: Option<&str>, decoded_len: u64) -> Self {
        let trailer = trailer.map(|t| t.trim().to_ascii_lowercase());
        Self {
            inner,
            buf: BytesMut::new(),
            checksum: Checksum::for_trailer(trailer.as_deref()),
            trailer,
            state: State::Header,
            decoded_len,
            decoded: 0,
            held: None,
        }
    }

    /// Counts decoded data; the piece that completes the declared length is held back.
    fn accept(&mut self, data: Bytes) -> Result<Option<Bytes>, ChunkError> {
        self.decoded += data.len() as u64;
        if self.decoded > self.decoded_len {
            return Err(ChunkError(
                "aws-chunked body is longer than x-amz-decoded-content-length",
            ));
        }
        if self.decoded == self.decoded_len {
            self.held = Some(data);
            return Ok(None);
        }
        Ok(Some(data))
    }

    /// The end of the chunk stream: the length must match; then the held data goes out.
    fn end(&mut self) -> Result<Step, ChunkError> {
        if self.decoded != self.decoded_len {
            return Err(ChunkError(
                "aws-chunked body is shorter than x-amz-decoded-content-length",
            ));
        }
        Ok(match self.held.take() {
            Some(d) => Step::Data(d),
            None => Step::End,
        })
    }

    /// Takes one CRLF-terminated line from the buffer, if complete.
    fn line(&mut self) -> Result<Option<Bytes>, ChunkError> {
        match self.buf.windows(2).position(|w| w == b"\r\n") {
            Some(i) => {
                let line = self.buf.split_to(i).freeze();
                self.buf.advance(2);
                Ok(Some(line))
            }
            None if self.buf.len() > MAX_LINE => Err(ChunkError("aws-chunked line too long")),
            None => Ok(None),
        }
    }

    /// Advances the decoder over buffered input: a data frame, the end, or "need more".
    fn step(&mut self) -> Result<Step, ChunkError> {
        loop {
            match self.state {
                State::Header => {
                    let Some(line) = self.line()? else {
                        return Ok(Step::NeedMore);
                    };
                    let size = std::str::from_utf8(&line)
                        .ok()
                        .and_then(|l| l.split(';').next())
                        .and_then(|h| u64::from_str_radix(h.trim(), 16).ok())
                        .ok_or(ChunkError("malformed aws-chunked chunk header"))?;
                    self.state = if size == 0 {
                        State::Trailers
                    } else {
                        State::Data(size)
                    };
                }
                State::Data(left) => {
                    if self.buf.is_empty() {
                        return Ok(Step::NeedMore);
                    }
                    let n = left.min(self.buf.len() as u64) as usize;
                    let data = self.buf.split_to(n).freeze();
                    self.state = if n as u64 == left {
                        State::DataEnd
                    } else {
                        State::Data(left - n as u64)
                    };
                    if let Some(c) = &mut self.checksum {
                        c.update(&data);
                    }
                    if let Some(out) = self.accept(data)? {
                        return Ok(Step::Data(out));
                    }
                }
                State::DataEnd => {
                    if self.buf.len() < 2 {
                        return Ok(Step::NeedMore);
                    }
                    if &self.buf[..2] != b"\r\n" {
                        return Err(ChunkError("malformed aws-chunked framing"));
                    }
                    self.buf.advance(2);
                    self.state = State::Header;
                }
                State::Trailers => {
                    let Some(line) = self.line()? else {
                        return Ok(Step::NeedMore);
                    };
                    if line.is_empty() {
                        self.state = State::Done;
                        return self.end();
                    }
                    self.check_trailer(&line)?;
                }
                State::Done => return Ok(Step::End),
            }
        }
    }

    fn check_trailer(&self, line: &[u8]) -> Result<(), ChunkError> {
        let text = std::str::from_utf8(line).map_err(|_| ChunkError("malformed trailer"))?;
        let Some((name, value)) = text.split_once(':') else {
            return Err(ChunkError("malformed trailer"));
        };
        if Some(name.trim().to_ascii_lowercase()) == self.trailer
            && let Some(expected) = self.checksum.as_ref().and_then(Checksum::expected)
            && expected != value.trim()
        {
            return Err(ChunkError("checksum mismatch: the upload was corrupted"));
        }
        Ok(())
    }
}

enum Step {
    Data(Bytes),
    NeedMore,
    End,
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
            match this.step() {
                Err(e) => return Poll::Ready(Some(Err(error(e)))),
                Ok(Step::Data(d)) => return Poll::Ready(Some(Ok(Frame::data(d)))),
                Ok(Step::End) => return Poll::Ready(None),
                Ok(Step::NeedMore) => {}
            }
            match Pin::new(&mut this.inner).poll_frame(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    return Poll::Ready(Some(Err(error(ChunkError(
                        "aws-chunked body ended early",
                    )))));
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        this.buf.extend_from_slice(&data);
                    }
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self.state, State::Done) && self.held.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.decoded_len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn framed(data: &[u8], chunk: usize, trailer: Option<(&str, String)>) -> Vec<u8> {
        let mut out = Vec::new();
        for c in data.chunks(chunk) {
            out.extend(format!("{:x};chunk-signature=abcd\r\n", c.len()).as_bytes());
            out.extend(c);
            out.extend(b"\r\n");
        }
        out.extend(b"0;chunk-signature=ef01\r\n");
        if let Some((name, value)) = trailer {
            out.extend(format!("{name}:{value}\r\nx-amz-trailer-signature:1234\r\n").as_bytes());
        }
        out.extend(b"\r\n");
        out
    }

    fn crc32_b64(data: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(data).to_be_bytes())
    }

    async fn decode(raw: Vec<u8>, trailer: Option<&str>, len: u64) -> Result<Vec<u8>, String> {
        // Feed it in awkward pieces to cross every boundary.
        let pieces: Vec<Result<Bytes, std::io::Error>> = raw
            .chunks(7)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let body = Body::from_stream(futures_util::stream::iter(pieces));
        let out = Dechunk::new(body, trailer, len)
            .collect()
            .await
            .map_err(|e| e.to_string())?;
        Ok(out.to_bytes().to_vec())
    }

    #[tokio::test]
    async fn decodes_and_checks_the_crc32_trailer() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let good = framed(
            &data,
            8192,
            Some(("x-amz-checksum-crc32", crc32_b64(&data))),
        );
        assert_eq!(
            decode(good, Some("x-amz-checksum-crc32"), 100_000)
                .await
                .unwrap(),
            data
        );
        let bad = framed(
            &data,
            8192,
            Some(("x-amz-checksum-crc32", crc32_b64(b"other"))),
        );
        let err = decode(bad, Some("x-amz-checksum-crc32"), 100_000)
            .await
            .unwrap_err();
        assert!(err.contains("checksum mismatch"), "{err}");
    }

    #[tokio::test]
    async fn the_last_bytes_wait_for_the_trailer() {
        // A body whose decoded length is reached before its (wrong) trailer: nothing of
        // the final chunk may come out before the trailer is checked.
        let data = b"hello world".to_vec();
        let raw = framed(&data, 4, Some(("x-amz-checksum-crc32", crc32_b64(b"x"))));
        let pieces: Vec<Result<Bytes, std::io::Error>> = raw
            .chunks(7)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        let body = Body::from_stream(futures_util::stream::iter(pieces));
        let mut d = Dechunk::new(body, Some("x-amz-checksum-crc32"), 11);
        let mut out = Vec::new();
        let err = loop {
            match d.frame().await {
                Some(Ok(f)) => out.extend_from_slice(&f.into_data().unwrap()),
                Some(Err(e)) => break e.to_string(),
                None => panic!("a corrupted body must not end cleanly"),
            }
        };
        assert!(err.contains("checksum mismatch"), "{err}");
        assert!(
            out.len() < 11,
            "the final bytes were held back: {}",
            out.len()
        );
    }

    #[tokio::test]
    async fn the_decoded_length_must_match() {
        let data = b"hello world".to_vec();
        let raw = framed(&data, 4, Some(("x-amz-checksum-crc32", crc32_b64(&data))));
        let t = Some("x-amz-checksum-crc32");
        let short = decode(raw.clone(), t, 12).await.unwrap_err();
        assert!(short.contains("shorter"), "{short}");
        let long = decode(raw.clone(), t, 10).await.unwrap_err();
        assert!(long.contains("longer"), "{long}");
        assert_eq!(decode(raw, t, 11).await.unwrap(), data);
    }

    #[tokio::test]
    async fn unsigned_chunks_and_truncation() {
        let data = b"hello world".to_vec();
        let mut raw = format!("{:x}\r\n", data.len()).into_bytes();
        raw.extend(&data);
        raw.extend(b"\r\n0\r\n\r\n");
        assert_eq!(decode(raw.clone(), None, 11).await.unwrap(), data);
        raw.truncate(raw.len() - 6);
        assert!(
            decode(raw, None, 11)
                .await
                .unwrap_err()
                .contains("ended early")
        );
        assert!(
            decode(b"zz\r\n".to_vec(), None, 0)
                .await
                .unwrap_err()
                .contains("chunk header")
        );
    }
}
