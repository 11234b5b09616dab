//! Operation-level families: counts, latency, first byte and bytes per operation type.

use prometheus::{Histogram, HistogramVec, IntCounter, IntCounterVec, Registry};

use super::buckets::BucketLabels;
use super::{MetricName, register};
use crate::telemetry::operation::{Operation, OperationType, StatusClass};

const TYPES: usize = OperationType::COUNT;
const CLASSES: usize = StatusClass::ALL.len();

/// Pre-resolved series for every (operation type, status class).
#[derive(Debug, Clone)]
pub struct OperationMetrics {
    requests: [[IntCounter; CLASSES]; TYPES],
    duration: [Histogram; TYPES],
    first_byte: [Histogram; TYPES],
    received: [IntCounter; TYPES],
    sent: [IntCounter; TYPES],
    buckets: BucketLabels,
}

impl OperationMetrics {
    /// Registers the families; `max_bucket_labels` caps the bucket label.
    pub fn register(registry: &Registry, max_bucket_labels: usize) -> Self {
        let requests = IntCounterVec::new(
            MetricName::OperationsTotal.opts(),
            &["operation", "status_class"],
        )
        .map(|v| register(registry, &v));
        let per_type = |name: MetricName| {
            IntCounterVec::new(name.opts(), &["operation"]).map(|v| register(registry, &v))
        };
        let hist = |name: MetricName| {
            HistogramVec::new(name.latency_opts(), &["operation"]).map(|v| register(registry, &v))
        };
        let (requests, duration, first_byte, received, sent) = match (
            requests,
            hist(MetricName::OperationDurationSeconds),
            hist(MetricName::OperationFirstByteSeconds),
            per_type(MetricName::OperationReceivedBytesTotal),
            per_type(MetricName::OperationSentBytesTotal),
        ) {
            (Ok(a), Ok(b), Ok(c), Ok(d), Ok(e)) => (a, b, c, d, e),
            _ => panic!("static metric definitions are valid"),
        };
        let op = |i: usize| OperationType::ALL[i].as_str();
        Self {
            requests: std::array::from_fn(|i| {
                std::array::from_fn(|c| {
                    requests.with_label_values(&[op(i), StatusClass::ALL[c].as_str()])
                })
            }),
            duration: std::array::from_fn(|i| duration.with_label_values(&[op(i)])),
            first_byte: std::array::from_fn(|i| first_byte.with_label_values(&[op(i)])),
            received: std::array::from_fn(|i| received.with_label_values(&[op(i)])),
            sent: std::array::from_fn(|i| sent.with_label_values(&[op(i)])),
            buckets: BucketLabels::register(registry, max_bucket_labels),
        }
    }

    /// Records one operation into every family.
    pub fn record(&self, op: &Operation) {
        let i = op.operation.index();
        let class = StatusClass::of(op.status);
        self.requests[i][class.index()].inc();
        self.duration[i].observe(op.duration.as_secs_f64());
        if let Some(fb) = op.first_byte {
            self.first_byte[i].observe(fb.as_secs_f64());
        }
        self.received[i].inc_by(op.bytes_in);
        self.sent[i].inc_by(op.bytes_out);
        if let Some(bucket) = &op.bucket {
            self.buckets.record(bucket, op, class);
        }
    }

    /// The bucket-label cap, shared with the S3 API families.
    pub fn bucket_labels(&self) -> &BucketLabels {
        &self.buckets
    }
}

/// Application events counted for `/stats` and exported as `spacewatch_app_events_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEvent {
    ToolRequest,
    ChatRequest,
    AgentCall,
    AgentFailure,
    CacheRefresh,
    SnapshotOk,
    SnapshotError,
}

impl AppEvent {
    pub const ALL: [AppEvent; 7] = [
        Self::ToolRequest,
        Self::ChatRequest,
        Self::AgentCall,
        Self::AgentFailure,
        Self::CacheRefresh,
        Self::SnapshotOk,
        Self::SnapshotError,
    ];

    /// The label value, which is also the `/stats` key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToolRequest => "tool_requests",
            Self::ChatRequest => "chat_requests",
            Self::AgentCall => "agent_calls",
            Self::AgentFailure => "agent_failures",
            Self::CacheRefresh => "cache_refreshes",
            Self::SnapshotOk => "snapshots_ok",
            Self::SnapshotError => "snapshots_err",
        }
    }
}

/// Counters of [`AppEvent`]s.
#[derive(Debug, Clone)]
pub struct AppCounters {
    counters: [IntCounter; AppEvent::ALL.len()],
    rate_limited: [IntCounter; 2],
}

impl AppCounters {
    pub fn register(registry: &Registry) -> Self {
        let (events, limited) = match (
            IntCounterVec::new(MetricName::AppEventsTotal.opts(), &["event"]),
            IntCounterVec::new(MetricName::RateLimitedRequestsTotal.opts(), &["scope"]),
        ) {
            (Ok(a), Ok(b)) => (register(registry, &a), register(registry, &b)),
            _ => panic!("static metric definitions are valid"),
        };
        Self {
            counters: std::array::from_fn(|i| {
                events.with_label_values(&[AppEvent::ALL[i].as_str()])
            }),
            rate_limited: [
                limited.with_label_values(&["api"]),
                limited.with_label_values(&["gateway"]),
            ],
        }
    }

    pub fn inc(&self, e: AppEvent) {
        self.counters[e as usize].inc();
    }

    pub fn get(&self, e: AppEvent) -> u64 {
        self.counters[e as usize].get()
    }

    /// Counts a 429; `gateway` picks the scope label.
    pub fn rate_limited(&self, gateway: bool) {
        self.rate_limited[usize::from(gateway)].inc();
    }
}
