//! The Prometheus instruments again, as OpenTelemetry metrics pushed over OTLP.
//!
//! Same names (dotted, so a collector's Prometheus exporter turns them back into the
//! `/metrics` names), same attributes, same histogram boundaries, cumulative
//! temporality: a user who runs only a collector reads the same numbers as one who
//! scrapes `/metrics`. Operations arrive in batches from the export task, off the
//! request path; S3 calls arrive as they end (an instrument update is a few atomics).

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Counter, Histogram, Meter};

use crate::telemetry::StatusClass;
use crate::telemetry::export::Exporter;
use crate::telemetry::operation::Operation;
use crate::telemetry::prom::LATENCY_BUCKETS;
use crate::telemetry::s3::S3Call;

/// One instrument per Prometheus family it mirrors.
#[derive(Debug)]
pub struct OtelMetrics {
    operations: Counter<u64>,
    duration: Histogram<f64>,
    first_byte: Histogram<f64>,
    received: Counter<u64>,
    sent: Counter<u64>,
    s3_requests: Counter<u64>,
    s3_first_byte: Histogram<f64>,
    s3_total: Histogram<f64>,
    s3_downloaded: Counter<u64>,
    s3_uploaded: Counter<u64>,
}

impl OtelMetrics {
    pub fn new(meter: &Meter) -> Self {
        let counter = |name: &'static str, unit: &'static str, help: &'static str| {
            meter
                .u64_counter(name)
                .with_unit(unit)
                .with_description(help)
                .build()
        };
        let seconds = |name: &'static str, help: &'static str| {
            meter
                .f64_histogram(name)
                .with_unit("s")
                .with_description(help)
                .with_boundaries(LATENCY_BUCKETS.to_vec())
                .build()
        };
        Self {
            operations: counter(
                "spacewatch.operations",
                "{operation}",
                "Storage operations completed, by operation type and status class.",
            ),
            duration: seconds(
                "spacewatch.operation.duration",
                "Storage operation duration, request arrival to the end of the response body.",
            ),
            first_byte: seconds(
                "spacewatch.operation.first_byte",
                "Request arrival to the first response body byte, for streamed (gateway) operations.",
            ),
            received: counter(
                "spacewatch.operation.received",
                "By",
                "Request body bytes received from clients.",
            ),
            sent: counter(
                "spacewatch.operation.sent",
                "By",
                "Response body bytes sent to clients.",
            ),
            s3_requests: counter(
                "spacewatch.s3.requests",
                "{request}",
                "Upstream S3 API calls by API and status class.",
            ),
            s3_first_byte: seconds(
                "spacewatch.s3.first_byte_latency",
                "Upstream S3 call: request sent to response headers received.",
            ),
            s3_total: seconds(
                "spacewatch.s3.total_request_latency",
                "Upstream S3 call: request start to last response byte.",
            ),
            s3_downloaded: counter(
                "spacewatch.s3.downloaded",
                "By",
                "Response body bytes of upstream S3 calls.",
            ),
            s3_uploaded: counter(
                "spacewatch.s3.uploaded",
                "By",
                "Request body bytes of upstream S3 calls.",
            ),
        }
    }
}

impl Exporter for OtelMetrics {
    fn export(&self, op: &Operation) {
        let kind = [KeyValue::new("operation", op.operation.as_str())];
        let with_class = [
            kind[0].clone(),
            KeyValue::new("status_class", StatusClass::of_answer(op.status).as_str()),
        ];
        self.operations.add(1, &with_class);
        self.duration.record(op.duration.as_secs_f64(), &kind);
        if let Some(fb) = op.first_byte {
            self.first_byte.record(fb.as_secs_f64(), &kind);
        }
        self.received.add(op.bytes_in, &kind);
        self.sent.add(op.bytes_out, &kind);
    }

    fn export_s3(&self, call: &S3Call) {
        let api = [KeyValue::new("api", call.api.as_str())];
        let with_class = [
            api[0].clone(),
            KeyValue::new("status_class", call.class().as_str()),
        ];
        self.s3_requests.add(1, &with_class);
        if let Some(fb) = call.first_byte {
            self.s3_first_byte.record(fb.as_secs_f64(), &api);
        }
        self.s3_total.record(call.total.as_secs_f64(), &api);
        self.s3_downloaded.add(call.bytes_down, &api);
        self.s3_uploaded.add(call.bytes_up, &api);
    }
}
