//! A chat in OpenTelemetry and Prometheus: the `POST /chat` server span, a `chat {model}`
//! CLIENT span per model call with the GenAI attributes, an `execute_tool {name}` span per
//! tool call with its S3 calls beneath; model-call duration, token usage, steps and tool
//! calls in `/metrics` and over OTLP.

use std::collections::HashMap;

use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use serde_json::json;
use spacewatch::config::otel::OtelSettings;

use super::model::{COMPLETION_TOKENS, PROMPT_TOKENS, answer, tool_calls};
use super::{MODEL, chat, demo_tenant, start};
use crate::otlp::{Receiver, int_attr, str_attr};
use crate::support::{metric_sum, parse_metrics};

pub fn exporting_to(endpoint: &str) -> OtelSettings {
    let vars: HashMap<String, String> = [
        ("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ("OTEL_SERVICE_NAME", "spacewatch-agent-test"),
        ("OTEL_BSP_SCHEDULE_DELAY", "50"),
        ("OTEL_METRIC_EXPORT_INTERVAL", "200"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    OtelSettings::from_lookup(|k| vars.get(k).cloned())
}

fn named<'a>(spans: &'a [(String, Span)], name: &str) -> Vec<&'a Span> {
    spans
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.name == name)
        .collect()
}

fn string_array(s: &Span, key: &str) -> Vec<String> {
    let v = s
        .attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.clone());
    match v.and_then(|v| v.value) {
        Some(any_value::Value::ArrayValue(a)) => a
            .values
            .into_iter()
            .filter_map(|v| match v.value {
                Some(any_value::Value::StringValue(s)) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn a_chat_is_one_server_span_with_model_and_tool_spans_and_its_metrics() {
    let collector = Receiver::grpc().await;
    let otel = exporting_to(&collector.endpoint);
    let (h, _model) = start(
        |g, _| match g.last()["role"].as_str() {
            Some("tool") => answer("done"),
            _ => tool_calls(&[("call_77", "storage_summary", r#"{"bucket":"demo-assets"}"#)]),
        },
        move |s| s.otel = otel,
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "size?"})).await;
    assert_eq!(status, 200, "{v}");
    h.state.otel.flush_spans().await;
    let r = &collector.receiver;
    r.wait_spans("the chat's spans", |s| {
        named(s, "POST /chat").len() == 1 && named(s, &format!("chat {MODEL}")).len() == 2
    })
    .await;
    let spans = r.spans();
    let server = named(&spans, "POST /chat")[0];
    assert_eq!(
        str_attr(&server.attributes, "spacewatch.operation.type").as_deref(),
        Some("AI_QUERY")
    );
    assert_eq!(
        str_attr(&server.attributes, "aws.s3.bucket").as_deref(),
        Some("demo-assets")
    );

    let calls = named(&spans, &format!("chat {MODEL}"));
    for c in &calls {
        assert_eq!(c.kind, SpanKind::Client as i32);
        assert_eq!(
            c.parent_span_id, server.span_id,
            "model calls under the chat"
        );
        for (k, want) in [
            ("gen_ai.operation.name", "chat"),
            ("gen_ai.provider.name", "openai"),
            ("gen_ai.request.model", MODEL),
            ("gen_ai.response.model", "test-model-2024"),
            ("server.address", "127.0.0.1"),
        ] {
            assert_eq!(str_attr(&c.attributes, k).as_deref(), Some(want), "{k}");
        }
        assert_eq!(
            int_attr(&c.attributes, "gen_ai.usage.input_tokens"),
            Some(PROMPT_TOKENS as i64)
        );
        assert_eq!(
            int_attr(&c.attributes, "gen_ai.usage.output_tokens"),
            Some(COMPLETION_TOKENS as i64)
        );
        assert!(int_attr(&c.attributes, "server.port").is_some());
    }
    let mut reasons: Vec<String> = calls
        .iter()
        .flat_map(|c| string_array(c, "gen_ai.response.finish_reasons"))
        .collect();
    reasons.sort();
    assert_eq!(reasons, ["stop", "tool_calls"]);

    let tool = named(&spans, "execute_tool storage_summary")[0];
    assert_eq!(tool.parent_span_id, server.span_id);
    assert_eq!(
        str_attr(&tool.attributes, "gen_ai.tool.call.id").as_deref(),
        Some("call_77")
    );
    assert_eq!(
        str_attr(&tool.attributes, "gen_ai.tool.name").as_deref(),
        Some("storage_summary")
    );
    let s3: Vec<&Span> = spans
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.parent_span_id == tool.span_id)
        .collect();
    assert!(
        s3.iter().any(|s| s.name == "S3.ListObjectsV2"),
        "the tool's S3 calls nest under it: {:?}",
        s3.iter().map(|s| &s.name).collect::<Vec<_>>()
    );

    // Prometheus.
    let text = h
        .get("/metrics", Default::default())
        .await
        .text()
        .await
        .unwrap();
    let m = parse_metrics(&text);
    let sum = |name: &str, labels: &[(&str, &str)]| metric_sum(&m, name, labels);
    assert_eq!(
        sum(
            "spacewatch_gen_ai_client_operation_duration_seconds_count",
            &[("operation", "chat")]
        ),
        2.0
    );
    assert_eq!(
        sum(
            "spacewatch_gen_ai_client_token_usage_sum",
            &[("token_type", "input")]
        ),
        2.0 * PROMPT_TOKENS as f64
    );
    assert_eq!(
        sum(
            "spacewatch_gen_ai_client_token_usage_sum",
            &[("token_type", "output")]
        ),
        2.0 * COMPLETION_TOKENS as f64
    );
    assert_eq!(sum("spacewatch_agent_chat_steps_sum", &[]), 2.0);
    assert_eq!(
        sum(
            "spacewatch_agent_tool_calls_total",
            &[
                ("tool", "storage_summary"),
                ("outcome", "ok"),
                ("interface", "chat")
            ]
        ),
        1.0
    );
    assert_eq!(sum("spacewatch_gen_ai_client_errors_total", &[]), 0.0);
    assert_eq!(
        sum("spacewatch_operations_total", &[("operation", "AI_QUERY")]),
        1.0
    );
    assert_eq!(
        sum("spacewatch_app_events_total", &[("event", "chat_requests")]),
        1.0
    );
    assert_eq!(
        sum("spacewatch_app_events_total", &[("event", "agent_calls")]),
        2.0
    );

    // OTLP metrics: the same counts under the GenAI names.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let got = (
            r.latest_histogram_count("gen_ai.client.operation.duration"),
            r.latest_histogram_count("gen_ai.client.token.usage"),
        );
        if got == (Some(2), Some(4)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "OTLP GenAI metrics: {got:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
