//! The loop's bounds and protocols: a model that never stops calling tools, a tool result
//! over AGENT_MAX_TOOL_BYTES, and the JSON protocol for an endpoint that refuses `tools`.

use serde_json::{Value, json};

use super::model::{Reply, answer, content, tool_calls};
use super::{admin_json, chat, demo_tenant, start, truth_summary};
use crate::support::{metric_sum, parse_metrics};

#[tokio::test]
async fn a_model_that_never_stops_is_stopped_by_agent_max_steps() {
    let (h, model) = start(
        |_, n| {
            let id = format!("call_{n}");
            tool_calls(&[(id.as_str(), "list_buckets", "{}")])
        },
        |s| s.knobs.agent_max_steps = 3,
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "loop forever"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        model.requests().len(),
        3,
        "AGENT_MAX_STEPS model calls at most"
    );
    assert_eq!(v["model_calls"], 3);
    assert_eq!(v["limit_reached"], true);
    let answer = v["answer"].as_str().unwrap();
    assert!(
        answer.contains("AGENT_MAX_STEPS") && answer.contains('3'),
        "{answer}"
    );
    assert!(
        answer.contains("list_buckets: 3 bucket(s)"),
        "what was found: {answer}"
    );
    // The last reply's calls are not run: nobody would read their results.
    assert_eq!(v["steps"].as_array().unwrap().len(), 2);
    let text = h
        .get("/metrics", Default::default())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    assert_eq!(
        metric_sum(&samples, "spacewatch_agent_chat_steps_count", &[]),
        1.0
    );
    assert_eq!(
        metric_sum(&samples, "spacewatch_agent_chat_steps_sum", &[]),
        3.0
    );
}

#[tokio::test]
async fn a_tool_result_over_the_byte_cap_is_cut_with_a_marker() {
    let (h, model) = start(
        |g, _| match g.last()["role"].as_str() {
            Some("tool") => answer("read"),
            _ => tool_calls(&[(
                "c",
                "search_access_logs",
                r#"{"source_bucket":"demo-assets","limit":200}"#,
            )]),
        },
        |s| s.knobs.agent_max_tool_bytes = 4096,
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "show me lines"})).await;
    assert_eq!(status, 200, "{v}");
    let got = model.requests();
    let tool = got[1].tool_messages()[0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(tool.len() <= 4096, "{} bytes", tool.len());
    assert!(tool.contains("truncated by SpaceWatch"), "{tool}");
    assert!(tool.contains("AGENT_MAX_TOOL_BYTES"));
    assert!(
        tool.starts_with("<tool_result tool=\"search_access_logs\" status=\"ok\">\n{\"count\":"),
        "the start of the result is kept, framed as data: {tool}"
    );
    assert!(tool.ends_with("\n</tool_result>"));
}

/// A model without tool calling: 400 for any request with `tools`; otherwise one JSON
/// object per reply.
fn json_only(g: &super::model::Got, _: usize) -> Reply {
    if g.has_tools() {
        return Reply::Status(
            400,
            vec![],
            json!({"error": {"message": "this model does not support tools", "type": "invalid_request_error"}}),
        );
    }
    let last = g.last()["content"].as_str().unwrap_or_default();
    match last.strip_prefix("Result of storage_summary: ") {
        Some(rest) => {
            let framed = rest.split("\nReply with").next().unwrap();
            let r: Value = serde_json::from_str(super::model::unframed(framed)).unwrap();
            content(
                &json!({"answer": format!("{} objects, {} bytes", r["object_count"], r["total_bytes"])})
                    .to_string(),
            )
        }
        None => content(
            r#"```json
{"tool": "storage_summary", "arguments": {"bucket": "demo-assets"}}
```"#,
        ),
    }
}

#[tokio::test]
async fn an_endpoint_that_refuses_tools_gets_the_json_protocol() {
    let (h, model) = start(json_only, |_| {}).await;
    let (objects, bytes) = truth_summary(&h.store, "demo-assets").await;
    let (status, v) = chat(
        &h,
        demo_tenant(),
        json!({"message": "how big is demo-assets?"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["mode"], "json");
    assert_eq!(v["answer"], format!("{objects} objects, {bytes} bytes"));
    assert_eq!(v["tool_used"], "storage_summary");
    assert_eq!(v["bucket_used"], "demo-assets");
    assert_eq!(
        v["model_calls"], 3,
        "the refused call, the tool call, the answer"
    );
    let got = model.requests();
    assert!(got[1].system().contains("exactly one JSON object"));
    assert!(
        got[1].system().contains("- storage_summary {"),
        "the catalogue"
    );

    // The next chat goes straight to the protocol.
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "again"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["model_calls"], 2);
    let with_tools = model.requests().iter().filter(|g| g.has_tools()).count();
    assert_eq!(
        with_tools, 1,
        "tools are offered once, then remembered as refused"
    );
    let ops = admin_json(&h, "/logs/operations?operation_type=AI_QUERY").await;
    assert_eq!(ops["count"], 2);
}

#[tokio::test]
async fn a_model_that_ignores_the_protocol_is_corrected_once_then_taken_at_its_word() {
    let (h, model) = start(
        |g, _| {
            if g.has_tools() {
                return Reply::Status(
                    501,
                    vec![],
                    json!({"detail": "tool calling not implemented"}),
                );
            }
            content("Your buckets look fine to me.")
        },
        |s| s.knobs.agent_retries = 0,
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "status?"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["answer"], "Your buckets look fine to me.");
    let got = model.requests();
    assert_eq!(got.len(), 3);
    assert!(
        got[2].last()["content"]
            .as_str()
            .unwrap()
            .contains("exactly one JSON object"),
        "one correction"
    );
}
