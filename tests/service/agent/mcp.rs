//! The tool registry over MCP at `/mcp` (streamable HTTP): JSON-RPC as any client sends
//! it, and the official MCP Python SDK as the client. Every tool call is one operation of
//! its type in `/logs/operations`.

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::model::answer;
use super::{ADMIN_KEY, admin_json, demo_tenant, start, truth_summary};
use crate::support::Harness;

/// One JSON-RPC request to `/mcp`; the HTTP status and the JSON body.
async fn rpc(
    h: &Harness,
    headers: HeaderMap,
    id: u64,
    method: &str,
    params: Value,
) -> (u16, Value) {
    let resp = h
        .http
        .post(h.url("/mcp"))
        .headers(headers)
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .json(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON: {text}")),
    )
}

#[tokio::test]
async fn mcp_lists_the_registry_and_each_call_is_an_operation_of_its_type() {
    let (h, _model) = start(|_, _| answer("unused"), |_| {}).await;
    let (status, init) = rpc(
        &h,
        demo_tenant(),
        1,
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
    )
    .await;
    assert_eq!(status, 200, "{init}");
    assert_eq!(init["result"]["serverInfo"]["name"], "spacewatch");
    assert!(init["result"]["capabilities"]["tools"].is_object());

    let (_, listed) = rpc(&h, demo_tenant(), 2, "tools/list", json!({})).await;
    let tools = listed["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    for want in [
        "list_buckets",
        "storage_summary",
        "top_ips",
        "search_access_logs",
        "object_audit",
        "metrics_series",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    assert!(!names.contains(&"take_snapshot"), "read-only by default");
    let summary = tools
        .iter()
        .find(|t| t["name"] == "storage_summary")
        .unwrap();
    assert_eq!(summary["inputSchema"]["required"], json!(["bucket"]));
    assert_eq!(summary["annotations"]["readOnlyHint"], true);

    let (objects, bytes) = truth_summary(&h.store, "demo-assets").await;
    let (_, called) = rpc(
        &h,
        demo_tenant(),
        3,
        "tools/call",
        json!({"name": "storage_summary", "arguments": {"bucket": "demo-assets"}}),
    )
    .await;
    let result = &called["result"];
    assert_eq!(result["isError"], false, "{called}");
    assert_eq!(result["structuredContent"]["object_count"], objects);
    assert_eq!(result["structuredContent"]["total_bytes"], bytes);

    let (_, failed) = rpc(
        &h,
        demo_tenant(),
        4,
        "tools/call",
        json!({"name": "list_objects", "arguments": {"bucket": "no-such-bucket-here"}}),
    )
    .await;
    assert_eq!(failed["result"]["isError"], true, "{failed}");
    assert_eq!(failed["result"]["content"][0]["text"], "Bucket not found");

    let ops = admin_json(&h, "/logs/operations").await;
    let logs = ops["logs"].as_array().unwrap();
    assert_eq!(
        logs.len(),
        2,
        "initialize and tools/list are no operations: {ops}"
    );
    assert_eq!(logs[0]["operation_type"], "LIST_OBJECTS");
    assert_eq!(logs[0]["endpoint"], "/mcp");
    assert_eq!(logs[0]["status_code"], 404);
    assert_eq!(logs[1]["operation_type"], "ANALYZE_STORAGE");
    assert_eq!(logs[1]["endpoint"], "/mcp");
    assert_eq!(logs[1]["bucket"], "demo-assets");
    assert_eq!(logs[1]["status_code"], 200);
    let text = h.flush_logs().await;
    assert!(
        text.contains("STORAGE_OP: ANALYZE_STORAGE | POST /mcp | status=200"),
        "{text}"
    );
}

#[tokio::test]
async fn mcp_needs_credentials_and_writes_only_when_allowed() {
    let (h, _model) = start(
        |_, _| answer("unused"),
        |s| s.knobs.agent_allow_write = true,
    )
    .await;
    let (status, v) = rpc(&h, HeaderMap::new(), 1, "tools/list", json!({})).await;
    assert_eq!(status, 400, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("X-Spaces-Key"));
    // A wrong secret: the call is refused, and no operation.
    let (_, refused) = rpc(
        &h,
        crate::support::tenant_with(crate::support::KEY, "wrong-secret"),
        2,
        "tools/call",
        json!({"name": "list_buckets", "arguments": {}}),
    )
    .await;
    assert_eq!(refused["result"]["isError"], true, "{refused}");

    let (_, listed) = rpc(&h, demo_tenant(), 3, "tools/list", json!({})).await;
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"take_snapshot"),
        "AGENT_ALLOW_WRITE=true offers it"
    );
    let (objects, _) = truth_summary(&h.store, "demo-assets").await;
    let (_, taken) = rpc(
        &h,
        demo_tenant(),
        4,
        "tools/call",
        json!({"name": "take_snapshot", "arguments": {"source_bucket": "demo-assets"}}),
    )
    .await;
    assert_eq!(taken["result"]["isError"], false, "{taken}");
    assert_eq!(
        taken["result"]["structuredContent"]["source_objects"],
        objects
    );
    let ops = admin_json(&h, "/logs/operations").await;
    assert_eq!(ops["count"], 1, "only the snapshot: {ops}");
    assert_eq!(ops["logs"][0]["operation_type"], "QUERY_METRICS");
    assert_eq!(ops["logs"][0]["bucket"], "demo-assets");
    let _ = ADMIN_KEY;
}

/// python3 with the `mcp` package, or a loud failure.
fn python_with_mcp() -> &'static str {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import mcp.client.streamable_http"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "python3 with the mcp package is needed (pip install mcp; .ci/run installs it)"
    );
    "python3"
}

#[tokio::test]
#[ignore = "needs python3 with the mcp package"]
async fn the_official_python_sdk_lists_the_tools_and_calls_storage_summary() {
    let python = python_with_mcp();
    let (h, _model) = start(|_, _| answer("unused"), |_| {}).await;
    let headers: serde_json::Map<String, Value> = demo_tenant()
        .iter()
        .map(|(k, v)| (k.to_string(), Value::from(v.to_str().unwrap())))
        .collect();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/service/agent/mcp_client.py"
    );
    let url = h.url("/mcp");
    let headers = Value::Object(headers).to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .args([script, &url, &headers, "demo-assets"])
            .output()
            .expect("python3 runs")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(stdout.trim().lines().last().unwrap()).unwrap();
    assert_eq!(v["server"], "spacewatch");
    let tools = v["tools"].as_array().unwrap();
    let summary = tools
        .iter()
        .find(|t| t["name"] == "storage_summary")
        .expect("listed");
    assert_eq!(summary["required"], json!(["bucket"]));
    assert_eq!(summary["read_only"], true);
    assert!(tools.iter().all(|t| t["name"] != "take_snapshot"));
    let (objects, bytes) = truth_summary(&h.store, "demo-assets").await;
    assert_eq!(v["ok"]["is_error"], false, "{v}");
    assert_eq!(v["ok"]["structured"]["object_count"], objects);
    assert_eq!(v["ok"]["structured"]["total_bytes"], bytes);
    assert_eq!(v["missing"]["is_error"], true);
    assert_eq!(v["missing"]["text"][0], "Bucket not found");

    let ops = admin_json(&h, "/logs/operations?operation_type=ANALYZE_STORAGE").await;
    let logs = ops["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 2, "{ops}");
    let ok = logs
        .iter()
        .find(|o| o["status_code"] == 200)
        .expect("the successful call");
    assert_eq!(ok["endpoint"], "/mcp");
    assert_eq!(ok["bucket"], "demo-assets");
    assert!(logs.iter().any(|o| o["status_code"] == 404));
}
