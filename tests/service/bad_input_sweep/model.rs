//! The stand-in for the remote AI model (the one stand-in the standard allows): an
//! OpenAI-compatible chat-completions endpoint on port 0 that answers every request with
//! one plain completion, so `/chat` with valid input is a 200 and hostile input is judged
//! by SpaceWatch alone.

use axum::Json;
use serde_json::json;

/// Starts the model; its base URL, and the task to abort.
pub async fn start() -> (String, tokio::task::JoinHandle<()>) {
    let app = axum::Router::new().fallback(|| async {
        Json(json!({
            "id": "sweep-1",
            "object": "chat.completion",
            "model": "sweep-model",
            "choices": [{
                "index": 0,
                "message": {"role": "assistant", "content": "Nothing to report."},
                "finish_reason": "stop"
            }],
            "usage": {"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14}
        }))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, task)
}
