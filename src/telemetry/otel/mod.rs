//! OpenTelemetry export over OTLP: spans (through `tracing`) and metrics.
//!
//! [`Otel`] owns everything: the tracer and meter providers, the `tracing` dispatch the
//! request path runs under, the span queue and its counters. Nothing is installed
//! globally — the server wraps each request in [`Otel::dispatch`], so two servers in one
//! process (the tests) keep their telemetry apart. With no endpoint configured nothing
//! is built and spans are disabled at their call sites.

pub mod genai;
mod metrics;
mod queue;
pub mod spans;

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{MetricExporter, SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::SdkMeterProvider;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider, SpanExporter as _};
use prometheus::{IntCounter, Registry};
use tracing::Dispatch;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::layer::SubscriberExt;

use crate::config::otel::{OtelSettings, Protocol, SamplerChoice};
pub use metrics::OtelMetrics;
pub use queue::SpanCounters;

use super::export::Exporter;
use super::prom::{MetricName, register};

/// An OTLP exporter that could not be built. `endpoint` has its credentials masked, and
/// `reason` is the exporter's message with the endpoint scrubbed from it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("OTLP {signal} exporter for {endpoint}: {reason}")]
pub struct OtelError {
    /// `span` or `metric`.
    pub signal: &'static str,
    pub endpoint: String,
    pub reason: String,
}

impl OtelError {
    fn new(signal: &'static str, endpoint: &str, e: &impl std::fmt::Display) -> Self {
        Self {
            signal,
            endpoint: crate::config::redact_url(endpoint),
            reason: crate::config::redact::scrub(&e.to_string(), endpoint),
        }
    }
}

/// How long shutdown waits for the last spans and metrics to leave.
const SHUTDOWN_WAIT: Duration = Duration::from_secs(5);

/// The OpenTelemetry side of a server.
#[derive(Debug)]
pub struct Otel {
    dispatch: Option<Dispatch>,
    tracer_provider: Option<SdkTracerProvider>,
    span_flush: Option<queue::Flush>,
    meter_provider: Option<SdkMeterProvider>,
    metrics: Option<Arc<OtelMetrics>>,
    genai: Option<Arc<genai::GenAiInstruments>>,
    counters: SpanCounters,
}

impl Otel {
    /// Builds the exporters `settings` asks for; must run inside the tokio runtime.
    /// The span counters are registered whether or not export is on, so dashboards
    /// and alerts on them always have a series.
    pub fn start(settings: &OtelSettings, registry: &Registry) -> Result<Self, OtelError> {
        let counters = SpanCounters {
            dropped: counter(registry, MetricName::OtelSpansDroppedTotal),
            exported: counter(registry, MetricName::OtelSpansExportedTotal),
        };
        let resource = Resource::builder_empty()
            .with_attributes(resource_attributes(settings))
            .build();
        let mut otel = Self {
            dispatch: None,
            tracer_provider: None,
            span_flush: None,
            meter_provider: None,
            metrics: None,
            genai: None,
            counters,
        };
        if let Some(endpoint) = &settings.traces_endpoint {
            otel.start_traces(settings, endpoint, resource.clone())?;
        }
        if let Some(endpoint) = &settings.metrics_endpoint {
            otel.start_metrics(settings, endpoint, resource)?;
        }
        Ok(otel)
    }

    fn start_traces(
        &mut self,
        settings: &OtelSettings,
        endpoint: &str,
        resource: Resource,
    ) -> Result<(), OtelError> {
        let mut exporter = match settings.protocol {
            Protocol::Grpc => SpanExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .build(),
            Protocol::HttpProtobuf => SpanExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(endpoint)
                .build(),
        }
        .map_err(|e| OtelError::new("span", endpoint, &e))?;
        exporter.set_resource(&resource);
        let batching = queue::Batching {
            max_queue: settings.max_queue,
            max_batch: settings.max_batch,
            delay: settings.schedule_delay,
        };
        let (processor, flush) = queue::start(exporter, batching, self.counters.clone());
        let provider = SdkTracerProvider::builder()
            .with_span_processor(processor)
            .with_sampler(sampler(settings.sampler))
            .with_resource(resource)
            .build();
        let layer = tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("spacewatch"))
            .with_tracked_inactivity(false)
            .with_threads(false)
            .with_location(false)
            // Only SpaceWatch's own spans: the SDK and hyper have spans of their own,
            // which would otherwise sit between an operation and its S3 calls.
            .with_filter(filter_fn(|m| m.target().starts_with("spacewatch")));
        self.dispatch = Some(Dispatch::new(tracing_subscriber::registry().with(layer)));
        self.tracer_provider = Some(provider);
        self.span_flush = Some(flush);
        Ok(())
    }

    fn start_metrics(
        &mut self,
        settings: &OtelSettings,
        endpoint: &str,
        resource: Resource,
    ) -> Result<(), OtelError> {
        let exporter = match settings.protocol {
            Protocol::Grpc => MetricExporter::builder()
                .with_tonic()
                .with_endpoint(endpoint)
                .build(),
            Protocol::HttpProtobuf => MetricExporter::builder()
                .with_http()
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(endpoint)
                .build(),
        }
        .map_err(|e| OtelError::new("metric", endpoint, &e))?;
        // The reader runs on our runtime: the gRPC and HTTP clients need tokio.
        let reader = opentelemetry_sdk::metrics::periodic_reader_with_async_runtime::PeriodicReader::builder(
            exporter,
            opentelemetry_sdk::runtime::Tokio,
        )
        .with_interval(settings.metric_interval)
        .build();
        let provider = SdkMeterProvider::builder()
            .with_reader(reader)
            .with_resource(resource)
            .build();
        let meter = provider.meter("spacewatch");
        self.metrics = Some(Arc::new(OtelMetrics::new(&meter)));
        self.genai = Some(Arc::new(genai::GenAiInstruments::new(&meter)));
        self.meter_provider = Some(provider);
        Ok(())
    }

    /// The dispatch requests run under; `None` when spans are off.
    pub fn dispatch(&self) -> Option<&Dispatch> {
        self.dispatch.as_ref()
    }

    /// The OTel metrics as a recorder exporter; `None` when metrics are off.
    pub fn metrics_exporter(&self) -> Option<Arc<dyn Exporter>> {
        self.metrics.clone().map(|m| m as Arc<dyn Exporter>)
    }

    /// The agent's OTel instruments; `None` when metrics are off.
    pub fn genai_instruments(&self) -> Option<Arc<genai::GenAiInstruments>> {
        self.genai.clone()
    }

    /// Sends what is queued: spans now, then a last metrics collection.
    pub async fn shutdown(&self) {
        if let Some(f) = &self.span_flush {
            f.flush(SHUTDOWN_WAIT).await;
        }
        if let Some(p) = self.meter_provider.clone() {
            // The SDK's shutdown blocks until the reader task answers; keep it off the
            // async workers.
            let done = tokio::task::spawn_blocking(move || p.shutdown());
            let _ = tokio::time::timeout(SHUTDOWN_WAIT, done).await;
        }
        if let Some(p) = &self.tracer_provider {
            let _ = p.shutdown();
        }
    }

    /// Exports queued spans now (tests, and before shutdown).
    pub async fn flush_spans(&self) {
        if let Some(f) = &self.span_flush {
            f.flush(SHUTDOWN_WAIT).await;
        }
    }
}

impl Drop for Otel {
    /// The SDK's meter provider shuts itself down when dropped, blocking until its
    /// reader task answers — a task on the very runtime whose thread may be the one
    /// dropping us. Dropping it on a thread of its own never blocks the caller.
    fn drop(&mut self) {
        if let Some(p) = self.meter_provider.take() {
            let _ = std::thread::Builder::new()
                .name("otel-meter-drop".into())
                .spawn(move || drop(p));
        }
    }
}

fn counter(registry: &Registry, name: MetricName) -> IntCounter {
    match IntCounter::with_opts(name.opts()) {
        Ok(c) => register(registry, &c),
        Err(e) => panic!("static metric definition {}: {e}", name.as_str()),
    }
}

/// The resource of every span and metric: the service, its instance, the rest of
/// `OTEL_RESOURCE_ATTRIBUTES`.
fn resource_attributes(s: &OtelSettings) -> Vec<opentelemetry::KeyValue> {
    use opentelemetry::KeyValue;
    std::iter::once(KeyValue::new("service.name", s.service_name.clone()))
        .chain(
            s.instance_id
                .iter()
                .map(|id| KeyValue::new("service.instance.id", id.clone())),
        )
        .chain(
            s.resource
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
        )
        .collect()
}

fn sampler(s: SamplerChoice) -> Sampler {
    match s {
        SamplerChoice::AlwaysOn => Sampler::AlwaysOn,
        SamplerChoice::AlwaysOff => Sampler::AlwaysOff,
        SamplerChoice::TraceIdRatio(r) => Sampler::TraceIdRatioBased(r),
        SamplerChoice::ParentBasedAlwaysOn => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        SamplerChoice::ParentBasedAlwaysOff => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
        SamplerChoice::ParentBasedTraceIdRatio(r) => {
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(r)))
        }
    }
}

#[cfg(test)]
mod tests;
