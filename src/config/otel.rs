//! OpenTelemetry configuration from the standard `OTEL_*` environment variables.
//!
//! Read once at start-up through a lookup function (the process environment in
//! production, a map in tests), so nothing else reads the environment behind our back.
//! Export is off unless an endpoint is set — a service that starts sending telemetry to
//! `localhost:4318` because nobody said otherwise surprises its operator.

use std::time::Duration;

/// Wire protocol of the OTLP exporters (`OTEL_EXPORTER_OTLP_PROTOCOL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Grpc,
    HttpProtobuf,
}

/// `OTEL_TRACES_SAMPLER` (+ `_ARG`), as the SDK specification lists them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SamplerChoice {
    AlwaysOn,
    AlwaysOff,
    TraceIdRatio(f64),
    ParentBasedAlwaysOn,
    ParentBasedAlwaysOff,
    ParentBasedTraceIdRatio(f64),
}

/// Where and how to export; `None` endpoints mean that signal is off.
#[derive(Debug, Clone, PartialEq)]
pub struct OtelSettings {
    pub protocol: Protocol,
    /// Full URL of the traces endpoint (gRPC: the collector's address).
    pub traces_endpoint: Option<String>,
    pub metrics_endpoint: Option<String>,
    pub service_name: String,
    /// `OTEL_RESOURCE_ATTRIBUTES` without `service.name` (that is `service_name`) and
    /// `service.instance.id` (that is `instance_id`).
    pub resource: Vec<(String, String)>,
    /// `service.instance.id`: one per replica, so that the metrics of identical replicas
    /// stay apart (the data model wants one writer per series). The configuration sets
    /// it (`--instance-id`, default hostname:port); read here from the attributes first.
    pub instance_id: Option<String>,
    pub sampler: SamplerChoice,
    /// Batch span export: queue bound, batch size, delay between exports.
    pub max_queue: usize,
    pub max_batch: usize,
    pub schedule_delay: Duration,
    pub metric_interval: Duration,
    /// Problems found while reading (reported once at start-up; never fatal).
    pub warnings: Vec<String>,
}

impl OtelSettings {
    /// Everything off (tests, and a process without `OTEL_*`).
    pub fn disabled() -> Self {
        Self::from_lookup(|_| None)
    }

    /// From the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    pub fn enabled(&self) -> bool {
        self.traces_endpoint.is_some() || self.metrics_endpoint.is_some()
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |k: &str| {
            get(k)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut warnings = Vec::new();
        let protocol = match get("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref() {
            None | Some("http/protobuf") => Protocol::HttpProtobuf,
            Some("grpc") => Protocol::Grpc,
            Some(other) => {
                warnings.push(format!(
                    "OTEL_EXPORTER_OTLP_PROTOCOL={other:?} is not supported (grpc, http/protobuf); using http/protobuf"
                ));
                Protocol::HttpProtobuf
            }
        };
        let disabled = get("OTEL_SDK_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        let base = get("OTEL_EXPORTER_OTLP_ENDPOINT");
        let signal = |specific: &str, exporter: &str, path: &str| {
            let off = get(exporter).is_some_and(|v| v.eq_ignore_ascii_case("none"));
            if disabled || off {
                return None;
            }
            // The per-signal variable is used as given; the base gets the signal's path
            // for HTTP (the specification's rule), and is the address itself for gRPC.
            get(specific).or_else(|| {
                base.as_ref().map(|b| match protocol {
                    Protocol::Grpc => b.clone(),
                    Protocol::HttpProtobuf => format!("{}/{path}", b.trim_end_matches('/')),
                })
            })
        };
        let traces_endpoint = signal(
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            "OTEL_TRACES_EXPORTER",
            "v1/traces",
        );
        let metrics_endpoint = signal(
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
            "OTEL_METRICS_EXPORTER",
            "v1/metrics",
        );
        let mut resource =
            parse_resource(get("OTEL_RESOURCE_ATTRIBUTES").as_deref(), &mut warnings);
        // OTEL_SERVICE_NAME wins over service.name in the attributes (specification).
        let from_attrs = resource
            .iter()
            .position(|(k, _)| k == "service.name")
            .map(|i| resource.remove(i).1);
        let instance_id = resource
            .iter()
            .position(|(k, _)| k == "service.instance.id")
            .map(|i| resource.remove(i).1);
        let service_name = get("OTEL_SERVICE_NAME")
            .or(from_attrs)
            .unwrap_or_else(|| "spacewatch".to_string());
        let sampler = parse_sampler(
            get("OTEL_TRACES_SAMPLER").as_deref(),
            get("OTEL_TRACES_SAMPLER_ARG").as_deref(),
            &mut warnings,
        );
        let mut number = |k: &str, default: u64| match get(k) {
            None => default,
            Some(v) => v.parse::<u64>().ok().filter(|n| *n > 0).unwrap_or_else(|| {
                warnings.push(format!(
                    "{k}={v:?} is not a positive integer; using {default}"
                ));
                default
            }),
        };
        let max_queue = number("OTEL_BSP_MAX_QUEUE_SIZE", 2048) as usize;
        let max_batch = (number("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512) as usize).min(max_queue);
        let schedule_delay = Duration::from_millis(number("OTEL_BSP_SCHEDULE_DELAY", 5000));
        let metric_interval = Duration::from_millis(number("OTEL_METRIC_EXPORT_INTERVAL", 60_000));
        Self {
            protocol,
            traces_endpoint,
            metrics_endpoint,
            service_name,
            resource,
            instance_id,
            sampler,
            max_queue,
            max_batch,
            schedule_delay,
            metric_interval,
            warnings,
        }
    }
}

/// `k1=v1,k2=v2`, percent-decoded; a malformed variable is discarded whole (specification).
fn parse_resource(v: Option<&str>, warnings: &mut Vec<String>) -> Vec<(String, String)> {
    let Some(v) = v else { return Vec::new() };
    let parsed: Option<Vec<(String, String)>> = v
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|pair| {
            let (k, val) = pair.split_once('=')?;
            let k = crate::percent::decode_strict(k.trim())?.into_owned();
            let val = crate::percent::decode_strict(val.trim())?.into_owned();
            (!k.is_empty()).then_some((k, val))
        })
        .collect();
    parsed.unwrap_or_else(|| {
        warnings.push("OTEL_RESOURCE_ATTRIBUTES is malformed; ignored".to_string());
        Vec::new()
    })
}

fn parse_sampler(
    name: Option<&str>,
    arg: Option<&str>,
    warnings: &mut Vec<String>,
) -> SamplerChoice {
    let mut ratio = || match arg.map(str::parse::<f64>) {
        None => 1.0,
        Some(Ok(r)) if (0.0..=1.0).contains(&r) => r,
        Some(_) => {
            warnings.push(format!(
                "OTEL_TRACES_SAMPLER_ARG={:?} is not a ratio in [0, 1]; using 1.0",
                arg.unwrap_or_default()
            ));
            1.0
        }
    };
    match name {
        None | Some("parentbased_always_on") => SamplerChoice::ParentBasedAlwaysOn,
        Some("always_on") => SamplerChoice::AlwaysOn,
        Some("always_off") => SamplerChoice::AlwaysOff,
        Some("traceidratio") => SamplerChoice::TraceIdRatio(ratio()),
        Some("parentbased_always_off") => SamplerChoice::ParentBasedAlwaysOff,
        Some("parentbased_traceidratio") => SamplerChoice::ParentBasedTraceIdRatio(ratio()),
        Some(other) => {
            warnings.push(format!(
                "OTEL_TRACES_SAMPLER={other:?} is not supported; using parentbased_always_on"
            ));
            SamplerChoice::ParentBasedAlwaysOn
        }
    }
}

#[cfg(test)]
mod tests;
