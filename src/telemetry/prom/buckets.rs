//! The bucket label, capped.
//!
//! The first `cap` distinct buckets seen in *successful* operations get their own label
//! value; anything else — later buckets, and buckets only ever seen failing (typos, other
//! people's buckets) — is counted under `__other__`, so no request can grow the series
//! count without bound.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;
use prometheus::{IntCounter, IntCounterVec, Registry};

use super::{MetricName, register};
use crate::telemetry::operation::{Operation, OperationType, StatusClass};
use crate::telemetry::window::OTHER_BUCKET;

type Lazy = OnceLock<IntCounter>;

/// One bucket's series, created on first use so idle combinations stay absent.
#[derive(Debug, Default)]
struct BucketSeries {
    ops: [[Lazy; 4]; OperationType::COUNT],
    received: Lazy,
    sent: Lazy,
}

/// The capped bucket label and the per-bucket families.
#[derive(Debug, Clone)]
pub struct BucketLabels {
    cap: usize,
    ops: IntCounterVec,
    received: IntCounterVec,
    sent: IntCounterVec,
    overflow: IntCounter,
    seen: Arc<RwLock<HashMap<Arc<str>, Arc<BucketSeries>>>>,
    other: Arc<BucketSeries>,
}

impl BucketLabels {
    pub(crate) fn register(registry: &Registry, cap: usize) -> Self {
        let vec = |name: MetricName, labels: &[&str]| {
            IntCounterVec::new(name.opts(), labels).map(|v| register(registry, &v))
        };
        let (ops, received, sent, overflow) = match (
            vec(
                MetricName::BucketOperationsTotal,
                &["bucket", "operation", "status_class"],
            ),
            vec(MetricName::BucketReceivedBytesTotal, &["bucket"]),
            vec(MetricName::BucketSentBytesTotal, &["bucket"]),
            IntCounter::with_opts(MetricName::BucketLabelOverflowTotal.opts()),
        ) {
            (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, register(registry, &d)),
            _ => panic!("static metric definitions are valid"),
        };
        Self {
            cap,
            ops,
            received,
            sent,
            overflow,
            seen: Arc::default(),
            other: Arc::default(),
        }
    }

    /// The label value a bucket is exported under, claiming a place if `success` allows.
    pub fn label_for(&self, bucket: &str, success: bool) -> Arc<str> {
        match self.series(bucket, success) {
            Some((name, _)) => name,
            None => Arc::from(OTHER_BUCKET),
        }
    }

    pub(crate) fn record(&self, bucket: &Arc<str>, op: &Operation, class: StatusClass) {
        let success = !op.is_error();
        let (label, series) = match self.series(bucket, success) {
            Some(found) => found,
            None => {
                self.overflow.inc();
                (Arc::from(OTHER_BUCKET), self.other.clone())
            }
        };
        let i = op.operation.index();
        let get = |cell: &Lazy, vec: &IntCounterVec, extra: &[&str]| {
            cell.get_or_init(|| {
                let mut values = vec![&*label];
                values.extend_from_slice(extra);
                vec.with_label_values(&values)
            })
            .clone()
        };
        let op_labels = [op.operation.as_str(), class.as_str()];
        get(&series.ops[i][class.index()], &self.ops, &op_labels).inc();
        if op.bytes_in > 0 {
            get(&series.received, &self.received, &[]).inc_by(op.bytes_in);
        }
        if op.bytes_out > 0 {
            get(&series.sent, &self.sent, &[]).inc_by(op.bytes_out);
        }
    }

    /// Finds the bucket's series, inserting it when there is room and `claim` is true.
    fn series(&self, bucket: &str, claim: bool) -> Option<(Arc<str>, Arc<BucketSeries>)> {
        if let Some((k, v)) = self.seen.read().get_key_value(bucket) {
            return Some((k.clone(), v.clone()));
        }
        if !claim {
            return None;
        }
        let mut seen = self.seen.write();
        if let Some((k, v)) = seen.get_key_value(bucket) {
            return Some((k.clone(), v.clone()));
        }
        if seen.len() >= self.cap {
            return None;
        }
        let name: Arc<str> = Arc::from(bucket);
        let series = Arc::new(BucketSeries::default());
        seen.insert(name.clone(), series.clone());
        Some((name, series))
    }
}
