//! One log line as an answer shows it: every field, owned, with the key decoded, quoted
//! fields unescaped and the time in RFC 3339. A field longer than its cap — [`MAX_KEY`] for
//! the key, the request URI and the log object, [`MAX_FIELD`] for the rest — is cut and
//! marked with `…`, so a record is a few KiB at most whatever a line holds.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

/// Longest key, request URI or log object name kept in a record, bytes.
pub const MAX_KEY: usize = 1024;
/// Longest other field kept in a record, bytes.
pub const MAX_FIELD: usize = 256;

/// `s` cut to `max` bytes, marked with `…` when it was cut.
fn cut(s: &str, max: usize) -> String {
    if s.len() <= max {
        s.to_string()
    } else {
        crate::telemetry::operation::bounded_text(s, max)
    }
}

fn own(s: Option<&str>) -> Option<String> {
    s.map(|s| cut(s, MAX_FIELD))
}

fn own_long(s: Option<&str>) -> Option<String> {
    s.map(|s| cut(s, MAX_KEY))
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
            log_object: cut(log_object, MAX_KEY),
            line,
            bucket_owner: own(l.bucket_owner),
            bucket: own(l.bucket),
            remote_ip: own(l.remote_ip),
            requester: own(l.requester),
            request_id: own(l.request_id),
            operation: own(l.operation),
            key: own_long(l.key_decoded().as_deref()),
            request_uri: own_long(l.request_uri.map(|q| q.unescaped()).as_deref()),
            status: l.status,
            error_code: own(l.error_code),
            bytes_sent: l.bytes_sent,
            object_size: l.object_size,
            total_time_ms: l.total_time_ms,
            turn_around_ms: l.turn_around_ms,
            referer: own(l.referer.map(|q| q.unescaped()).as_deref()),
            user_agent: own(l.user_agent.map(|q| q.unescaped()).as_deref()),
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

    /// Approximate heap bytes (and bytes of JSON) of the record.
    pub fn heap_bytes(&self) -> usize {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        let strings = [
            &self.bucket_owner,
            &self.bucket,
            &self.remote_ip,
            &self.requester,
            &self.request_id,
            &self.operation,
            &self.key,
            &self.request_uri,
            &self.error_code,
            &self.referer,
            &self.user_agent,
            &self.version_id,
            &self.host_id,
            &self.signature_version,
            &self.cipher_suite,
            &self.auth_type,
            &self.host_header,
            &self.tls_version,
            &self.access_point_arn,
            &self.acl_required,
            &self.source_region,
        ];
        std::mem::size_of::<Self>()
            + self.time.len()
            + self.log_object.len()
            + strings.iter().map(|s| opt(s)).sum::<usize>()
    }

    /// Newest first: later time, then later object, then later line.
    pub fn newer(&self, other: &Self) -> std::cmp::Ordering {
        (self.unix, &self.log_object, self.line).cmp(&(other.unix, &other.log_object, other.line))
    }
}

/// A record ordered by time, log object and line.
pub(crate) struct Entry(LineRecord);

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.0.newer(&o.0).is_eq()
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.newer(&o.0)
    }
}

/// The newest — or, for a history, the oldest — `limit` records offered: memory stays at
/// `limit` records however many are offered.
pub(crate) enum Kept {
    Newest(usize, BinaryHeap<Reverse<Entry>>),
    Oldest(usize, BinaryHeap<Entry>),
}

impl Kept {
    pub(crate) fn newest(limit: usize) -> Self {
        Self::Newest(limit, BinaryHeap::new())
    }

    pub(crate) fn oldest(limit: usize) -> Self {
        Self::Oldest(limit, BinaryHeap::new())
    }

    /// Offers the record of rank `key` (time, log object, line) that `make` builds —
    /// built only when it is kept.
    pub(crate) fn offer(&mut self, key: (i64, &str, u64), make: impl FnOnce() -> LineRecord) {
        fn rank(r: &LineRecord) -> (i64, &str, u64) {
            (r.unix, &r.log_object, r.line)
        }
        match self {
            Self::Newest(limit, heap) => {
                if heap.len() >= *limit {
                    match heap.peek() {
                        Some(Reverse(min)) if rank(&min.0) < key => heap.pop(),
                        _ => return,
                    };
                }
                heap.push(Reverse(Entry(make())));
            }
            Self::Oldest(limit, heap) => {
                if heap.len() >= *limit {
                    match heap.peek() {
                        Some(max) if rank(&max.0) > key => heap.pop(),
                        _ => return,
                    };
                }
                heap.push(Entry(make()));
            }
        }
    }

    pub(crate) fn offer_record(&mut self, r: &LineRecord) {
        self.offer((r.unix, &r.log_object, r.line), || r.clone());
    }

    /// The records kept, newest first (oldest first for a history).
    pub(crate) fn into_sorted(self) -> Vec<LineRecord> {
        match self {
            Self::Newest(_, heap) => heap
                .into_sorted_vec()
                .into_iter()
                .map(|Reverse(e)| e.0)
                .collect(),
            Self::Oldest(_, heap) => heap.into_sorted_vec().into_iter().map(|e| e.0).collect(),
        }
    }
}

/// `records` cut where they pass [`MAX_ANSWER_BYTES`](super::search::MAX_ANSWER_BYTES); true when some were cut.
pub(crate) fn cap_answer(records: &mut Vec<LineRecord>) -> bool {
    let mut bytes = 0;
    let keep = records
        .iter()
        .take_while(|r| {
            bytes += r.heap_bytes();
            bytes <= super::search::MAX_ANSWER_BYTES
        })
        .count();
    let capped = keep < records.len();
    records.truncate(keep);
    capped
}
