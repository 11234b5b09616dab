//! The access logs in Prometheus: per source bucket (the capped bucket label), requests by
//! S3 operation and status class, bytes sent, and total and turn-around time histograms —
//! the whole traffic of a bucket, as the store itself logged it. And the bucket gauges of
//! the latest snapshot (objects, bytes).
//!
//! Each log object is counted once, whoever reads it and however often: its
//! [`ObjectId`] (endpoint, bucket, key, ETag) is remembered in a set that outlives the
//! summary cache — the last [`MAX_COUNTED`] objects counted (about 40 bytes each); an
//! object older than those, read again after the cache let it go, would count again. The
//! operation label is a closed set ([`LogOp`]), never the log's free-form operation name.
//!
//! A log's text names source buckets freely: a bucket claims a label slot of its own only
//! when the tenant who read the log has shown it owns that bucket (its ListBuckets), so one
//! tenant's text cannot fill the slots; the rest count under `__other__`.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;
use prometheus::Registry;
use prometheus::proto::MetricFamily;

use super::cache::ObjectId;
use super::summary::{CLASSES, ObjectSummary};
use crate::accesslog::parse::StatusClass;
use crate::telemetry::bucket::Capped;
use crate::telemetry::prom::MetricName as N;
use crate::telemetry::prom::encode::{
    FnCollector, Hist, counters, desc, gauges, histograms, labels,
};

/// Log objects remembered as counted.
pub const MAX_COUNTED: usize = 1 << 20;

/// The objects counted, the oldest forgotten first beyond `cap`.
#[derive(Debug)]
struct Counted {
    cap: usize,
    set: HashSet<ObjectId>,
    order: VecDeque<ObjectId>,
}

impl Counted {
    fn new(cap: usize) -> Self {
        Self {
            cap,
            set: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// True when `id` was not counted before (it is now).
    fn insert(&mut self, id: ObjectId) -> bool {
        if !self.set.insert(id) {
            return false;
        }
        self.order.push_back(id);
        if self.order.len() > self.cap
            && let Some(old) = self.order.pop_front()
        {
            self.set.remove(&old);
        }
        true
    }
}

/// The S3 operations of the `operation` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogOp {
    GetObject,
    HeadObject,
    PutObject,
    DeleteObject,
    CopyObject,
    ListObjects,
    Multipart,
    Other,
}

impl LogOp {
    pub const ALL: [LogOp; 8] = [
        Self::GetObject,
        Self::HeadObject,
        Self::PutObject,
        Self::DeleteObject,
        Self::CopyObject,
        Self::ListObjects,
        Self::Multipart,
        Self::Other,
    ];

    /// The label of an access-log operation name.
    pub fn of(name: &str) -> Self {
        let mut parts = name.splitn(3, '.');
        let (kind, verb, resource) = (parts.next(), parts.next(), parts.next());
        let resource = resource.unwrap_or("");
        if resource.contains("UPLOAD") || resource == "PART" {
            return Self::Multipart;
        }
        match (kind, verb, resource) {
            (_, Some("COPY"), _) => Self::CopyObject,
            (Some("REST" | "WEBSITE"), Some("GET"), "OBJECT") => Self::GetObject,
            (Some("REST" | "WEBSITE"), Some("HEAD"), "OBJECT") => Self::HeadObject,
            (Some("REST"), Some("PUT" | "POST"), "OBJECT") => Self::PutObject,
            (_, Some("DELETE"), "OBJECT") | (Some("REST"), Some("POST"), "MULTI_OBJECT_DELETE") => {
                Self::DeleteObject
            }
            (Some("REST"), Some("GET"), "BUCKET") => Self::ListObjects,
            _ => Self::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GetObject => "GetObject",
            Self::HeadObject => "HeadObject",
            Self::PutObject => "PutObject",
            Self::DeleteObject => "DeleteObject",
            Self::CopyObject => "CopyObject",
            Self::ListObjects => "ListObjects",
            Self::Multipart => "Multipart",
            Self::Other => "Other",
        }
    }
}

/// One source bucket's counts.
#[derive(Debug, Clone, Copy, Default)]
struct BucketLog {
    requests: [[u64; CLASSES]; LogOp::ALL.len()],
    bytes_sent: u64,
    total: Hist,
    turn_around: Hist,
}

#[derive(Debug, Clone, Copy, Default)]
struct Stored {
    objects: u64,
    bytes: u64,
    /// Snapshot time, unix seconds: only a newer snapshot replaces it.
    at: i64,
}

#[derive(Debug)]
struct State {
    counted: Counted,
    logs: Capped<BucketLog>,
    stored: Capped<Option<Stored>>,
    objects: u64,
    lines_ok: u64,
    lines_malformed: u64,
}

/// The families, fed by the scans and the snapshots.
#[derive(Debug, Clone)]
pub struct LogMetrics {
    state: Arc<Mutex<State>>,
}

impl LogMetrics {
    /// Registers the families; `max_buckets == 0` keeps them off `/metrics` (no bucket label).
    pub fn register(registry: &Registry, max_buckets: usize) -> Self {
        let state = Arc::new(Mutex::new(State {
            counted: Counted::new(MAX_COUNTED),
            logs: Capped::new(max_buckets),
            stored: Capped::new(max_buckets),
            objects: 0,
            lines_ok: 0,
            lines_malformed: 0,
        }));
        let weak = Arc::downgrade(&state);
        let labelled = max_buckets > 0;
        let gather = Box::new(move || match weak.upgrade() {
            Some(s) => families(&s.lock(), labelled),
            None => Vec::new(),
        });
        let mut descs = vec![
            desc(N::AccessLogObjectsTotal, &[]),
            desc(N::AccessLogLinesTotal, &["result"]),
        ];
        if labelled {
            descs.extend([
                desc(
                    N::AccessLogRequestsTotal,
                    &["bucket", "operation", "status_class"],
                ),
                desc(N::AccessLogSentBytesTotal, &["bucket"]),
                desc(N::AccessLogTotalTimeSeconds, &["bucket"]),
                desc(N::AccessLogTurnAroundTimeSeconds, &["bucket"]),
                desc(N::BucketObjects, &["bucket"]),
                desc(N::BucketSizeBytes, &["bucket"]),
            ]);
        }
        if let Err(e) = registry.register(Box::new(FnCollector::new(descs, gather))) {
            panic!("access-log families registered twice: {e}");
        }
        Self { state }
    }

    /// Counts the object `id` unless it was counted before; true if it was counted now.
    /// A source bucket gets a label of its own only if `verified` says the reader owns it.
    pub fn count_once(
        &self,
        id: ObjectId,
        summary: &ObjectSummary,
        verified: impl Fn(&str) -> bool,
    ) -> bool {
        let mut s = self.state.lock();
        if !s.counted.insert(id) {
            return false;
        }
        s.objects += 1;
        s.lines_ok += summary.lines - summary.malformed;
        s.lines_malformed += summary.malformed;
        for h in summary.hours() {
            let b = s.logs.entry(&h.bucket, verified(&h.bucket));
            for (op, row) in h.operations() {
                let r = &mut b.requests[LogOp::of(op) as usize];
                r.iter_mut().zip(row).for_each(|(a, n)| *a += n);
            }
            b.bytes_sent += h.bytes_sent;
            for (ms, n) in h.total_ms() {
                b.total.observe_n(*ms as f64 / 1000.0, *n);
            }
            for (ms, n) in h.turn_around_ms() {
                b.turn_around.observe_n(*ms as f64 / 1000.0, *n);
            }
        }
        true
    }

    /// Sets a bucket's gauges from a snapshot taken at `at`, unless a later one did.
    pub fn stored(&self, bucket: &str, objects: u64, bytes: u64, at: i64) {
        let mut s = self.state.lock();
        let e = s.stored.entry(bucket, true);
        if e.is_none_or(|old| old.at <= at) {
            *e = Some(Stored { objects, bytes, at });
        }
    }
}

fn families(s: &State, labelled: bool) -> Vec<MetricFamily> {
    let mut out = vec![
        counters(N::AccessLogObjectsTotal, vec![(Vec::new(), s.objects)]),
        counters(
            N::AccessLogLinesTotal,
            vec![
                (labels(&[("result", "parsed")]), s.lines_ok),
                (labels(&[("result", "malformed")]), s.lines_malformed),
            ],
        ),
    ];
    if !labelled {
        return out;
    }
    let (mut req, mut sent, mut total, mut turn) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (bucket, b) in s.logs.iter() {
        if b.total.count() == 0 && b.requests.iter().flatten().all(|n| *n == 0) {
            continue;
        }
        for (op, row) in LogOp::ALL.iter().zip(&b.requests) {
            for (c, n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
                let class = CLASS_LABELS[c];
                let l = [
                    ("bucket", bucket),
                    ("operation", op.as_str()),
                    ("status_class", class),
                ];
                req.push((labels(&l), *n));
            }
        }
        sent.push((labels(&[("bucket", bucket)]), b.bytes_sent));
        total.push((labels(&[("bucket", bucket)]), b.total));
        turn.push((labels(&[("bucket", bucket)]), b.turn_around));
    }
    let (mut objects, mut bytes) = (Vec::new(), Vec::new());
    for (bucket, st) in s.stored.iter() {
        if let Some(st) = st {
            objects.push((labels(&[("bucket", bucket)]), st.objects as f64));
            bytes.push((labels(&[("bucket", bucket)]), st.bytes as f64));
        }
    }
    out.extend([
        counters(N::AccessLogRequestsTotal, req),
        counters(N::AccessLogSentBytesTotal, sent),
        histograms(N::AccessLogTotalTimeSeconds, total),
        histograms(N::AccessLogTurnAroundTimeSeconds, turn),
        gauges(N::BucketObjects, objects),
        gauges(N::BucketSizeBytes, bytes),
    ]);
    out
}

/// Status class label values, in [`StatusClass`] order.
const CLASS_LABELS: [&str; CLASSES] = [
    StatusClass::Informational.as_str(),
    StatusClass::Success.as_str(),
    StatusClass::Redirection.as_str(),
    StatusClass::ClientError.as_str(),
    StatusClass::ServerError.as_str(),
    StatusClass::Other.as_str(),
];

#[cfg(test)]
mod tests;
