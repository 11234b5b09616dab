//! One log line as an answer shows it: every field, owned, with the key decoded, quoted
//! fields unescaped and the time in RFC 3339.

use serde::Serialize;

use super::parse::LogLine;

/// A line of a log object, for search results, object reads and audit timelines.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineRecord {
    pub time: String,
    /// Unix seconds, for ordering.
    #[serde(skip)]
    pub unix: i64,
    pub log_object: String,
    /// 1-based line number in the (decompressed) object.
    pub line: u64,
    pub bucket_owner: Option<String>,
    pub bucket: Option<String>,
    pub remote_ip: Option<String>,
    pub requester: Option<String>,
    pub request_id: Option<String>,
    pub operation: Option<String>,
    pub key: Option<String>,
    pub request_uri: Option<String>,
    pub status: Option<u16>,
    pub error_code: Option<String>,
    pub bytes_sent: u64,
    pub object_size: Option<u64>,
    pub total_time_ms: Option<u64>,
    pub turn_around_ms: Option<u64>,
    pub referer: Option<String>,
    pub user_agent: Option<String>,
    pub version_id: Option<String>,
    pub host_id: Option<String>,
    pub signature_version: Option<String>,
    pub cipher_suite: Option<String>,
    pub auth_type: Option<String>,
    pub host_header: Option<String>,
    pub tls_version: Option<String>,
    pub access_point_arn: Option<String>,
    pub acl_required: Option<String>,
    pub source_region: Option<String>,
}

fn own(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

/// RFC 3339 UTC of unix seconds.
pub fn iso(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

impl LineRecord {
    pub fn new(l: &LogLine<'_>, log_object: &str, line: u64) -> Self {
        Self {
            time: iso(l.time),
            unix: l.time,
            log_object: log_object.to_string(),
            line,
            bucket_owner: own(l.bucket_owner),
            bucket: own(l.bucket),
            remote_ip: own(l.remote_ip),
            requester: own(l.requester),
            request_id: own(l.request_id),
            operation: own(l.operation),
            key: l.key_decoded().map(|k| k.into_owned()),
            request_uri: l.request_uri.map(|q| q.unescaped().into_owned()),
            status: l.status,
            error_code: own(l.error_code),
            bytes_sent: l.bytes_sent,
            object_size: l.object_size,
            total_time_ms: l.total_time_ms,
            turn_around_ms: l.turn_around_ms,
            referer: l.referer.map(|q| q.unescaped().into_owned()),
            user_agent: l.user_agent.map(|q| q.unescaped().into_owned()),
            version_id: own(l.version_id),
            host_id: own(l.host_id),
            signature_version: own(l.signature_version),
            cipher_suite: own(l.cipher_suite),
            auth_type: own(l.auth_type),
            host_header: own(l.host_header),
            tls_version: own(l.tls_version),
            access_point_arn: own(l.access_point_arn),
            acl_required: own(l.acl_required),
            source_region: own(l.source_region),
        }
    }

    /// Newest first: later time, then later object, then later line.
    pub fn newer(&self, other: &Self) -> std::cmp::Ordering {
        (self.unix, &self.log_object, self.line).cmp(&(other.unix, &other.log_object, other.line))
    }
}
