//! One access-log line → [`LogLine`], borrowing every field from the line.
//!
//! The fields, in order (AWS numbers them 1–27): bucket owner, bucket, `[time]`, remote IP,
//! requester, request id, operation, key, `"request-URI"`, status, error code, bytes sent,
//! object size, total time, turn-around time, `"referer"`, `"user-agent"`, version id,
//! host id, signature version, cipher suite, auth type, host header, TLS version,
//! access-point ARN, aclRequired, source region. Anything after field 27 is kept as one raw
//! tail ([`LogLine::extra`]): S3 only ever appends fields.
//!
//! Rules: `-` (and `"-"` for a quoted field) is absent (`None`), except bytes sent, where it
//! is 0. A line needs the first 17 fields (S3 wrote 18 in its early years, 24 before the
//! access-point ARN); later fields missing are `None`. The time must be a real date.
//! Numbers that overflow are malformed, never wrapped. Quoted fields accept the escapes
//! `\"` and `\\`, and also the unescaped embedded quotes AWS really writes: a quote closes
//! the field only where what follows fits the next field (see `scan_quoted`).

use super::fields::{OperationParts, Quoted, StatusClass, decode_key, key_encoding_passes};
use super::time::{TIME_LEN, parse_time};
use memchr::memchr2;
use std::borrow::Cow;

/// Fields a line must have; those after it are optional.
pub const MIN_FIELDS: u8 = 17;
/// Fields this parser knows by name; more are kept in [`LogLine::extra`].
pub const KNOWN_FIELDS: u8 = 27;

/// Why a line could not be parsed. Field numbers are AWS's, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// The line ended before field 17.
    #[error("the line has {found} fields; at least 17 are needed")]
    TooFewFields { found: u8 },
    /// Field 3 is not `[DD/Mon/YYYY:HH:MM:SS +hhmm]` with a real date and time.
    #[error("field 3 is not a timestamp like [06/Feb/2019:00:00:38 +0000]")]
    Time,
    /// A numeric field is neither `-` nor a number that fits.
    #[error("field {field} is not a number in range")]
    Number { field: u8 },
    /// A quoted field has no closing quote that fits.
    #[error("field {field} opens a quote that is never closed")]
    Quote { field: u8 },
}

/// One parsed line. Strings borrow from the line; `None` means the log wrote `-` (or the
/// line predates the field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine<'a> {
    pub bucket_owner: Option<&'a str>,
    pub bucket: Option<&'a str>,
    /// Request time, unix seconds (the line's UTC offset applied).
    pub time: i64,
    pub remote_ip: Option<&'a str>,
    pub requester: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub operation: Option<&'a str>,
    /// The key field as written: URL-encoded (see [`LogLine::key_decoded`]).
    pub key: Option<&'a str>,
    pub request_uri: Option<Quoted<'a>>,
    pub status: Option<u16>,
    pub error_code: Option<&'a str>,
    /// Response bytes; the log's `-` is 0.
    pub bytes_sent: u64,
    pub object_size: Option<u64>,
    /// Milliseconds from request received to last response byte sent.
    pub total_time_ms: Option<u64>,
    /// Milliseconds from last request byte received to first response byte sent.
    pub turn_around_ms: Option<u64>,
    pub referer: Option<Quoted<'a>>,
    pub user_agent: Option<Quoted<'a>>,
    pub version_id: Option<&'a str>,
    pub host_id: Option<&'a str>,
    pub signature_version: Option<&'a str>,
    pub cipher_suite: Option<&'a str>,
    pub auth_type: Option<&'a str>,
    pub host_header: Option<&'a str>,
    pub tls_version: Option<&'a str>,
    pub access_point_arn: Option<&'a str>,
    pub acl_required: Option<&'a str>,
    pub source_region: Option<&'a str>,
    /// Fields after the 27th, unparsed, as one string (`None` when there are none).
    pub extra: Option<&'a str>,
    /// How many of the 27 known fields the line had (17 to 27).
    pub fields: u8,
}

impl<'a> LogLine<'a> {
    /// The object key, URL-decoded as many times as S3 encoded it for this operation
    /// ([`key_encoding_passes`]); `+` stays `+`. A pass that fails keeps the previous result,
    /// so a key with a stray `%` or non-UTF-8 escapes comes back raw. `None` when absent.
    pub fn key_decoded(&self) -> Option<Cow<'a, str>> {
        let passes = key_encoding_passes(self.operation);
        self.key.map(|raw| decode_key(raw, passes))
    }

    /// The HTTP method of the request-URI (`GET` in `"GET /b/k HTTP/1.1"`).
    pub fn request_method(&self) -> Option<&'a str> {
        let raw = self.request_uri?.raw();
        let method = raw.split(' ').next().unwrap_or(raw);
        (!method.is_empty()).then_some(method)
    }

    /// The class of the status (`2xx`, …; `Other` when the status is absent or odd).
    pub fn status_class(&self) -> StatusClass {
        StatusClass::of(self.status)
    }

    /// The operation's kind, verb and resource (`REST.GET.OBJECT` → `REST`, `GET`, `OBJECT`).
    pub fn operation_parts(&self) -> Option<OperationParts<'a>> {
        super::fields::operation_parts(self.operation?)
    }
}

/// Which quoted field is being read: each decides differently whether a quote closes it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum QuotedField {
    RequestUri = 9,
    Referer = 16,
    UserAgent = 17,
}

/// Walks a line field by field.
struct Cursor<'a> {
    line: &'a str,
    pos: usize,
    /// Fields read so far.
    n: u8,
}

fn absent(tok: &str) -> Option<&str> {
    if tok == "-" { None } else { Some(tok) }
}

impl<'a> Cursor<'a> {
    /// The next space-separated token, or `None` at the end of the line.
    fn token(&mut self) -> Option<&'a str> {
        let bytes = self.line.as_bytes();
        if self.pos >= bytes.len() {
            return None;
        }
        let end = find_space(bytes, self.pos);
        let tok = &self.line[self.pos..end];
        self.pos = end + 1;
        self.n += 1;
        Some(tok)
    }

    /// A field the line must have.
    fn required(&mut self) -> Result<&'a str, Malformed> {
        self.token()
            .ok_or(Malformed::TooFewFields { found: self.n })
    }

    /// A required string field, `-` → `None`.
    fn string(&mut self) -> Result<Option<&'a str>, Malformed> {
        self.required().map(absent)
    }

    /// A required numeric field, `-` → `None`.
    fn number(&mut self) -> Result<Option<u64>, Malformed> {
        let field = self.n + 1;
        match self.required()? {
            "-" => Ok(None),
            tok => parse_u64(tok).map(Some).ok_or(Malformed::Number { field }),
        }
    }

    /// Field 3: `[DD/Mon/YYYY:HH:MM:SS +hhmm]` (one field although it holds a space).
    fn time(&mut self) -> Result<i64, Malformed> {
        let bytes = self.line.as_bytes();
        let start = self.pos;
        let close = start + 1 + TIME_LEN;
        if start >= bytes.len() {
            return Err(Malformed::TooFewFields { found: self.n });
        }
        if bytes.get(close) != Some(&b']') || bytes[start] != b'[' {
            return Err(Malformed::Time);
        }
        if !matches!(bytes.get(close + 1), None | Some(b' ')) {
            return Err(Malformed::Time);
        }
        let t = parse_time(&bytes[start + 1..close]).ok_or(Malformed::Time)?;
        self.pos = close + 2;
        self.n += 1;
        Ok(t)
    }

    /// A quoted field: `"…"`, `"-"` or `-`; a bare token without quotes is taken as is.
    fn quoted(&mut self, which: QuotedField) -> Result<Option<Quoted<'a>>, Malformed> {
        let bytes = self.line.as_bytes();
        if bytes.get(self.pos) != Some(&b'"') {
            let token = self.required()?;
            return Ok(absent(token).map(Quoted::new));
        }
        let start = self.pos + 1;
        let close =
            scan_quoted(bytes, start, which).ok_or(Malformed::Quote { field: which as u8 })?;
        self.pos = close + 2;
        self.n += 1;
        Ok(absent(&self.line[start..close]).map(Quoted::new))
    }
}

/// Finds the quote that closes a quoted field whose text starts at `start`.
///
/// First pass: `\x` is an escape (skipped), and a `"` closes only when followed by the end
/// of the line, or by a space and what can follow the field — status, error code, four
/// numbers and a referer after the request-URI ([`fits_after_request_uri`]), a `"` or `-`
/// after the referer, a token without `"` after the user-agent. So `"GET /a"b HTTP/1.1"` and `"…Safari/604.1""` read as AWS meant them.
/// If that finds nothing (a value that ends in a lone backslash, as AWS writes it
/// unescaped), a second pass ignores escapes; failing that too, the first quote followed by
/// a space or the end closes the field, so that the error reported is the one of the field
/// that is really wrong (a bad number, say) rather than an unclosed quote.
fn scan_quoted(bytes: &[u8], start: usize, which: QuotedField) -> Option<usize> {
    let mut i = start;
    while i < bytes.len() {
        let Some(found) = memchr2(b'"', b'\\', &bytes[i..]) else {
            break;
        };
        let at = i + found;
        if bytes[at] == b'\\' {
            i = at + 2;
        } else if closes(bytes, at + 1, which) {
            return Some(at);
        } else {
            i = at + 1;
        }
    }
    let mut loose = None;
    for at in memchr::memchr_iter(b'"', &bytes[start..]).map(|i| start + i) {
        if closes(bytes, at + 1, which) {
            return Some(at);
        }
        if loose.is_none() && matches!(bytes.get(at + 1), None | Some(b' ')) {
            loose = Some(at);
        }
    }
    loose
}

/// Whether a quote just before `after` can close the field `which`.
fn closes(bytes: &[u8], after: usize, which: QuotedField) -> bool {
    let Some(rest) = bytes.get(after..) else {
        return false;
    };
    let Some((&b' ', next)) = rest.split_first() else {
        return rest.is_empty();
    };
    let dash = next.first() == Some(&b'-') && matches!(next.get(1), None | Some(b' '));
    match which {
        QuotedField::RequestUri => fits_after_request_uri(next),
        QuotedField::Referer => dash || next.first() == Some(&b'"'),
        QuotedField::UserAgent => memchr2(b' ', b'"', next).is_none_or(|i| next[i] == b' '),
    }
}

/// Whether `next` starts like fields 10–16: a 3-digit status or `-`, an error code, four
/// numbers or `-`, then a referer that opens with `"` or is `-`. Checking this much (a
/// dozen bytes on a normal line) is what lets an unescaped `" 200 ` inside a request-URI
/// not end it.
fn fits_after_request_uri(next: &[u8]) -> bool {
    let mut tokens = next.split(|&b| b == b' ');
    let status = tokens.next().unwrap_or_default();
    if !(status == b"-" || status.len() == 3 && status.iter().all(u8::is_ascii_digit)) {
        return false;
    }
    if tokens.next().is_none() {
        return false;
    }
    for _ in 0..4 {
        match tokens.next() {
            Some(t) if t == b"-" || !t.is_empty() && t.iter().all(u8::is_ascii_digit) => {}
            _ => return false,
        }
    }
    tokens
        .next()
        .is_some_and(|t| t == b"-" || t.first() == Some(&b'"'))
}

/// The index of the first space at or after `from`, or `bytes.len()`.
///
/// Eight bytes at a time in a `u64` (SWAR) and inlined: most fields are 1–20 bytes, where
/// the call and dispatch of `memchr` cost more than the search.
#[inline(always)]
pub(crate) fn find_space(bytes: &[u8], from: usize) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ SPACES;
        // High bit set in each byte that was a space; the lowest such bit is exact (a borrow
        // can only mark bytes after a true match).
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let tail = bytes.get(i..).unwrap_or_default();
    tail.iter()
        .position(|&b| b == b' ')
        .map_or(bytes.len(), |p| i + p)
}

/// Decimal digits to u64; `None` when empty, not all digits, or over `u64::MAX`.
fn parse_u64(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, b| {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(d))
    })
}

/// Parses one line (without its newline; a trailing `\r` is ignored). See the module doc
/// for the rules.
pub fn parse_line(line: &str) -> Result<LogLine<'_>, Malformed> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let mut c = Cursor { line, pos: 0, n: 0 };
    let bucket_owner = c.string()?;
    let bucket = c.string()?;
    let time = c.time()?;
    let remote_ip = c.string()?;
    let requester = c.string()?;
    let request_id = c.string()?;
    let operation = c.string()?;
    let key = c.string()?;
    let request_uri = c.quoted(QuotedField::RequestUri)?;
    let status = match c.number()? {
        Some(s) => Some(u16::try_from(s).map_err(|_| Malformed::Number { field: 10 })?),
        None => None,
    };
    let error_code = c.string()?;
    let bytes_sent = c.number()?.unwrap_or(0);
    let object_size = c.number()?;
    let total_time_ms = c.number()?;
    let turn_around_ms = c.number()?;
    let referer = c.quoted(QuotedField::Referer)?;
    let user_agent = c.quoted(QuotedField::UserAgent)?;
    let mut opt = || c.token().and_then(absent);
    let mut parsed = LogLine {
        bucket_owner,
        bucket,
        time,
        remote_ip,
        requester,
        request_id,
        operation,
        key,
        request_uri,
        status,
        error_code,
        bytes_sent,
        object_size,
        total_time_ms,
        turn_around_ms,
        referer,
        user_agent,
        version_id: opt(),
        host_id: opt(),
        signature_version: opt(),
        cipher_suite: opt(),
        auth_type: opt(),
        host_header: opt(),
        tls_version: opt(),
        access_point_arn: opt(),
        acl_required: opt(),
        source_region: opt(),
        extra: None,
        fields: 0,
    };
    parsed.fields = c.n;
    parsed.extra = line.get(c.pos..).filter(|s| !s.is_empty());
    Ok(parsed)
}
