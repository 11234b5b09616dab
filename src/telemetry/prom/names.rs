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
    S3RequestsTotal,
    S3FirstByteLatencySeconds,
    S3TotalRequestLatencySeconds,
    S3DownloadedBytesTotal,
    S3UploadedBytesTotal,
    S3BucketRequestsTotal,
    S3BucketDownloadedBytesTotal,
    S3BucketUploadedBytesTotal,
    RateLimitedRequestsTotal,
    AppEventsTotal,
    OtelSpansDroppedTotal,
    OtelSpansExportedTotal,
    BuildInfo,
    WindowOperations,
    WindowTransferredBytes,
    WindowOperationDurationSeconds,
    WindowOperationsPerSecond,
    WindowTransferredBytesPerSecond,
    BucketWindowOperations,
    BucketWindowErrors,
    BucketWindowTransferredBytes,
    BucketWindowDurationSeconds,
    BucketWindowP95Seconds,
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
            Self::S3RequestsTotal => "spacewatch_s3_requests_total",
            Self::S3FirstByteLatencySeconds => "spacewatch_s3_first_byte_latency_seconds",
            Self::S3TotalRequestLatencySeconds => "spacewatch_s3_total_request_latency_seconds",
            Self::S3DownloadedBytesTotal => "spacewatch_s3_downloaded_bytes_total",
            Self::S3UploadedBytesTotal => "spacewatch_s3_uploaded_bytes_total",
            Self::S3BucketRequestsTotal => "spacewatch_s3_bucket_requests_total",
            Self::S3BucketDownloadedBytesTotal => "spacewatch_s3_bucket_downloaded_bytes_total",
            Self::S3BucketUploadedBytesTotal => "spacewatch_s3_bucket_uploaded_bytes_total",
            Self::RateLimitedRequestsTotal => "spacewatch_rate_limited_requests_total",
            Self::AppEventsTotal => "spacewatch_app_events_total",
            Self::OtelSpansDroppedTotal => "spacewatch_otel_spans_dropped_total",
            Self::OtelSpansExportedTotal => "spacewatch_otel_spans_exported_total",
            Self::BuildInfo => "spacewatch_build_info",
            Self::WindowOperations => "spacewatch_window_operations",
            Self::WindowTransferredBytes => "spacewatch_window_transferred_bytes",
            Self::WindowOperationDurationSeconds => "spacewatch_window_operation_duration_seconds",
            Self::WindowOperationsPerSecond => "spacewatch_window_operations_per_second",
            Self::WindowTransferredBytesPerSecond => {
                "spacewatch_window_transferred_bytes_per_second"
            }
            Self::BucketWindowOperations => "spacewatch_bucket_window_operations",
            Self::BucketWindowErrors => "spacewatch_bucket_window_errors",
            Self::BucketWindowTransferredBytes => "spacewatch_bucket_window_transferred_bytes",
            Self::BucketWindowDurationSeconds => "spacewatch_bucket_window_duration_seconds",
            Self::BucketWindowP95Seconds => "spacewatch_bucket_window_p95_seconds",
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
            Self::S3RequestsTotal => {
                "Upstream S3 API calls by API and status class (CloudWatch AllRequests, GetRequests, 4xxErrors, ...)."
            }
            Self::S3FirstByteLatencySeconds => {
                "Upstream S3 call: request sent to response headers received (CloudWatch FirstByteLatency)."
            }
            Self::S3TotalRequestLatencySeconds => {
                "Upstream S3 call: request start to last response byte (CloudWatch TotalRequestLatency)."
            }
            Self::S3DownloadedBytesTotal => {
                "Response body bytes of upstream S3 calls (CloudWatch BytesDownloaded)."
            }
            Self::S3UploadedBytesTotal => {
                "Request body bytes of upstream S3 calls (CloudWatch BytesUploaded)."
            }
            Self::S3BucketRequestsTotal => {
                "Upstream S3 API calls by bucket (capped; the rest under __other__)."
            }
            Self::S3BucketDownloadedBytesTotal => {
                "Response body bytes of upstream S3 calls, by bucket."
            }
            Self::S3BucketUploadedBytesTotal => {
                "Request body bytes of upstream S3 calls, by bucket."
            }
            Self::RateLimitedRequestsTotal => {
                "Requests refused with 429 by the per-client rate limit (never operations)."
            }
            Self::AppEventsTotal => {
                "Application events (tool requests, chats, agent calls, snapshots)."
            }
            Self::OtelSpansDroppedTotal => {
                "Spans not delivered to the OTLP collector: queue full (collector slow or down) or export failed."
            }
            Self::OtelSpansExportedTotal => "Spans the OTLP collector accepted.",
            Self::BuildInfo => {
                "Build information and this replica's service.instance.id; always 1."
            }
            Self::WindowOperations => {
                "Operations in the window (5m, 1h, 24h) as of this scrape, by operation type and status class: exact, and summable across replicas. A gauge: never rate() it."
            }
            Self::WindowTransferredBytes => {
                "Request plus response body bytes of the operations in the window, as of this scrape."
            }
            Self::WindowOperationDurationSeconds => {
                "The operations in the window by duration, as of this scrape: a gauge histogram (values fall as the window slides). Sum it across replicas and read it with histogram_quantile directly, never through rate() or increase()."
            }
            Self::WindowOperationsPerSecond => {
                "Operations per second over the window, as of this scrape: its operations over the part of it this process has been running for. Summable across replicas."
            }
            Self::WindowTransferredBytesPerSecond => {
                "Request plus response body bytes per second over the window, as of this scrape. Summable across replicas."
            }
            Self::BucketWindowOperations => {
                "Operations in the last hour, by bucket (capped; the rest under __other__), as of this scrape."
            }
            Self::BucketWindowErrors => {
                "Operations with status >= 400 in the last hour, by bucket, as of this scrape."
            }
            Self::BucketWindowTransferredBytes => {
                "Request plus response body bytes in the last hour, by bucket, as of this scrape."
            }
            Self::BucketWindowDurationSeconds => {
                "Summed duration of the operations in the last hour, by bucket, as of this scrape."
            }
            Self::BucketWindowP95Seconds => {
                "95th percentile duration of the operations in the last hour, by bucket (sketch, 1 % relative error); not summable: the fleet view takes the largest."
            }
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
