//! The aws-chunked decoder itself, without I/O: bytes in, data and the end out. Pure (no
//! HTTP types), so the fuzz crate compiles this file on its own.

use base64::Engine;
use bytes::{Buf, Bytes, BytesMut};

/// Longest chunk header or trailer line accepted.
const MAX_LINE: usize = 4096;

/// A malformed or corrupted chunked body (the client's fault: a 400).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ChunkError(pub &'static str);

/// Why a body was refused: its checksum trailer does not match its data.
pub const CHECKSUM_MISMATCH: &str = "checksum mismatch: the upload was corrupted";

/// The signatures of a signed aws-chunked body (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`,
/// `…-TRAILER`), checked chunk by chunk as the body streams. Each chunk's data is handed
/// over as it is decoded; its signature (from its header line) once it ends.
pub trait ChunkSignatures: Send {
    /// More data of the current chunk.
    fn data(&mut self, data: &[u8]);
    /// The current chunk ended (the final, empty one too).
    fn chunk_end(&mut self, signature: Option<&str>) -> Result<(), ChunkError>;
    /// The trailing headers (each line `name:value\n`, the signature line left out) and
    /// the trailer's signature; called once, after the final chunk.
    fn trailer(&mut self, trailers: &[u8], signature: Option<&str>) -> Result<(), ChunkError>;
}

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

/// The decoder state of one body.
pub struct ChunkDecoder {
    buf: BytesMut,
    state: State,
    trailer: Option<String>,
    checksum: Option<Checksum>,
    decoded_len: u64,
    /// Data bytes decoded so far (sent or held).
    decoded: u64,
    /// The final data, held until the trailer verifies.
    held: Option<Bytes>,
    /// Checks chunk signatures, for a signed body.
    signatures: Option<Box<dyn ChunkSignatures>>,
    /// The signature of the chunk being read, from its header line.
    chunk_signature: Option<String>,
    /// The trailer lines read so far, and the trailer's signature.
    trailers: Vec<u8>,
    trailer_signature: Option<String>,
}

impl ChunkDecoder {
    /// `trailer` is the `x-amz-trailer` header (the checksum's header name), if any;
    /// `decoded_len` the `x-amz-decoded-content-length`.
    pub fn new(trailer: Option<&str>, decoded_len: u64) -> Self {
        let trailer = trailer.map(|t| t.trim().to_ascii_lowercase());
        Self {
            buf: BytesMut::new(),
            checksum: Checksum::for_trailer(trailer.as_deref()),
            trailer,
            state: State::Header,
            decoded_len,
            decoded: 0,
            held: None,
            signatures: None,
            chunk_signature: None,
            trailers: Vec::new(),
            trailer_signature: None,
        }
    }

    /// Checks every chunk's signature with `signatures`.
    pub fn with_signatures(mut self, signatures: Box<dyn ChunkSignatures>) -> Self {
        self.signatures = Some(signatures);
        self
    }

    fn chunk_end(&mut self) -> Result<(), ChunkError> {
        let sig = self.chunk_signature.take();
        match &mut self.signatures {
            Some(s) => s.chunk_end(sig.as_deref()),
            None => Ok(()),
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
        // Only the first MAX_LINE bytes are searched: a longer line is refused however
        // it arrives (whole in one frame, or in pieces).
        let window = &self.buf[..self.buf.len().min(MAX_LINE + 2)];
        match window.windows(2).position(|w| w == b"\r\n") {
            Some(i) => {
                let line = self.buf.split_to(i).freeze();
                self.buf.advance(2);
                Ok(Some(line))
            }
            None if self.buf.len() > MAX_LINE => Err(ChunkError("aws-chunked line too long")),
            None => Ok(None),
        }
    }

    /// The trailing headers read (`name:value\n` each, the signature's left out).
    pub fn trailers(&self) -> &[u8] {
        &self.trailers
    }

    /// Adds input.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// Whether the stream ended (the terminating chunk and trailers were read and the held
    /// data handed out).
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done) && self.held.is_none()
    }

    /// The error for input that ends before the body does.
    pub fn ended_early() -> ChunkError {
        ChunkError("aws-chunked body ended early")
    }

    /// Advances the decoder over buffered input: a data frame, the end, or "need more".
    pub fn step(&mut self) -> Result<Step, ChunkError> {
        loop {
            match self.state {
                State::Header => {
                    let Some(line) = self.line()? else {
                        return Ok(Step::NeedMore);
                    };
                    let text = std::str::from_utf8(&line)
                        .map_err(|_| ChunkError("malformed aws-chunked chunk header"))?;
                    let (size, ext) = text.split_once(';').unwrap_or((text, ""));
                    let size = u64::from_str_radix(size.trim(), 16)
                        .map_err(|_| ChunkError("malformed aws-chunked chunk header"))?;
                    self.chunk_signature = ext
                        .trim()
                        .strip_prefix("chunk-signature=")
                        .map(str::to_string);
                    self.state = if size == 0 {
                        self.chunk_end()?;
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
                    if let Some(s) = &mut self.signatures {
                        s.data(&data);
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
                    self.chunk_end()?;
                    self.state = State::Header;
                }
                State::Trailers => {
                    let Some(line) = self.line()? else {
                        return Ok(Step::NeedMore);
                    };
                    if line.is_empty() {
                        if let Some(s) = &mut self.signatures {
                            s.trailer(&self.trailers, self.trailer_signature.as_deref())?;
                        }
                        self.state = State::Done;
                        return self.end();
                    }
                    self.check_trailer(&line)?;
                    self.keep_trailer(&line)?;
                }
                State::Done => return Ok(Step::End),
            }
        }
    }

    /// Keeps a trailer line for the trailer's signature (at most a few, each at most
    /// a line long: the line reader bounds it).
    fn keep_trailer(&mut self, line: &[u8]) -> Result<(), ChunkError> {
        let text = std::str::from_utf8(line).map_err(|_| ChunkError("malformed trailer"))?;
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("x-amz-trailer-signature") => {
                self.trailer_signature = Some(value.trim().to_string());
            }
            _ if self.trailers.len() + line.len() > MAX_LINE * 4 => {
                return Err(ChunkError("too many trailers"));
            }
            Some((name, value)) => {
                // Canonical, as the trailer's signature covers it: `name:value\n`.
                let name = name.trim().to_ascii_lowercase();
                self.trailers.extend_from_slice(name.as_bytes());
                self.trailers.push(b':');
                self.trailers.extend_from_slice(value.trim().as_bytes());
                self.trailers.push(b'\n');
            }
            None => return Err(ChunkError("malformed trailer")),
        }
        Ok(())
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
            return Err(ChunkError(CHECKSUM_MISMATCH));
        }
        Ok(())
    }
}

/// What one [`ChunkDecoder::step`] gave.
pub enum Step {
    Data(Bytes),
    NeedMore,
    End,
}
