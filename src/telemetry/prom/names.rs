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
    RefusedRequestsTotal,
    AccessLogRequestsTotal,
    AccessLogSentBytesTotal,
    AccessLogTotalTimeSeconds,
    AccessLogTurnAroundTimeSeconds,
    AccessLogObjectsTotal,
    AccessLogLinesTotal,
    BucketObjects,
    BucketSizeBytes,
    AppEventsTotal,
    GenAiClientOperationDurationSeconds,
    GenAiClientTokenUsage,
    GenAiClientErrorsTotal,
    AgentChatSteps,
    AgentToolCallsTotal,
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
            Self::RefusedRequestsTotal => "spacewatch_refused_requests_total",
            Self::AccessLogRequestsTotal => "spacewatch_access_log_requests_total",
            Self::AccessLogSentBytesTotal => "spacewatch_access_log_sent_bytes_total",
            Self::AccessLogTotalTimeSeconds => "spacewatch_access_log_total_time_seconds",
            Self::AccessLogTurnAroundTimeSeconds => {
                "spacewatch_access_log_turn_around_time_seconds"
            }
            Self::AccessLogObjectsTotal => "spacewatch_access_log_objects_total",
            Self::AccessLogLinesTotal => "spacewatch_access_log_lines_total",
            Self::BucketObjects => "spacewatch_bucket_objects",
            Self::BucketSizeBytes => "spacewatch_bucket_size_bytes",
            Self::AppEventsTotal => "spacewatch_app_events_total",
            Self::GenAiClientOperationDurationSeconds => {
                "spacewatch_gen_ai_client_operation_duration_seconds"
            }
            Self::GenAiClientTokenUsage => "spacewatch_gen_ai_client_token_usage",
            Self::GenAiClientErrorsTotal => "spacewatch_gen_ai_client_errors_total",
            Self::AgentChatSteps => "spacewatch_agent_chat_steps",
            Self::AgentToolCallsTotal => "spacewatch_agent_tool_calls_total",
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
            Self::RefusedRequestsTotal => {
                "Requests refused before they could become operations: credentials missing or malformed, credentials the storage rejected, a wrong admin key."
            }
            Self::AccessLogRequestsTotal => {
                "Requests in the buckets' own access logs, by source bucket, S3 operation and status class; each log object counted once."
            }
            Self::AccessLogSentBytesTotal => {
                "Response bytes in the buckets' own access logs, by source bucket."
            }
            Self::AccessLogTotalTimeSeconds => {
                "Access-log total time (request received to last byte sent), by source bucket."
            }
            Self::AccessLogTurnAroundTimeSeconds => {
                "Access-log turn-around time (last request byte to first response byte), by source bucket."
            }
            Self::AccessLogObjectsTotal => {
                "Access-log objects counted into the access-log families (each once, by bucket, key and ETag)."
            }
            Self::AccessLogLinesTotal => {
                "Lines of the counted access-log objects, by result (parsed or malformed)."
            }
            Self::BucketObjects => {
                "Objects in a bucket at its latest snapshot (CloudWatch NumberOfObjects)."
            }
            Self::BucketSizeBytes => {
                "Bytes stored in a bucket at its latest snapshot (CloudWatch BucketSizeBytes)."
            }
            Self::AppEventsTotal => {
                "Application events (tool requests, chats, agent calls, snapshots)."
            }
            Self::GenAiClientOperationDurationSeconds => {
                "Agent model calls (chat completions), request to answer, retries included (gen_ai.client.operation.duration)."
            }
            Self::GenAiClientTokenUsage => {
                "Tokens per agent model call, by token type: input (prompt) or output (completion) (gen_ai.client.token.usage)."
            }
            Self::GenAiClientErrorsTotal => {
                "Failed agent model-call attempts, by error type (each retry counted)."
            }
            Self::AgentChatSteps => "Model calls per chat (bounded by AGENT_MAX_STEPS).",
            Self::AgentToolCallsTotal => {
                "Agent tool calls, by tool, outcome and interface (chat or mcp)."
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
