//! OpenTelemetry export, received by a real OTLP receiver (gRPC and HTTP/protobuf):
//! spans of real tools and gateway calls with their parent/child links, attributes and
//! status; the OTLP metrics against the Prometheus figures; a collector that is down or
//! never answers; and no export without an endpoint.

use std::collections::HashMap;
use std::sync::Arc;

use http::{HeaderMap, HeaderValue};
use opentelemetry_proto::tonic::trace::v1::{Span, span::SpanKind, status::StatusCode};
use spacewatch::config::otel::OtelSettings;
use spacewatch::telemetry::SystemClock;

use crate::otlp::{Receiver, hex, int_attr, str_attr};
use crate::support::{Harness, metric_sum, parse_metrics, tenant};

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

fn settings(vars: &[(&str, &str)]) -> OtelSettings {
    let m: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    OtelSettings::from_lookup(|k| m.get(k).cloned())
}

/// Export to `endpoint` quickly (tests do not wait 5 s for a batch).
fn exporting_to(endpoint: &str, protocol: &str) -> OtelSettings {
    settings(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", protocol),
        ("OTEL_SERVICE_NAME", "spacewatch-test"),
        ("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=ci"),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "200"),
    ])
}

async fn harness(otel: OtelSettings) -> Harness {
    Harness::start_with(move |s| s.otel = otel, Arc::new(SystemClock)).await
}

fn named<'a>(spans: &'a [(String, Span)], name: &str) -> Vec<&'a Span> {
    spans
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.name == name)
        .collect()
}

fn children<'a>(spans: &'a [(String, Span)], parent: &Span) -> Vec<&'a Span> {
    spans
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.parent_span_id == parent.span_id && s.trace_id == parent.trace_id)
        .collect()
}

fn status(s: &Span) -> i32 {
    s.status.as_ref().map_or(0, |st| st.code)
}

#[tokio::test]
async fn grpc_spans_of_tools_and_gateway_calls() {
    let collector = Receiver::grpc().await;
    let h = harness(exporting_to(&collector.endpoint, "grpc")).await;
    let mut traced = tenant();
    traced.insert(
        "traceparent",
        HeaderValue::from_str(&format!("00-{TRACE}-{PARENT}-01")).unwrap(),
    );
    let ok = h.get("/tools/list-all?bucket=alpha", traced).await;
    assert_eq!(ok.status(), 200);
    let got = h.get("/s3/alpha/dir/obj-0001", tenant()).await;
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().len(), 101);
    let missing = h.get("/tools/list-all?bucket=nope-nope", tenant()).await;
    assert_eq!(missing.status(), 404);
    h.state.otel.flush_spans().await;
    let r = &collector.receiver;
    r.wait_spans("three server spans", |s| {
        named(s, "GET /tools/list-all").len() == 2 && named(s, "GET /s3/{bucket}/{*key}").len() == 1
    })
    .await;
    let spans = r.spans();
    assert!(spans.iter().all(|(svc, _)| svc == "spacewatch-test"));

    // The tools call continues the caller's trace and parents its S3 calls.
    let lists = named(&spans, "GET /tools/list-all");
    let list = lists
        .iter()
        .find(|s| hex(&s.trace_id) == TRACE)
        .expect("the traced call continues the caller's trace");
    assert_eq!(hex(&list.parent_span_id), PARENT);
    assert_eq!(list.kind, SpanKind::Server as i32);
    assert_eq!(
        str_attr(&list.attributes, "http.request.method").as_deref(),
        Some("GET")
    );
    assert_eq!(
        str_attr(&list.attributes, "http.route").as_deref(),
        Some("/tools/list-all")
    );
    assert_eq!(
        str_attr(&list.attributes, "spacewatch.operation.type").as_deref(),
        Some("LIST_OBJECTS")
    );
    assert_eq!(
        str_attr(&list.attributes, "aws.s3.bucket").as_deref(),
        Some("alpha")
    );
    assert_eq!(
        int_attr(&list.attributes, "http.response.status_code"),
        Some(200)
    );
    assert_ne!(status(list), StatusCode::Error as i32);
    let calls = children(&spans, list);
    let listing = calls
        .iter()
        .find(|s| s.name == "S3.ListObjectsV2")
        .unwrap_or_else(|| {
            panic!(
                "no S3.ListObjectsV2 child: {:?}",
                calls.iter().map(|s| &s.name).collect::<Vec<_>>()
            )
        });
    assert_eq!(listing.kind, SpanKind::Client as i32);
    for (k, v) in [
        ("rpc.system", "aws-api"),
        ("rpc.service", "S3"),
        ("rpc.method", "ListObjectsV2"),
        ("aws.s3.bucket", "alpha"),
        ("http.request.method", "GET"),
    ] {
        assert_eq!(str_attr(&listing.attributes, k).as_deref(), Some(v), "{k}");
    }
    assert_eq!(
        int_attr(&listing.attributes, "http.response.status_code"),
        Some(200)
    );
    assert!(listing.start_time_unix_nano >= list.start_time_unix_nano);
    assert!(listing.end_time_unix_nano <= list.end_time_unix_nano);

    // The gateway GET: its own trace, one S3.GetObject child with the key.
    let gw = named(&spans, "GET /s3/{bucket}/{*key}")[0];
    assert_ne!(hex(&gw.trace_id), TRACE);
    assert!(gw.parent_span_id.is_empty(), "no traceparent: a root span");
    assert_eq!(
        str_attr(&gw.attributes, "spacewatch.operation.type").as_deref(),
        Some("GET_OBJECT")
    );
    assert_eq!(
        int_attr(&gw.attributes, "http.response.body.size"),
        Some(101)
    );
    let gets: Vec<_> = children(&spans, gw)
        .into_iter()
        .filter(|s| s.name == "S3.GetObject")
        .collect();
    assert_eq!(gets.len(), 1);
    assert_eq!(
        str_attr(&gets[0].attributes, "aws.s3.key").as_deref(),
        Some("dir/obj-0001")
    );
    assert_eq!(
        str_attr(&gets[0].attributes, "rpc.method").as_deref(),
        Some("GetObject")
    );

    // The failed call: Error on the server span, and on the S3 call that failed.
    let failed = lists
        .iter()
        .find(|s| hex(&s.trace_id) != TRACE)
        .expect("the failed list-all");
    assert_eq!(
        int_attr(&failed.attributes, "http.response.status_code"),
        Some(404)
    );
    assert_eq!(status(failed), StatusCode::Error as i32);
    assert_eq!(
        failed.status.as_ref().map(|s| s.message.as_str()),
        Some("Bucket not found")
    );
    assert_eq!(
        str_attr(&failed.attributes, "error.type").as_deref(),
        Some("404")
    );
    let failed_calls = children(&spans, failed);
    assert!(
        failed_calls
            .iter()
            .any(|s| status(s) == StatusCode::Error as i32
                && int_attr(&s.attributes, "http.response.status_code") == Some(404)),
        "a 404 S3 call under the failed operation: {failed_calls:?}"
    );

    // The trace ids are the ones /logs/operations and the log lines show.
    let logs = h.json("/logs/operations?limit=10").await;
    let ids: Vec<&str> = logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["trace_id"].as_str())
        .collect();
    for s in [*list, gw, *failed] {
        assert!(ids.contains(&hex(&s.trace_id).as_str()), "{ids:?}");
    }
    let text = h.flush_logs().await;
    assert!(!text.contains(crate::support::SECRET));
}

#[tokio::test]
async fn http_protobuf_spans_and_metrics_match_prometheus() {
    let collector = Receiver::http().await;
    let h = harness(exporting_to(&collector.endpoint, "http/protobuf")).await;
    let n = 5;
    for _ in 0..n {
        assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    }
    assert_eq!(
        h.get("/tools/list-all?bucket=nope-nope", tenant())
            .await
            .status(),
        404
    );
    h.state.otel.flush_spans().await;
    let r = &collector.receiver;
    r.wait_spans("the server spans", |s| {
        named(s, "GET /tools/buckets").len() == n
    })
    .await;
    let spans = r.spans();
    for server in named(&spans, "GET /tools/buckets") {
        let calls = children(&spans, server);
        assert_eq!(calls.len(), 1, "one ListBuckets per call");
        assert_eq!(calls[0].name, "S3.ListBuckets");
    }
    // Metrics: the same counts as /metrics, once the exports have caught up.
    h.state.recorder.flush().await;
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    let ops = metric_sum(&samples, "spacewatch_operations_total", &[]);
    let s3 = metric_sum(&samples, "spacewatch_s3_requests_total", &[]);
    assert_eq!(ops, (n + 1) as f64);
    assert!(s3 >= (n + 1) as f64);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let got = (
            r.latest_sum("spacewatch.operations"),
            r.latest_sum("spacewatch.s3.requests"),
            r.latest_histogram_count("spacewatch.operation.duration"),
        );
        if got == (Some(ops), Some(s3), Some(ops as u64)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "OTLP metrics {got:?} never matched Prometheus ({ops}, {s3})"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn collector_down_requests_succeed_and_drops_are_counted() {
    // A port bound but not listening: connections are refused, every export fails,
    // and no other test can take the port while this one runs.
    let reserved = tokio::net::TcpSocket::new_v4().unwrap();
    reserved.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let port = reserved.local_addr().unwrap().port();
    let mut otel = exporting_to(&format!("http://127.0.0.1:{port}"), "grpc");
    otel.max_queue = 4;
    otel.max_batch = 2;
    let h = harness(otel).await;
    for _ in 0..20 {
        assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    }
    h.state.otel.flush_spans().await;
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    // 20 operations, each a server span and a ListBuckets span: all lost, all counted.
    assert_eq!(
        metric_sum(&samples, "spacewatch_otel_spans_exported_total", &[]),
        0.0
    );
    assert_eq!(
        metric_sum(&samples, "spacewatch_otel_spans_dropped_total", &[]),
        40.0
    );
}

#[tokio::test]
async fn collector_that_never_answers_leaves_requests_alone() {
    // Accepts connections and never answers: exports hang until their timeout, the
    // queue fills, and further spans are dropped instead of waiting.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let mut otel = exporting_to(&endpoint, "http/protobuf");
    otel.max_queue = 4;
    otel.max_batch = 2;
    let h = harness(otel).await;
    for _ in 0..30 {
        assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    }
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let dropped = metric_sum(
        &parse_metrics(&text),
        "spacewatch_otel_spans_dropped_total",
        &[],
    );
    // 60 spans; at most the queue and the batch in flight can still be waiting.
    assert!(dropped >= 60.0 - 4.0 - 2.0, "dropped {dropped}");
    hold.abort();
}

#[tokio::test]
async fn no_endpoint_no_export() {
    let collector = Receiver::grpc().await;
    // Everything but an endpoint.
    let h = harness(settings(&[
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_SERVICE_NAME", "spacewatch-test"),
    ]))
    .await;
    assert!(h.state.otel.dispatch().is_none());
    for _ in 0..3 {
        assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    }
    h.state.otel.flush_spans().await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(collector.receiver.got.lock().requests, 0);
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    assert_eq!(
        metric_sum(&samples, "spacewatch_otel_spans_exported_total", &[]),
        0.0
    );
    assert_eq!(
        metric_sum(&samples, "spacewatch_otel_spans_dropped_total", &[]),
        0.0
    );
    // Trace ids still reach the operation log without tracing.
    let logs = h.json("/logs/operations?limit=3").await;
    assert_eq!(logs["logs"][0]["trace_id"].as_str().map(str::len), Some(32));
}

#[tokio::test]
async fn agent_tool_call_spans_sit_between_the_operation_and_its_s3_calls() {
    use spacewatch::telemetry::otel::Otel;
    use spacewatch::telemetry::otel::spans::{
        Call, CallSpan, Ended, Incoming, ServerSpan, ToolSpan,
    };
    use spacewatch::telemetry::s3::S3Api;
    use spacewatch::telemetry::{HttpMethod, OperationType};

    let collector = Receiver::grpc().await;
    let otel = Otel::start(
        &exporting_to(&collector.endpoint, "grpc"),
        &prometheus::Registry::new(),
    )
    .unwrap();
    let dispatch = otel.dispatch().expect("tracing on").clone();
    tracing::dispatcher::with_default(&dispatch, || {
        let headers = HeaderMap::new();
        let (server, _) = ServerSpan::start(&Incoming {
            method: HttpMethod::Post,
            route: "/chat",
            operation: OperationType::ListBuckets,
            path: "/chat",
            headers: &headers,
        });
        let _in_server = server.span().enter();
        let tool = ToolSpan::start("storage_summary");
        {
            let _in_tool = tool.span().enter();
            let call = CallSpan::start(&Call {
                api: S3Api::ListObjectsV2,
                method: "GET",
                uri: "http://127.0.0.1:9000/alpha?list-type=2",
                region: Some("us-east-1"),
            });
            call.end(Some(403), Some("req-1"), None);
        }
        tool.end(Some("Access denied"));
        drop(_in_server);
        server.end(&Ended {
            status: 403,
            error: Some("Access denied"),
            bucket: Some("alpha"),
            tenant: None,
            bytes_in: 0,
            bytes_out: 0,
        });
    });
    otel.flush_spans().await;
    collector
        .receiver
        .wait_spans("three spans", |s| s.len() == 3)
        .await;
    let spans = collector.receiver.spans();
    let server = named(&spans, "POST /chat")[0];
    let tool = named(&spans, "execute_tool storage_summary")[0];
    let call = named(&spans, "S3.ListObjectsV2")[0];
    assert_eq!(tool.parent_span_id, server.span_id);
    assert_eq!(call.parent_span_id, tool.span_id);
    assert_eq!(tool.kind, SpanKind::Internal as i32);
    assert_eq!(
        str_attr(&tool.attributes, "gen_ai.tool.name").as_deref(),
        Some("storage_summary")
    );
    assert_eq!(status(tool), StatusCode::Error as i32);
    assert_eq!(
        str_attr(&call.attributes, "aws.request_id").as_deref(),
        Some("req-1")
    );
    assert_eq!(status(call), StatusCode::Error as i32);
}

#[tokio::test]
async fn collector_stopped_mid_run_requests_succeed_and_drops_rise() {
    let collector = Receiver::grpc().await;
    let h = harness(exporting_to(&collector.endpoint, "grpc")).await;
    let dropped = |text: &str| {
        metric_sum(
            &parse_metrics(text),
            "spacewatch_otel_spans_dropped_total",
            &[],
        )
    };
    let metrics = || async {
        h.get("/metrics", HeaderMap::new())
            .await
            .text()
            .await
            .unwrap()
    };
    assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    h.state.otel.flush_spans().await;
    collector
        .receiver
        .wait_spans("the first call's spans", |s| s.len() == 2)
        .await;
    assert_eq!(dropped(&metrics().await), 0.0);
    collector.stop().await;
    for _ in 0..5 {
        assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    }
    h.state.otel.flush_spans().await;
    let text = metrics().await;
    assert_eq!(
        dropped(&text),
        10.0,
        "five calls, two spans each, none delivered"
    );
    assert_eq!(
        metric_sum(
            &parse_metrics(&text),
            "spacewatch_otel_spans_exported_total",
            &[]
        ),
        2.0
    );
}
