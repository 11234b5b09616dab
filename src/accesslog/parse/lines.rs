//! The lines of one log object's bytes, plain or gzip, under a byte cap.
//!
//! - Lines end at `\n`; a `\r` before it is dropped, a last line without newline counts,
//!   empty lines are skipped.
//! - Gzip (`.gz` key or the `1f 8b` magic bytes), including several members concatenated,
//!   is decompressed as a stream into one fixed buffer ([`GZIP_BUFFER`]): the decompressed
//!   object is never held in memory whole, and at most `max_bytes` of it are produced — a
//!   gzip bomb ends with [`End::TooLarge`] after that much work, not more. A plain object
//!   over `max_bytes` is [`End::TooLarge`] before any line is read.
//! - A line that is not UTF-8 is read lossily (invalid bytes become U+FFFD) and counted in
//!   [`ObjectStats::non_utf8`]: its other fields (time, IP, status, sizes) are still worth
//!   counting, and the replacement character shows where the log held odd bytes.
//! - A line longer than [`MAX_LINE`] is malformed (counted, not delivered): no real S3
//!   line comes near it, and it bounds the buffer.
//!
//! - A caller can stop a read from outside ([`for_each_line_until`]): the condition is
//!   asked every [`STOP_EVERY`] lines and before each gzip buffer, and a read that stops
//!   ends with [`End::Stopped`] — a client that left, or a budget that ran out.
//!
//! On `TooLarge`, `CorruptGzip` or `Stopped` the lines before the stop have already been
//! delivered; a caller that wants all-or-nothing per object discards what it gathered.

use super::line::{LogLine, Malformed, parse_line};
use flate2::bufread::MultiGzDecoder;
use memchr::{memchr, memchr_iter, memrchr};
use std::io::{ErrorKind, Read};

/// Longest line delivered; longer ones are counted as malformed.
pub const MAX_LINE: usize = 64 * 1024;
/// The decompression buffer (holds the current run of whole lines plus one partial line).
pub const GZIP_BUFFER: usize = 256 * 1024;
/// Lines between two questions to a read's stop condition.
pub const STOP_EVERY: u64 = 256;

/// How an object's bytes are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    Plain,
    Gzip,
}

impl Compression {
    /// Gzip when the key ends in `.gz` or the data starts with gzip's magic bytes.
    pub fn detect(key: &str, data: &[u8]) -> Self {
        if key.ends_with(".gz") || data.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else {
            Compression::Plain
        }
    }
}

/// Counts for one object.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ObjectStats {
    /// Non-empty lines seen, well-formed or not.
    pub lines: u64,
    /// Lines that could not be parsed (with [`for_each_line`]: only the over-long ones).
    pub malformed: u64,
    /// Lines that held bytes that are not UTF-8 (read lossily, see the module doc).
    pub non_utf8: u64,
    /// Bytes of the object consumed (compressed bytes for gzip).
    pub bytes_read: u64,
    /// Bytes of text produced (equal to `bytes_read` for a plain object).
    pub bytes_decoded: u64,
}

/// Why reading an object stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// Every line was read.
    Complete,
    /// The text is longer than `max_bytes` (a plain object is not read at all).
    TooLarge,
    /// The gzip stream is damaged or truncated; the lines before the damage were read.
    CorruptGzip,
    /// The caller's stop condition held; the lines before it were read.
    Stopped,
}

/// What reading one object gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectReport {
    pub stats: ObjectStats,
    pub end: End,
}

/// Calls `f` with every non-empty line of the object (without `\r\n`).
pub fn for_each_line(
    data: &[u8],
    compression: Compression,
    max_bytes: u64,
    f: impl FnMut(&str),
) -> ObjectReport {
    for_each_line_until(data, compression, max_bytes, &|| false, f)
}

/// [`for_each_line`] that ends with [`End::Stopped`] once `stop` says so.
pub fn for_each_line_until(
    data: &[u8],
    compression: Compression,
    max_bytes: u64,
    stop: &dyn Fn() -> bool,
    mut f: impl FnMut(&str),
) -> ObjectReport {
    let mut sink = Sink {
        stats: ObjectStats::default(),
        f: &mut f,
        stop,
        stopped: false,
    };
    let end = match compression {
        Compression::Plain => plain(data, max_bytes, &mut sink),
        Compression::Gzip => gzip(data, max_bytes, &mut sink),
    };
    ObjectReport {
        stats: sink.stats,
        end: if sink.stopped { End::Stopped } else { end },
    }
}

/// Parses every non-empty line of the object and calls `f` with the line and its result;
/// malformed lines are counted in the report's `malformed`.
pub fn parse_object(
    data: &[u8],
    compression: Compression,
    max_bytes: u64,
    f: impl FnMut(&str, Result<LogLine<'_>, Malformed>),
) -> ObjectReport {
    parse_object_until(data, compression, max_bytes, &|| false, f)
}

/// [`parse_object`] that ends with [`End::Stopped`] once `stop` says so.
pub fn parse_object_until(
    data: &[u8],
    compression: Compression,
    max_bytes: u64,
    stop: &dyn Fn() -> bool,
    mut f: impl FnMut(&str, Result<LogLine<'_>, Malformed>),
) -> ObjectReport {
    let mut bad = 0;
    let mut report = for_each_line_until(data, compression, max_bytes, stop, |line| {
        let parsed = parse_line(line);
        bad += u64::from(parsed.is_err());
        f(line, parsed);
    });
    report.stats.malformed += bad;
    report
}

/// Where lines go, with the counts kept on the way.
struct Sink<'f, F: FnMut(&str)> {
    stats: ObjectStats,
    f: &'f mut F,
    stop: &'f dyn Fn() -> bool,
    /// `stop` said so: no more lines are delivered.
    stopped: bool,
}

impl<F: FnMut(&str)> Sink<'_, F> {
    /// Delivers every line of `text`, which holds whole lines (the last may lack `\n`).
    fn lines(&mut self, text: &[u8]) {
        let mut rest = text;
        while !rest.is_empty() && !self.stopped {
            match std::str::from_utf8(rest) {
                Ok(s) => return self.valid_lines(s),
                Err(e) => {
                    // Deliver the valid lines before the bad one, the bad one lossily, go on.
                    let bad = e.valid_up_to();
                    let start = memrchr(b'\n', &rest[..bad]).map_or(0, |i| i + 1);
                    if let Ok(s) = std::str::from_utf8(&rest[..start]) {
                        self.valid_lines(s);
                    }
                    let end = memchr(b'\n', &rest[bad..]).map_or(rest.len(), |i| bad + i);
                    self.stats.non_utf8 += 1;
                    self.one(&String::from_utf8_lossy(&rest[start..end]));
                    rest = rest.get(end + 1..).unwrap_or_default();
                }
            }
        }
    }

    fn valid_lines(&mut self, s: &str) {
        let mut start = 0;
        for nl in memchr_iter(b'\n', s.as_bytes()) {
            self.one(&s[start..nl]);
            if self.stopped {
                return;
            }
            start = nl + 1;
        }
        self.one(&s[start..]);
    }

    fn one(&mut self, line: &str) {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || self.stopped {
            return;
        }
        if self.stats.lines.is_multiple_of(STOP_EVERY) && (self.stop)() {
            self.stopped = true;
            return;
        }
        self.stats.lines += 1;
        if line.len() > MAX_LINE {
            self.stats.malformed += 1;
        } else {
            (self.f)(line);
        }
    }

    /// A line too long for the gzip buffer: counted, never delivered.
    fn too_long(&mut self) {
        self.stats.lines += 1;
        self.stats.malformed += 1;
    }
}

fn plain<F: FnMut(&str)>(data: &[u8], max_bytes: u64, sink: &mut Sink<'_, F>) -> End {
    if data.len() as u64 > max_bytes {
        return End::TooLarge;
    }
    sink.stats.bytes_read = data.len() as u64;
    sink.stats.bytes_decoded = data.len() as u64;
    sink.lines(data);
    End::Complete
}

fn gzip<F: FnMut(&str)>(data: &[u8], max_bytes: u64, sink: &mut Sink<'_, F>) -> End {
    let mut decoder = MultiGzDecoder::new(data);
    let mut buf = vec![0u8; GZIP_BUFFER];
    let mut filled = 0;
    // Inside a line longer than the buffer: drop bytes until its newline.
    let mut skipping = false;
    let end = loop {
        if sink.stopped || (sink.stop)() {
            sink.stopped = true;
            break End::Stopped;
        }
        let n = match decoder.read(&mut buf[filled..]) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => break End::CorruptGzip,
        };
        if n == 0 {
            if !skipping {
                sink.lines(&buf[..filled]);
            }
            break End::Complete;
        }
        sink.stats.bytes_decoded += n as u64;
        if sink.stats.bytes_decoded > max_bytes {
            break End::TooLarge;
        }
        filled += n;
        let Some(last) = memrchr(b'\n', &buf[..filled]) else {
            if filled == buf.len() {
                if !skipping {
                    sink.too_long();
                }
                skipping = true;
                filled = 0;
            }
            continue;
        };
        let mut start = 0;
        if skipping {
            start = memchr(b'\n', &buf[..filled]).map_or(0, |i| i + 1);
            skipping = false;
        }
        sink.lines(&buf[start..last + 1]);
        buf.copy_within(last + 1..filled, 0);
        filled -= last + 1;
    };
    sink.stats.bytes_read = (data.len() - decoder.get_ref().len()) as u64;
    end
}
