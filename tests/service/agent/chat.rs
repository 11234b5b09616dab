//! Questions answered through real tool calls: one call with the right numbers, parallel
//! calls, and calls the model got wrong (malformed arguments, unknown tools) answered to it
//! as tool errors.

use std::collections::HashMap;
use std::io::Read;

use serde_json::{Value, json};

use super::model::{answer, tool_calls, tool_result};
use super::{MODEL, admin_json, assert_no_secrets, chat, demo_tenant, start, truth_summary};
use crate::otlp::Receiver;
use crate::support::s3_client;

#[tokio::test]
async fn a_storage_question_is_answered_through_a_real_tool_call() {
    let (h, model) = start(
        |g, _| match g.last()["role"].as_str() {
            Some("tool") => {
                let r = tool_result(g, "call_sum");
                answer(&format!(
                    "demo-assets holds {} objects, {} bytes in all.",
                    r["object_count"], r["total_bytes"]
                ))
            }
            _ => tool_calls(&[("call_sum", "storage_summary", r#"{"bucket":"demo-assets"}"#)]),
        },
        |_| {},
    )
    .await;
    let (objects, bytes) = truth_summary(&h.store, "demo-assets").await;
    assert!(objects > 0 && bytes > 0);
    let (status, v) = chat(
        &h,
        demo_tenant(),
        json!({"message": "How big is demo-assets?"}),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["answer"],
        format!("demo-assets holds {objects} objects, {bytes} bytes in all.")
    );
    assert_eq!(v["tool_used"], "storage_summary");
    assert_eq!(v["bucket_used"], "demo-assets");
    assert_eq!(v["model_calls"], 2);
    assert_eq!(v["limit_reached"], false);
    assert_eq!(v["mode"], "tools");
    assert!(v["session_id"].as_str().is_some_and(|s| !s.is_empty()));
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0]["tool"], "storage_summary");
    assert_eq!(steps[0]["arguments"], json!({"bucket": "demo-assets"}));
    assert_eq!(steps[0]["ok"], true);
    assert!(
        steps[0]["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("{objects} object(s), {bytes} bytes")),
        "{}",
        steps[0]["summary"]
    );

    // The wire: the model, the tools offered with their schemas, the tool message answering
    // the call by id, and the tool's exact numbers.
    let got = model.requests();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].path, "/api/v1/chat/completions");
    assert_eq!(got[0].body["model"], MODEL);
    let tools = got[0].body["tools"].as_array().unwrap();
    let summary = tools
        .iter()
        .find(|t| t["function"]["name"] == "storage_summary")
        .expect("storage_summary offered");
    assert_eq!(summary["type"], "function");
    assert_eq!(
        summary["function"]["parameters"]["required"],
        json!(["bucket"])
    );
    assert!(
        tools
            .iter()
            .all(|t| t["function"]["name"] != "take_snapshot"),
        "read-only by default"
    );
    let r = tool_result(&got[1], "call_sum");
    assert_eq!(r["object_count"], objects);
    assert_eq!(r["total_bytes"], bytes);
    let echoed = &got[1].messages()[got[1].messages().len() - 2];
    assert_eq!(echoed["role"], "assistant");
    assert_eq!(
        echoed["tool_calls"][0]["function"]["arguments"],
        r#"{"bucket":"demo-assets"}"#
    );

    // One AI_QUERY operation, attributed to the bucket, and no other operation.
    let ops = admin_json(&h, "/logs/operations").await;
    let logs = ops["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 1, "{ops}");
    assert_eq!(logs[0]["operation_type"], "AI_QUERY");
    assert_eq!(logs[0]["endpoint"], "/chat");
    assert_eq!(logs[0]["bucket"], "demo-assets");
    assert_eq!(logs[0]["status_code"], 200);
    assert_no_secrets(&h, &model, &[&v]).await;
}

/// Requests per IP for `demo-assets` in every demo log object, counted here from the raw
/// lines (field 5 is the remote IP).
async fn truth_requests_by_ip(store: &spacewatch::demo::DemoStore) -> HashMap<String, u64> {
    let c = s3_client(store);
    let listed = c
        .list_objects_v2()
        .bucket("demo-logs")
        .prefix("access-logs/")
        .send()
        .await
        .unwrap();
    let mut by: HashMap<String, u64> = HashMap::new();
    for o in listed.contents() {
        let key = o.key().unwrap();
        let body = c
            .get_object()
            .bucket("demo-logs")
            .key(key)
            .send()
            .await
            .unwrap();
        let bytes = body.body.collect().await.unwrap().into_bytes().to_vec();
        let text = if key.ends_with(".gz") {
            let mut s = String::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .read_to_string(&mut s)
                .unwrap();
            s
        } else {
            String::from_utf8(bytes).unwrap()
        };
        for line in text.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() > 4 && f[1] == "demo-assets" && f[2].starts_with('[') {
                *by.entry(f[4].to_string()).or_default() += 1;
            }
        }
    }
    by
}

#[tokio::test]
async fn parallel_tool_calls_run_together_and_answer_in_order() {
    let collector = Receiver::grpc().await;
    let otel = super::telemetry::exporting_to(&collector.endpoint);
    let (h, model) = start(
        |g, _| match g.last()["role"].as_str() {
            Some("tool") => answer("done"),
            _ => tool_calls(&[
                (
                    "c_ips",
                    "top_ips",
                    r#"{"source_bucket":"demo-assets","limit":3}"#,
                ),
                ("c_sum", "storage_summary", r#"{"bucket":"demo-assets"}"#),
                ("c_buckets", "list_buckets", "{}"),
            ]),
        },
        move |s| s.otel = otel,
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "Who downloads most?"})).await;
    assert_eq!(status, 200, "{v}");
    let steps: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["tool"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["top_ips", "storage_summary", "list_buckets"]);
    let got = model.requests();
    let second = &got[1];
    let ids: Vec<&str> = second
        .tool_messages()
        .iter()
        .map(|m| m["tool_call_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["c_ips", "c_sum", "c_buckets"],
        "answers in call order"
    );

    // Concurrently: every tool span started before any of them ended.
    h.state.otel.flush_spans().await;
    let r = &collector.receiver;
    r.wait_spans("three tool spans", |s| {
        s.iter()
            .filter(|(_, s)| s.name.starts_with("execute_tool "))
            .count()
            == 3
    })
    .await;
    let spans = r.spans();
    let tools: Vec<_> = spans
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.name.starts_with("execute_tool "))
        .collect();
    let last_start = tools.iter().map(|s| s.start_time_unix_nano).max().unwrap();
    let first_end = tools.iter().map(|s| s.end_time_unix_nano).min().unwrap();
    assert!(last_start < first_end, "the three calls overlapped in time");

    let truth = truth_requests_by_ip(&h.store).await;
    let ips = tool_result(second, "c_ips");
    assert_eq!(ips["requests_total"], truth.values().sum::<u64>());
    assert_eq!(ips["unique_ips"], truth.len());
    let top = &ips["top_ips"][0];
    let most = truth.values().max().unwrap();
    assert_eq!(top["requests"], *most);
    assert_eq!(truth[top["ip"].as_str().unwrap()], *most);
    let (objects, _) = truth_summary(&h.store, "demo-assets").await;
    assert_eq!(tool_result(second, "c_sum")["object_count"], objects);
    let mut buckets: Vec<&str> = Vec::new();
    let listed = tool_result(second, "c_buckets");
    for b in listed["buckets"].as_array().unwrap() {
        buckets.push(b["name"].as_str().unwrap());
    }
    buckets.sort_unstable();
    assert_eq!(buckets, ["demo-assets", "demo-logs", "demo-metrics"]);
}

#[tokio::test]
async fn malformed_arguments_and_unknown_tools_are_tool_errors_for_the_model() {
    let (h, model) = start(
        |g, _| match g.last()["role"].as_str() {
            Some("tool") => answer("I could not read that."),
            _ => tool_calls(&[
                ("bad_json", "storage_summary", r#"{"bucket": "demo-assets""#),
                ("bad_type", "storage_summary", r#"{"bucket": 42}"#),
                ("missing", "top_largest", "{}"),
                ("unknown", "delete_everything", "{}"),
                ("absent", "storage_summary", r#"{"bucket":"not-my-bucket"}"#),
            ]),
        },
        |_| {},
    )
    .await;
    let (status, v) = chat(&h, demo_tenant(), json!({"message": "break things"})).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["answer"], "I could not read that.");
    assert_eq!(v["tool_used"], Value::Null, "no tool succeeded");
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 5);
    assert!(steps.iter().all(|s| s["ok"] == false), "{v}");
    let second = &model.requests()[1];
    let error = |id: &str| {
        tool_result(second, id)["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        error("bad_json").contains("not valid JSON"),
        "{}",
        error("bad_json")
    );
    assert_eq!(error("bad_type"), "'bucket' must be a string");
    assert_eq!(error("missing"), "'bucket' is required");
    assert!(error("unknown").starts_with("unknown tool 'delete_everything'"));
    assert!(
        error("unknown").contains("storage_summary"),
        "the tools are listed"
    );
    assert_eq!(error("absent"), "Bucket not found");
}
