//! The binary reads the standard `OTEL_*` variables: endpoint, protocol, service name,
//! resource attributes, sampler and batch delay; a JSON log line carries the trace id of
//! the operation's span; shutdown sends what is queued; and with no endpoint nothing
//! is sent anywhere — not even to the OTLP default ports.

use std::time::Duration;

use tokio::net::TcpListener;

use crate::otlp::{Receiver, hex, str_attr};
use crate::process::{get_json, serve};

const DEMO: [(&str, &str); 2] = [
    ("X-Spaces-Key", "SPACEWATCHDEMOKEY000"),
    ("X-Spaces-Secret", "spacewatch-demo-secret-key"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // stop() blocks; the receiver must keep running
async fn otel_environment_configures_the_export() {
    let collector = Receiver::grpc().await;
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        &["--demo", "--log-format", "json"],
        dir.path(),
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
            ("OTEL_SERVICE_NAME", "svc-from-env"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "service.name=loses-to-OTEL_SERVICE_NAME,deployment.environment=cli",
            ),
            ("OTEL_TRACES_SAMPLER", "always_on"),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
    );
    let (status, _) = get_json(&format!("{}/tools/buckets", server.base), &DEMO).await;
    assert_eq!(status, 200);
    // SIGTERM: the queued spans are sent before the process exits.
    let (exit, output) = server.stop("-TERM");
    assert!(exit.success(), "{output}");
    let r = &collector.receiver;
    let spans = r.spans();
    let (service, span) = spans
        .iter()
        .find(|(_, s)| s.name == "GET /tools/buckets")
        .unwrap_or_else(|| panic!("no server span in {spans:?}"));
    assert_eq!(service, "svc-from-env");
    let resource_env = r.got.lock().spans[0]
        .resource
        .as_ref()
        .and_then(|res| str_attr(&res.attributes, "deployment.environment"));
    assert_eq!(resource_env.as_deref(), Some("cli"));
    // The JSON log line of the operation names the span's trace.
    let line = output
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["event"] == "STORAGE_OP" && v["operation_type"] == "LIST_BUCKETS")
        .unwrap_or_else(|| panic!("no STORAGE_OP line in:\n{output}"));
    assert_eq!(
        line["trace_id"].as_str(),
        Some(hex(&span.trace_id).as_str())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // stop() blocks; the receiver must keep running
async fn sampler_off_sends_metrics_but_no_spans() {
    let collector = Receiver::http().await;
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        &["--demo"],
        dir.path(),
        &[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", collector.endpoint.as_str()),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
            ("OTEL_TRACES_SAMPLER", "always_off"),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
            ("OTEL_METRIC_EXPORT_INTERVAL", "200"),
        ],
    );
    for _ in 0..3 {
        let (status, _) = get_json(&format!("{}/tools/buckets", server.base), &DEMO).await;
        assert_eq!(status, 200);
    }
    let (exit, output) = server.stop("-TERM");
    assert!(exit.success(), "{output}");
    let r = &collector.receiver;
    assert!(r.spans().is_empty(), "always_off: no span is sampled");
    assert_eq!(r.latest_sum("spacewatch.operations"), Some(3.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)] // stop() blocks; the receiver must keep running
async fn no_endpoint_sends_nothing_even_to_the_default_ports() {
    // Collectors on the OTLP defaults (4317 gRPC, 4318 HTTP): an exporter that fell
    // back to them would be caught here.
    let grpc = TcpListener::bind("127.0.0.1:4317")
        .await
        .expect("port 4317 must be free for this test (an OTLP collector running here?)");
    let http = TcpListener::bind("127.0.0.1:4318")
        .await
        .expect("port 4318 must be free for this test (an OTLP collector running here?)");
    let grpc = Receiver::grpc_on(grpc).await;
    let http = Receiver::http_on(http).await;
    let dir = tempfile::tempdir().unwrap();
    let server = serve(&["--demo"], dir.path(), &[("OTEL_SERVICE_NAME", "x")]);
    for _ in 0..3 {
        let (status, _) = get_json(&format!("{}/tools/buckets", server.base), &DEMO).await;
        assert_eq!(status, 200);
    }
    let (status, text) = {
        let resp = reqwest::get(format!("{}/metrics", server.base))
            .await
            .unwrap();
        (resp.status(), resp.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(text.contains("spacewatch_otel_spans_exported_total 0"));
    let (exit, output) = server.stop("-TERM");
    assert!(exit.success(), "{output}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(grpc.receiver.got.lock().requests, 0);
    assert_eq!(http.receiver.got.lock().requests, 0);
}
