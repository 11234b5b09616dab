//! Everything kept per bucket: the Prometheus counters under the `bucket` label and the
//! last-hour analytics of `/metrics/operations`, in one capped map so one lookup serves
//! both.
//!
//! The first `cap` distinct buckets seen in *successful* operations get their own entry;
//! anything else — later buckets, and buckets only ever seen failing (typos, other
//! people's buckets) — is counted under [`OTHER_BUCKET`], so no request can grow the
//! series count or the memory without bound. Entries are kept for the process lifetime,
//! as Prometheus counters must be.

mod capped;
mod window;

use std::sync::Arc;

use prometheus::core::Desc;
use prometheus::proto::MetricFamily;

pub use capped::Capped;
pub use window::{BUCKET_WINDOW, BucketStats};

use super::StatusClass;
use super::clock::UnixTime;
use super::operation::{Operation, OperationType};
use super::prom::MetricName as N;
use super::prom::encode::{counters, desc, labels};
use super::s3::{CallClass, PerApi, S3Call};
use super::window::Sample;
use window::BucketWindow;

/// Label value and analytics key of the buckets beyond the cap.
pub const OTHER_BUCKET: &str = "__other__";

const TYPES: usize = OperationType::COUNT;
const CLASSES: usize = StatusClass::ANSWERED.len();

/// One bucket's Prometheus counters: its operations, and the S3 calls made for it.
#[derive(Debug, Clone, Default)]
pub struct BucketCounts {
    ops: [[u64; CLASSES]; TYPES],
    received: u64,
    sent: u64,
    s3: PerApi<[u64; CallClass::COUNT]>,
    s3_down: u64,
    s3_up: u64,
}

/// One bucket's entry.
#[derive(Debug, Default)]
pub struct BucketEntry {
    counts: BucketCounts,
    window: BucketWindow,
}

/// The per-bucket state of a recorder.
#[derive(Debug)]
pub struct Buckets {
    map: Capped<BucketEntry>,
}

impl Buckets {
    pub fn new(cap: usize) -> Self {
        Self {
            map: Capped::new(cap),
        }
    }

    #[inline]
    pub fn record(&mut self, now: UnixTime, bucket: &Arc<str>, op: &Operation, s: &Sample) {
        let e = self.map.entry(bucket, !op.is_error());
        e.counts.ops[op.operation.index()][StatusClass::of_answer(op.status).answered_index()] += 1;
        e.counts.received += op.bytes_in;
        e.counts.sent += op.bytes_out;
        e.window.record(now, s);
    }

    /// Counts an upstream S3 call for its bucket (a successful call may claim a place).
    #[inline]
    pub fn record_s3(&mut self, bucket: &Arc<str>, c: &S3Call) {
        let e = self.map.entry(bucket, c.is_success());
        e.counts.s3.entry(c.api)[c.class().index()] += 1;
        e.counts.s3_down += c.bytes_down;
        e.counts.s3_up += c.bytes_up;
        e.window.record_s3(c);
    }

    /// Buckets with operations or S3 calls in the last hour, busiest first.
    pub fn analytics(&mut self, now: UnixTime) -> Vec<BucketStats> {
        let mut out: Vec<BucketStats> = self
            .map
            .iter_mut()
            .filter_map(|(name, e)| e.window.stats(now, name))
            .collect();
        out.sort_by(|a, b| {
            b.cell
                .count
                .cmp(&a.cell.count)
                .then(a.bucket.cmp(&b.bucket))
        });
        out
    }

    /// The counters, copied (cheaply) so families are built outside the recorder's lock.
    pub fn counts(&self) -> BucketCountsSnapshot {
        BucketCountsSnapshot {
            entries: self
                .map
                .iter()
                .map(|(k, e)| (Arc::from(k), e.counts.clone()))
                .collect(),
            overflow: self.map.overflow,
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.map
            .iter()
            .map(|(k, e)| k.len() + std::mem::size_of::<BucketEntry>() + e.window.heap_bytes())
            .sum()
    }
}

/// A copy of every bucket's counters, for one scrape.
#[derive(Debug, Clone)]
pub struct BucketCountsSnapshot {
    entries: Vec<(Arc<str>, BucketCounts)>,
    overflow: u64,
}

impl BucketCountsSnapshot {
    pub fn descs() -> Vec<Desc> {
        vec![
            desc(
                N::BucketOperationsTotal,
                &["bucket", "operation", "status_class"],
            ),
            desc(N::BucketReceivedBytesTotal, &["bucket"]),
            desc(N::BucketSentBytesTotal, &["bucket"]),
            desc(N::BucketLabelOverflowTotal, &[]),
            desc(N::S3BucketRequestsTotal, &["bucket", "api", "status_class"]),
            desc(N::S3BucketDownloadedBytesTotal, &["bucket"]),
            desc(N::S3BucketUploadedBytesTotal, &["bucket"]),
        ]
    }

    /// The families; series appear once used.
    pub fn families(&self) -> Vec<MetricFamily> {
        let (mut ops, mut received, mut sent) = (Vec::new(), Vec::new(), Vec::new());
        let (mut s3, mut down, mut up) = (Vec::new(), Vec::new(), Vec::new());
        for (bucket, b) in &self.entries {
            for (a, row) in b.s3.sorted() {
                for (c, n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
                    let l = [
                        ("bucket", &**bucket),
                        ("api", a.as_str()),
                        ("status_class", CallClass::ALL[c].as_str()),
                    ];
                    s3.push((labels(&l), *n));
                }
            }
            if b.s3_down > 0 {
                down.push((labels(&[("bucket", bucket)]), b.s3_down));
            }
            if b.s3_up > 0 {
                up.push((labels(&[("bucket", bucket)]), b.s3_up));
            }
            for (i, row) in b.ops.iter().enumerate() {
                for (c, n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
                    let l = [
                        ("bucket", &**bucket),
                        ("operation", OperationType::ALL[i].as_str()),
                        ("status_class", StatusClass::ANSWERED[c].as_str()),
                    ];
                    ops.push((labels(&l), *n));
                }
            }
            if b.received > 0 {
                received.push((labels(&[("bucket", bucket)]), b.received));
            }
            if b.sent > 0 {
                sent.push((labels(&[("bucket", bucket)]), b.sent));
            }
        }
        let overflow = vec![(Vec::new(), self.overflow)];
        [
            (N::BucketOperationsTotal, ops),
            (N::BucketReceivedBytesTotal, received),
            (N::BucketSentBytesTotal, sent),
            (N::BucketLabelOverflowTotal, overflow),
            (N::S3BucketRequestsTotal, s3),
            (N::S3BucketDownloadedBytesTotal, down),
            (N::S3BucketUploadedBytesTotal, up),
        ]
        .into_iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(n, s)| counters(n, s))
        .collect()
    }
}

#[cfg(test)]
mod tests;
