//! Issue 18 for `/mcp`: an abandoned `tools/call` stops and is recorded as 499 (item 6);
//! results are cut at `AGENT_MAX_TOOL_BYTES` like the chat's (item 5); `Origin` and
//! `Host` are checked, the MCP specification's guard against DNS rebinding (item 11).

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};
use spacewatch::config::mcp::{McpAccess, McpArgs};
use spacewatch::telemetry::SystemClock;

use super::model::answer;
use super::{admin_json, agent_settings, demo_store, demo_tenant, start};
use crate::fault_proxy::{Fault, FaultProxy, rule};
use crate::support::Harness;

fn call_body(name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
           "params": {"name": name, "arguments": arguments}})
}

fn post(h: &Harness, headers: HeaderMap, body: &Value) -> reqwest::RequestBuilder {
    h.http
        .post(h.url("/mcp"))
        .headers(headers)
        .header("Accept", "application/json, text/event-stream")
        .json(body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_tool_call_stops_and_is_recorded_as_499() {
    // Every ListObjectsV2 is held 10 s by the proxy in front of the store.
    let store = demo_store().await;
    let proxy = FaultProxy::start(
        store.addr(),
        vec![rule("list-type=2", Fault::Delay(Duration::from_secs(10)))],
    )
    .await;
    let mut settings = agent_settings(&store, "http://127.0.0.1:9");
    settings.endpoint = Some(proxy.endpoint());
    let h = Harness::serve(store, settings, Arc::new(SystemClock)).await;
    let body = call_body("list_objects", json!({"bucket": "demo-assets"}));
    let sent = Instant::now();
    let gave_up = post(&h, demo_tenant(), &body)
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(gave_up.is_err(), "the client gave up: {gave_up:?}");
    // Recorded once the call is dropped, long before the store would have answered.
    let mut ops = Value::Null;
    while sent.elapsed() < Duration::from_secs(4) {
        ops = admin_json(&h, "/logs/operations").await;
        if ops["count"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ops["count"], 1, "{ops}");
    let op = &ops["logs"][0];
    assert_eq!(op["operation_type"], "LIST_OBJECTS", "{op}");
    assert_eq!(op["endpoint"], "/mcp");
    assert_eq!(op["status_code"], 499, "{op}");
    assert!(op["duration_ms"].as_f64().unwrap() < 3000.0, "{op}");
    assert_eq!(proxy.faults(), 1, "the listing was under way");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_over_agent_max_tool_bytes_is_cut_like_the_chats() {
    let (h, _model) = start(
        |_, _| answer("unused"),
        |s| s.knobs.agent_max_tool_bytes = 1024,
    )
    .await;
    let body = call_body(
        "search_access_logs",
        json!({"source_bucket": "demo-assets", "limit": 200}),
    );
    let v: Value = post(&h, demo_tenant(), &body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result = &v["result"];
    assert_eq!(result["isError"], false, "{v}");
    assert!(result.get("structuredContent").is_none(), "{v}");
    let text = result["content"][0]["text"].as_str().unwrap();
    assert!(text.len() <= 1024, "{} bytes", text.len());
    assert!(text.starts_with("{\"count\":"), "{text}");
    assert!(text.contains("truncated by SpaceWatch") && text.contains("AGENT_MAX_TOOL_BYTES"));
    // A small result is still structured.
    let small = call_body("list_buckets", json!({}));
    let v: Value = post(&h, demo_tenant(), &small)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["result"]["structuredContent"]["count"], 3, "{v}");
}

async fn status_with(h: &Harness, extra: &[(&'static str, &str)]) -> (u16, Value) {
    let mut headers = demo_tenant();
    for (k, v) in extra {
        headers.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    let resp = post(h, headers, &call_body("list_buckets", json!({})))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn origin_and_host_are_checked_against_dns_rebinding() {
    let (h, _model) = start(
        |_, _| answer("unused"),
        |s| {
            s.mcp = McpAccess::from_args(&McpArgs {
                allowed_origins: vec!["https://ide.example".into()],
                allowed_hosts: vec!["spacewatch.example".into()],
            })
            .unwrap()
        },
    )
    .await;
    // No Origin (MCP clients and SDKs), an IP address as Host: served.
    assert_eq!(status_with(&h, &[]).await.0, 200);
    assert_eq!(
        status_with(&h, &[("Origin", "https://ide.example")])
            .await
            .0,
        200
    );
    assert_eq!(
        status_with(&h, &[("Host", "SpaceWatch.example")]).await.0,
        200
    );
    assert_eq!(status_with(&h, &[("Host", "localhost:8000")]).await.0, 200);
    // A page elsewhere, a name that resolves here but is not ours: 403, nothing run.
    for (k, v) in [
        ("Origin", "http://evil.example"),
        ("Origin", "null"),
        ("Host", "rebind.evil.example:8000"),
    ] {
        let (status, body) = status_with(&h, &[(k, v)]).await;
        assert_eq!(status, 403, "{k}: {v}: {body}");
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.contains("MCP_ALLOWED_"), "{detail}");
    }
    let ops = admin_json(&h, "/logs/operations").await;
    assert_eq!(
        ops["count"], 4,
        "only the served calls are operations: {ops}"
    );
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let refused = crate::support::metric_sum(
        &crate::support::parse_metrics(&text),
        "spacewatch_refused_requests_total",
        &[("reason", "origin")],
    );
    assert_eq!(refused, 3.0);
}
