//! The one stand-in the standard allows: an OpenAI-compatible chat-completions server
//! inside the test, so the dashboard's assistant panels get real GenAI traffic — a chat
//! that calls a tool, and a model call that fails.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::support::{KEY, SECRET};

/// A running model: its base URL; it stops with the test's runtime.
pub async fn start() -> String {
    let app = axum::Router::new().fallback(|body: Bytes| async move { reply(&body) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

/// A question containing "fail" gets a 500; otherwise `list_buckets` is called, then
/// answered.
fn reply(body: &[u8]) -> Response {
    let req: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let messages = req["messages"].as_array().cloned().unwrap_or_default();
    let last = messages.last().cloned().unwrap_or(Value::Null);
    let question = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default();
    if question.contains("fail") {
        return (StatusCode::INTERNAL_SERVER_ERROR, "model down").into_response();
    }
    let message = match last["role"].as_str() {
        Some("tool") => json!({"role": "assistant", "content": "You have 3 buckets."}),
        _ => json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": "c1", "type": "function", "function": {"name": "list_buckets", "arguments": "{}"}}
        ]}),
    };
    axum::Json(json!({
        "id": "chatcmpl-bundle",
        "model": "bundle-model",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 120, "completion_tokens": 12, "total_tokens": 132},
    }))
    .into_response()
}

/// The environment that points SpaceWatch at the model (no retries: one failed attempt).
pub fn env(url: &str) -> [(&'static str, String); 3] {
    [
        ("DO_AGENT_URL", url.to_string()),
        ("DO_AGENT_KEY", "bundle-agent-key".into()),
        ("DO_AGENT_RETRIES", "0".into()),
    ]
}

/// One chat that calls a tool (200) and one whose model fails (502).
pub async fn chats(base: &str) {
    for (message, status) in [("how many buckets?", 200), ("please fail", 502)] {
        let resp = reqwest::Client::new()
            .post(format!("{base}/chat"))
            .header("X-Spaces-Key", KEY)
            .header("X-Spaces-Secret", SECRET)
            .json(&json!({ "message": message }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), status, "{message}");
    }
}
