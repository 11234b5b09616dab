//! What the access-log tools answer, one struct per answer.

use serde::Serialize;

use crate::accesslog::answers::{FileJson, PrefixRow};
use crate::accesslog::record::LineRecord;
use crate::accesslog::report::{CoverageJson, TopIp};
use crate::accesslog::search::PageLine;

/// A log line with the fields a question needs.
#[derive(Serialize)]
pub struct Line<'a> {
    time: &'a str,
    bucket: &'a Option<String>,
    remote_ip: &'a Option<String>,
    requester: &'a Option<String>,
    operation: &'a Option<String>,
    key: &'a Option<String>,
    status: Option<u16>,
    error_code: &'a Option<String>,
    bytes_sent: u64,
    total_time_ms: Option<u64>,
    user_agent: &'a Option<String>,
}

impl<'a> From<&'a LineRecord> for Line<'a> {
    fn from(r: &'a LineRecord) -> Self {
        Self {
            time: &r.time,
            bucket: &r.bucket,
            remote_ip: &r.remote_ip,
            requester: &r.requester,
            operation: &r.operation,
            key: &r.key,
            status: r.status,
            error_code: &r.error_code,
            bytes_sent: r.bytes_sent,
            total_time_ms: r.total_time_ms,
            user_agent: &r.user_agent,
        }
    }
}

/// A line of a page: its fields, or why it could not be read.
#[derive(Serialize)]
#[serde(untagged)]
pub enum PageEntry<'a> {
    Parsed(Line<'a>),
    Malformed { line: u64, malformed: &'a str },
}

impl<'a> From<&'a PageLine> for PageEntry<'a> {
    fn from(l: &'a PageLine) -> Self {
        match l {
            PageLine::Parsed(r) => Self::Parsed(Line::from(&**r)),
            PageLine::Malformed { line, error, .. } => Self::Malformed {
                line: *line,
                malformed: error,
            },
        }
    }
}

/// How much of the logs an answer rests on.
#[derive(Serialize)]
pub struct Coverage {
    log_objects_read: usize,
    log_objects_skipped: usize,
    lines: u64,
    malformed_lines: u64,
}

impl From<&CoverageJson> for Coverage {
    fn from(c: &CoverageJson) -> Self {
        Self {
            log_objects_read: c.objects_read + c.objects_cached,
            log_objects_skipped: c.objects_skipped,
            lines: c.lines,
            malformed_lines: c.malformed_lines,
        }
    }
}

#[derive(Serialize)]
pub struct Files<'a> {
    pub log_bucket: &'a str,
    pub count: usize,
    pub objects_listed: usize,
    pub total_bytes: u64,
    pub returned: usize,
    pub files: Vec<FileJson>,
}

#[derive(Serialize)]
pub struct Page<'a> {
    pub key: &'a str,
    pub offset: u64,
    pub returned: usize,
    pub total_lines: u64,
    pub has_more: bool,
    pub lines: Vec<PageEntry<'a>>,
}

#[derive(Serialize)]
pub struct Search<'a> {
    pub count: u64,
    pub returned: usize,
    pub truncated: bool,
    pub results: Vec<Line<'a>>,
    pub coverage: Coverage,
}

#[derive(Serialize)]
pub struct Audit<'a> {
    pub object_key: &'a str,
    pub count: u64,
    pub returned: usize,
    pub note: Option<&'static str>,
    pub events: Vec<Line<'a>>,
    pub coverage: Coverage,
}

#[derive(Serialize)]
pub struct TopIps<'a> {
    pub requests_total: u64,
    pub bytes_sent: u64,
    pub unique_ips: u64,
    pub top_ips: &'a [TopIp],
    pub coverage: Coverage,
}

#[derive(Serialize)]
pub struct HotPrefixes<'a> {
    pub depth: usize,
    pub prefixes: usize,
    pub by_requests: &'a [PrefixRow],
    pub by_errors: &'a [PrefixRow],
    pub by_slowdowns: &'a [PrefixRow],
    pub coverage: Coverage,
}

/// The request metrics with their coverage.
#[derive(Serialize)]
pub struct RequestMetrics<'a, M: Serialize> {
    #[serde(flatten)]
    pub metrics: &'a M,
    pub coverage: Coverage,
}
