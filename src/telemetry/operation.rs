//! The one record every storage operation leaves behind, and its closed vocabularies.
//!
//! An [`Operation`] is built once, when the response is complete (or the client went
//! away), and handed to the [`Recorder`](super::Recorder); every sink reads the same
//! record, so the count in `/metrics`, the windows, the recent log and the log line can
//! never drift apart. Labels come from the closed enums here, never from request text.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::clock::UnixTime;
use super::s3::S3Api;

/// The kind of storage operation (the `operation` label and JSON key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OperationType {
    ListBuckets,
    ListObjects,
    AnalyzeStorage,
    QueryMetrics,
    QueryLogs,
    AiQuery,
    GetObject,
    PutObject,
    HeadObject,
    DeleteObject,
    /// A bucket itself or its configuration, through the gateway (CreateBucket,
    /// GetBucketVersioning, PutBucketPolicy, …).
    ManageBucket,
}

impl OperationType {
    /// Every type, in index order.
    pub const ALL: [OperationType; 11] = [
        Self::ListBuckets,
        Self::ListObjects,
        Self::AnalyzeStorage,
        Self::QueryMetrics,
        Self::QueryLogs,
        Self::AiQuery,
        Self::GetObject,
        Self::PutObject,
        Self::HeadObject,
        Self::DeleteObject,
        Self::ManageBucket,
    ];
    /// Number of types; sizes the per-type arrays of the sinks.
    pub const COUNT: usize = Self::ALL.len();

    /// Dense index into per-type arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The wire name, e.g. `LIST_OBJECTS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ListBuckets => "LIST_BUCKETS",
            Self::ListObjects => "LIST_OBJECTS",
            Self::AnalyzeStorage => "ANALYZE_STORAGE",
            Self::QueryMetrics => "QUERY_METRICS",
            Self::QueryLogs => "QUERY_LOGS",
            Self::AiQuery => "AI_QUERY",
            Self::GetObject => "GET_OBJECT",
            Self::PutObject => "PUT_OBJECT",
            Self::HeadObject => "HEAD_OBJECT",
            Self::DeleteObject => "DELETE_OBJECT",
            Self::ManageBucket => "MANAGE_BUCKET",
        }
    }

    /// Parses a wire name (exact, upper case), as given in `?operation_type=`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for OperationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// HTTP method of the request, folded into a closed set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    Get,
    Head,
    Put,
    Post,
    Delete,
    Other,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Other => "OTHER",
        }
    }
}

impl From<&http::Method> for HttpMethod {
    fn from(m: &http::Method) -> Self {
        match *m {
            http::Method::GET => Self::Get,
            http::Method::HEAD => Self::Head,
            http::Method::PUT => Self::Put,
            http::Method::POST => Self::Post,
            http::Method::DELETE => Self::Delete,
            _ => Self::Other,
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a status counts as an error everywhere in SpaceWatch: status ≥ 400.
pub fn is_error_status(status: u16) -> bool {
    status >= 400
}

/// A tenant's public identity: 16 hex digits of a length-prefixed, versioned sha256 of its
/// key, endpoint and region (computed by the tenant layer).
/// It never contains the key or the secret and is the only tenant identity in telemetry.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(pub [u8; 8]);

impl Fingerprint {
    /// The anonymous tenant of the gateway (requests with no credentials at all): a
    /// value no credential's digest is expected to take.
    pub const ANONYMOUS: Fingerprint = Fingerprint([0; 8]);
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

/// A W3C trace id (16 bytes), shown as 32 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TraceId(pub [u8; 16]);

impl fmt::Display for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TraceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TraceId({self})")
    }
}

/// A request id, stored inline (no allocation per request): at most
/// [`RequestId::MAX_LEN`] printable ASCII bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestId {
    len: u8,
    bytes: [u8; RequestId::MAX_LEN],
}

impl RequestId {
    pub const MAX_LEN: usize = 64;

    /// `None` unless 1–64 bytes of visible ASCII without quotes or backslashes: safe to
    /// echo in a header and to write in a log line.
    pub fn new(s: &str) -> Option<Self> {
        let ok = (1..=Self::MAX_LEN).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\');
        ok.then(|| {
            let mut bytes = [0; Self::MAX_LEN];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Self {
                len: s.len() as u8,
                bytes,
            }
        })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII was ever copied in.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl std::ops::Deref for RequestId {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RequestId({})", self.as_str())
    }
}

/// One storage operation, complete.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Wall-clock time the request arrived.
    pub started_at: UnixTime,
    pub operation: OperationType,
    pub method: HttpMethod,
    /// The route template (`/tools/list-all`), never the raw path.
    pub route: &'static str,
    /// The bucket the operation addressed, once the tenant's access to it passed: the one
    /// aggregates and labels count.
    pub bucket: Option<Arc<str>>,
    /// The bucket a verified tenant named when access did not pass (bounded text): shown
    /// and searchable in `/logs/operations`, counted nowhere.
    pub named_bucket: Option<Arc<str>>,
    pub tenant: Option<Fingerprint>,
    pub status: u16,
    /// Request arrival to the end of the response body (or to the drop of it).
    pub duration: Duration,
    /// Request body bytes received from the client.
    pub bytes_in: u64,
    /// Response body bytes sent to the client.
    pub bytes_out: u64,
    /// Request arrival to the first response body byte (streamed responses only).
    pub first_byte: Option<Duration>,
    /// Readable failure text, free of secrets; `None` on success.
    pub error: Option<Arc<str>>,
    /// The S3 API a gateway request was (`CopyObject`); `None` elsewhere.
    pub s3_api: Option<S3Api>,
    pub request_id: RequestId,
    pub trace_id: TraceId,
}

impl Operation {
    /// The bucket to show: the attributed one, or the one named.
    pub fn shown_bucket(&self) -> Option<&str> {
        self.bucket.as_deref().or(self.named_bucket.as_deref())
    }

    pub fn is_error(&self) -> bool {
        is_error_status(self.status)
    }

    /// Bytes moved in both directions, the figure the seed calls `bytes_transferred`.
    pub fn bytes_transferred(&self) -> u64 {
        self.bytes_in + self.bytes_out
    }

    pub fn duration_ms(&self) -> f64 {
        self.duration.as_secs_f64() * 1000.0
    }
}

/// Status recorded for a request whose client went away (nginx's convention).
pub const CLIENT_CLOSED: u16 = 499;

/// Longest error text kept on an operation, a span or a log line: outside text (a query
/// parameter named in an error, say) must not grow memory or logs with its size.
pub const MAX_ERROR_TEXT: usize = 256;

/// A response extension: the failure text of the response, for the operation record.
#[derive(Debug, Clone)]
pub struct ErrorText(pub String);

/// A response extension: the body streams, so record the operation when it ends.
#[derive(Debug, Clone, Copy)]
pub struct Streamed;

/// `text` cut to at most `max` bytes (on a character boundary, marked with `…`), with
/// control characters replaced so it stays one line.
pub fn bounded_text(text: &str, max: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max + 3));
    for c in text.chars() {
        if out.len() + c.len_utf8() > max {
            out.push('…');
            break;
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

#[cfg(test)]
mod tests;
