//! The figures of a query, as answers and snapshot lines show them.

use std::collections::BTreeMap;

use serde::Serialize;

use super::parse::StatusClass;
use super::scan::Coverage;
use super::summary::{CLASSES, METHODS};
use super::totals::{Totals, mean, quantile};

/// Latency figures of one distribution, in milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Latency {
    pub count: u64,
    pub p50: Option<u64>,
    pub p95: Option<u64>,
    pub p99: Option<u64>,
    pub avg: Option<f64>,
    pub max: Option<u64>,
}

impl Latency {
    fn of(d: &BTreeMap<u64, u64>) -> Self {
        Self {
            count: d.values().sum(),
            p50: quantile(d, 0.50),
            p95: quantile(d, 0.95),
            p99: quantile(d, 0.99),
            avg: mean(d).map(|m| (m * 1000.0).round() / 1000.0),
            max: d.keys().next_back().copied(),
        }
    }
}

/// One busy client.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TopIp {
    pub ip: String,
    pub requests: u64,
    pub bytes: u64,
    pub errors: u64,
}

/// Request metrics of a source bucket over a window.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequestMetrics {
    pub requests_total: u64,
    pub bytes_sent: u64,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    pub error_rate_percent: f64,
    pub by_status_class: BTreeMap<&'static str, u64>,
    pub by_method: BTreeMap<&'static str, u64>,
    pub by_operation: BTreeMap<String, BTreeMap<&'static str, u64>>,
    pub unique_ips: u64,
    pub top_ips: Vec<TopIp>,
    pub total_time_ms: Latency,
    pub turn_around_ms: Latency,
}

const CLASS_ORDER: [StatusClass; CLASSES] = [
    StatusClass::Informational,
    StatusClass::Success,
    StatusClass::Redirection,
    StatusClass::ClientError,
    StatusClass::ServerError,
    StatusClass::Other,
];

fn classes(row: &[u64; CLASSES], keep_zero: bool) -> BTreeMap<&'static str, u64> {
    CLASS_ORDER
        .iter()
        .zip(row)
        .filter(|(c, n)| {
            **n > 0 || keep_zero && !matches!(c, StatusClass::Informational | StatusClass::Other)
        })
        .map(|(c, n)| (c.as_str(), *n))
        .collect()
}

impl RequestMetrics {
    pub fn of(t: &Totals<'_>, top: usize) -> Self {
        let (e4, e5) = t.errors();
        let rate = if t.requests == 0 {
            0.0
        } else {
            ((e4 + e5) as f64 * 100.0 / t.requests as f64 * 1e4).round() / 1e4
        };
        Self {
            requests_total: t.requests,
            bytes_sent: t.bytes_sent,
            errors_4xx: e4,
            errors_5xx: e5,
            error_rate_percent: rate,
            by_status_class: classes(&t.by_class, true),
            by_method: METHODS
                .iter()
                .zip(t.by_method)
                .filter(|(_, n)| *n > 0)
                .map(|(m, n)| (*m, n))
                .collect(),
            by_operation: t
                .by_operation
                .iter()
                .map(|(op, row)| (op.to_string(), classes(row, false)))
                .collect(),
            unique_ips: t.clients.len() as u64,
            top_ips: t
                .top_clients(top)
                .into_iter()
                .map(|(ip, s)| TopIp {
                    ip,
                    requests: s.requests,
                    bytes: s.bytes,
                    errors: s.errors,
                })
                .collect(),
            total_time_ms: Latency::of(&t.total_ms),
            turn_around_ms: Latency::of(&t.turn_around_ms),
        }
    }
}

/// What an answer rests on, as JSON.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CoverageJson {
    pub objects_listed: usize,
    pub objects_considered: usize,
    pub objects_read: usize,
    pub objects_cached: usize,
    /// Objects left unread: more than `ACCESS_LOG_MAX_OBJECTS` for one answer.
    pub objects_deferred: usize,
    pub objects_skipped: usize,
    /// The first skipped objects and why (all are counted in `objects_skipped`).
    pub skipped: Vec<SkippedJson>,
    pub lines: u64,
    pub malformed_lines: u64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SkippedJson {
    pub key: String,
    pub reason: &'static str,
}

impl From<&Coverage> for CoverageJson {
    fn from(c: &Coverage) -> Self {
        Self {
            objects_listed: c.objects_listed,
            objects_considered: c.objects_considered,
            objects_read: c.objects_read,
            objects_cached: c.objects_cached,
            objects_deferred: c.objects_deferred,
            objects_skipped: c.skipped.len(),
            skipped: c
                .skipped
                .iter()
                .take(50)
                .map(|s| SkippedJson {
                    key: s.key.clone(),
                    reason: s.reason,
                })
                .collect(),
            lines: c.lines,
            malformed_lines: c.malformed_lines,
        }
    }
}
