//! Operation-level families: counts, latency, first byte and bytes per operation type.
//! (Per-bucket families live with the other per-bucket state, in `telemetry::bucket`.)

use prometheus::core::Desc;
use prometheus::proto::MetricFamily;

use super::MetricName as N;
use super::encode::{Hist, counters, desc, histograms, labels};
use crate::telemetry::StatusClass;
use crate::telemetry::operation::{Operation, OperationType};

const TYPES: usize = OperationType::COUNT;
const CLASSES: usize = StatusClass::ANSWERED.len();

/// Counters of every operation, as plain integers (see [`super::encode`]).
#[derive(Debug, Clone)]
pub struct OperationCounters {
    requests: [[u64; CLASSES]; TYPES],
    duration: [Hist; TYPES],
    first_byte: [Hist; TYPES],
    received: [u64; TYPES],
    sent: [u64; TYPES],
}

impl OperationCounters {
    pub fn new() -> Self {
        Self {
            requests: [[0; CLASSES]; TYPES],
            duration: [Hist::default(); TYPES],
            first_byte: [Hist::default(); TYPES],
            received: [0; TYPES],
            sent: [0; TYPES],
        }
    }

    /// Counts one operation.
    #[inline]
    pub fn record(&mut self, op: &Operation) {
        let i = op.operation.index();
        let c = StatusClass::of_answer(op.status).answered_index();
        self.requests[i][c] += 1;
        self.duration[i].observe(op.duration.as_secs_f64());
        if let Some(fb) = op.first_byte {
            self.first_byte[i].observe(fb.as_secs_f64());
        }
        self.received[i] += op.bytes_in;
        self.sent[i] += op.bytes_out;
    }

    /// The descriptions of every family built by [`families`](Self::families).
    pub fn descs() -> Vec<Desc> {
        vec![
            desc(N::OperationsTotal, &["operation", "status_class"]),
            desc(N::OperationDurationSeconds, &["operation"]),
            desc(N::OperationFirstByteSeconds, &["operation"]),
            desc(N::OperationReceivedBytesTotal, &["operation"]),
            desc(N::OperationSentBytesTotal, &["operation"]),
        ]
    }

    /// Every family; each (operation, status class) series exists from the first scrape.
    pub fn families(&self) -> Vec<MetricFamily> {
        let op = |i: usize| OperationType::ALL[i].as_str();
        let cls = |c: usize| StatusClass::ANSWERED[c].as_str();
        let per_type = |name, v: &[u64; TYPES]| {
            counters(
                name,
                (0..TYPES)
                    .map(|i| (labels(&[("operation", op(i))]), v[i]))
                    .collect(),
            )
        };
        let hist = |name, h: &[Hist; TYPES]| {
            histograms(
                name,
                (0..TYPES)
                    .map(|i| (labels(&[("operation", op(i))]), h[i]))
                    .collect(),
            )
        };
        let requests = (0..TYPES)
            .flat_map(|i| (0..CLASSES).map(move |c| (i, c)))
            .map(|(i, c)| {
                (
                    labels(&[("operation", op(i)), ("status_class", cls(c))]),
                    self.requests[i][c],
                )
            })
            .collect();
        vec![
            counters(N::OperationsTotal, requests),
            hist(N::OperationDurationSeconds, &self.duration),
            hist(N::OperationFirstByteSeconds, &self.first_byte),
            per_type(N::OperationReceivedBytesTotal, &self.received),
            per_type(N::OperationSentBytesTotal, &self.sent),
        ]
    }
}

impl Default for OperationCounters {
    fn default() -> Self {
        Self::new()
    }
}
