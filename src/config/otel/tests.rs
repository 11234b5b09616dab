use super::*;
use std::collections::HashMap;

fn with(vars: &[(&str, &str)]) -> OtelSettings {
    let m: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    OtelSettings::from_lookup(|k| m.get(k).cloned())
}

#[test]
fn off_without_an_endpoint() {
    let s = with(&[("OTEL_SERVICE_NAME", "x")]);
    assert!(!s.enabled());
    assert_eq!(s.service_name, "x");
    assert_eq!(OtelSettings::disabled().service_name, "spacewatch");
}

#[test]
fn http_appends_signal_paths_and_grpc_does_not() {
    let s = with(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/")]);
    assert_eq!(s.protocol, Protocol::HttpProtobuf);
    assert_eq!(
        s.traces_endpoint.as_deref(),
        Some("http://c:4318/v1/traces")
    );
    assert_eq!(
        s.metrics_endpoint.as_deref(),
        Some("http://c:4318/v1/metrics")
    );
    let g = with(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://m:4317"),
        ("OTEL_TRACES_EXPORTER", "none"),
    ]);
    assert_eq!(g.protocol, Protocol::Grpc);
    assert_eq!(g.traces_endpoint, None);
    assert_eq!(g.metrics_endpoint.as_deref(), Some("http://m:4317"));
    let off = with(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318"),
        ("OTEL_SDK_DISABLED", "true"),
    ]);
    assert!(!off.enabled());
}

#[test]
fn resource_attributes_and_service_name_precedence() {
    let s = with(&[(
        "OTEL_RESOURCE_ATTRIBUTES",
        "service.name=a,deployment.environment=prod%2Ceu",
    )]);
    assert_eq!(s.service_name, "a");
    assert_eq!(
        s.resource,
        vec![("deployment.environment".into(), "prod,eu".into())]
    );
    let s = with(&[
        ("OTEL_RESOURCE_ATTRIBUTES", "service.name=a"),
        ("OTEL_SERVICE_NAME", "b"),
    ]);
    assert_eq!(s.service_name, "b");
    let s = with(&[(
        "OTEL_RESOURCE_ATTRIBUTES",
        "service.instance.id=replica-7,team=ops",
    )]);
    assert_eq!(s.instance_id.as_deref(), Some("replica-7"));
    assert_eq!(s.resource, vec![("team".into(), "ops".into())]);
    let bad = with(&[("OTEL_RESOURCE_ATTRIBUTES", "ok=1,broken")]);
    assert!(bad.resource.is_empty());
    assert_eq!(bad.warnings.len(), 1);
}

#[test]
fn samplers() {
    assert_eq!(with(&[]).sampler, SamplerChoice::ParentBasedAlwaysOn);
    assert_eq!(
        with(&[
            ("OTEL_TRACES_SAMPLER", "traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.25")
        ])
        .sampler,
        SamplerChoice::TraceIdRatio(0.25)
    );
    let bad = with(&[
        ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
        ("OTEL_TRACES_SAMPLER_ARG", "7"),
    ]);
    assert_eq!(bad.sampler, SamplerChoice::ParentBasedTraceIdRatio(1.0));
    assert_eq!(bad.warnings.len(), 1);
    assert_eq!(
        with(&[("OTEL_TRACES_SAMPLER", "xray")]).sampler,
        SamplerChoice::ParentBasedAlwaysOn
    );
}
