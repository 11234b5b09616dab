//! Prometheus families, registered into a registry passed down from `main`.
//!
//! Every metric name lives in [`MetricName`]; labels come from closed enums
//! ([`OperationType`](crate::telemetry::OperationType), status class, S3 API) plus a
//! bucket label capped in [`crate::telemetry::bucket`]. Operation counters are plain integers recorded
//! under the recorder's lock and turned into families at scrape time ([`encode`]);
//! every series of a closed label set exists (at 0) from the first scrape.

mod app;
pub mod encode;
mod names;
mod operations;
pub mod windows;

pub use app::{AppCounters, AppEvent, Refusal};
pub use names::MetricName;
pub use operations::OperationCounters;

use prometheus::{Encoder, Registry, TextEncoder};

/// Histogram bounds for latencies, in seconds: 1 ms to 60 s.
pub const LATENCY_BUCKETS: [f64; 15] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// The content type of the text exposition format.
pub const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Creates the registry with the process collector and build info. `instance_id` is this
/// replica's `service.instance.id`: the build-info series is the one place it appears as
/// a label (`service_instance_id`), so `spacewatch_build_info` joins a scrape target's
/// `instance` to the replica's identity without growing any other series.
pub fn new_registry(instance_id: &str) -> Registry {
    let registry = Registry::new();
    #[cfg(target_os = "linux")]
    {
        let pc = prometheus::process_collector::ProcessCollector::for_self();
        // Registration only fails on a duplicate, impossible in a fresh registry.
        let _ = registry.register(Box::new(pc));
    }
    if let Ok(info) = prometheus::IntGaugeVec::new(
        MetricName::BuildInfo.opts(),
        &["version", "service_instance_id"],
    ) {
        info.with_label_values(&[env!("CARGO_PKG_VERSION"), instance_id])
            .set(1);
        let _ = registry.register(Box::new(info));
    }
    registry
}

/// Renders every family in the text exposition format.
pub fn render(registry: &Registry) -> String {
    let mut buf = Vec::with_capacity(16 * 1024);
    // Encoding into a Vec cannot fail for well-formed families.
    let _ = TextEncoder::new().encode(&registry.gather(), &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// Registers a collector; a duplicate name is a programming error surfaced at start-up.
pub(crate) fn register<C: prometheus::core::Collector + Clone + 'static>(
    registry: &Registry,
    c: &C,
) -> C {
    if let Err(e) = registry.register(Box::new(c.clone())) {
        panic!("metric registration failed (duplicate family?): {e}");
    }
    c.clone()
}
