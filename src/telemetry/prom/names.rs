//! Every metric name SpaceWatch exports, with its help text, in one place.

use prometheus::{HistogramOpts, Opts};

use super::LATENCY_BUCKETS;

/// A metric family name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricName {
    OperationsTotal,
    OperationDurationSeconds,
    OperationFirstByteSeconds,
    OperationReceivedBytesTotal,
    OperationSentBytesTotal,
    BucketOperationsTotal,
    BucketReceivedBytesTotal,
    BucketSentBytesTotal,
    BucketLabelOverflowTotal,
    RateLimitedRequestsTotal,
    AppEventsTotal,
    BuildInfo,
}

impl MetricName {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OperationsTotal => "spacewatch_operations_total",
            Self::OperationDurationSeconds => "spacewatch_operation_duration_seconds",
            Self::OperationFirstByteSeconds => "spacewatch_operation_first_byte_seconds",
            Self::OperationReceivedBytesTotal => "spacewatch_operation_received_bytes_total",
            Self::OperationSentBytesTotal => "spacewatch_operation_sent_bytes_total",
            Self::BucketOperationsTotal => "spacewatch_bucket_operations_total",
            Self::BucketReceivedBytesTotal => "spacewatch_bucket_received_bytes_total",
            Self::BucketSentBytesTotal => "spacewatch_bucket_sent_bytes_total",
            Self::BucketLabelOverflowTotal => "spacewatch_bucket_label_overflow_total",
            Self::RateLimitedRequestsTotal => "spacewatch_rate_limited_requests_total",
            Self::AppEventsTotal => "spacewatch_app_events_total",
            Self::BuildInfo => "spacewatch_build_info",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Self::OperationsTotal => {
                "Storage operations completed, by operation type and status class."
            }
            Self::OperationDurationSeconds => {
                "Storage operation duration, request arrival to the end of the response body."
            }
            Self::OperationFirstByteSeconds => {
                "Request arrival to the first response body byte, for streamed (gateway) operations."
            }
            Self::OperationReceivedBytesTotal => "Request body bytes received from clients.",
            Self::OperationSentBytesTotal => "Response body bytes sent to clients.",
            Self::BucketOperationsTotal => {
                "Storage operations by bucket (capped; the rest under __other__)."
            }
            Self::BucketReceivedBytesTotal => "Request body bytes received, by bucket.",
            Self::BucketSentBytesTotal => "Response body bytes sent, by bucket.",
            Self::BucketLabelOverflowTotal => {
                "Operations whose bucket was folded into __other__ by the bucket-label cap."
            }
            Self::RateLimitedRequestsTotal => {
                "Requests refused with 429 by the per-client rate limit (never operations)."
            }
            Self::AppEventsTotal => {
                "Application events (tool requests, chats, agent calls, snapshots)."
            }
            Self::BuildInfo => "Build information; always 1.",
        }
    }

    pub fn opts(self) -> Opts {
        Opts::new(self.as_str(), self.help())
    }

    /// Histogram options with the latency buckets.
    pub fn latency_opts(self) -> HistogramOpts {
        HistogramOpts::new(self.as_str(), self.help()).buckets(LATENCY_BUCKETS.to_vec())
    }
}
