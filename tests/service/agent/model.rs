//! The one stand-in the standard allows: an OpenAI-compatible chat-completions server inside
//! the test (axum on port 0), speaking the real wire format — `tool_calls` with
//! JSON-string `arguments`, `finish_reason`, `usage` — and answering from a script. It
//! keeps every request it got (headers, body, time) for the test to inspect.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use parking_lot::Mutex;
use serde_json::{Value, json};

/// Tokens every scripted reply reports.
pub const PROMPT_TOKENS: u64 = 321;
pub const COMPLETION_TOKENS: u64 = 17;

/// One request the model got.
#[derive(Debug, Clone)]
pub struct Got {
    pub authorization: Option<String>,
    pub path: String,
    pub body: Value,
    pub raw: String,
    pub at: Instant,
}

impl Got {
    pub fn messages(&self) -> &Vec<Value> {
        self.body["messages"].as_array().expect("messages")
    }

    pub fn last(&self) -> &Value {
        self.messages().last().expect("a message")
    }

    /// The `role: tool` messages of this request.
    pub fn tool_messages(&self) -> Vec<&Value> {
        self.messages()
            .iter()
            .filter(|m| m["role"] == "tool")
            .collect()
    }

    pub fn system(&self) -> &str {
        self.messages()[0]["content"].as_str().unwrap_or_default()
    }

    pub fn has_tools(&self) -> bool {
        self.body.get("tools").is_some()
    }
}

/// What the script answers.
pub enum Reply {
    /// 200 with this completion.
    Ok(Value),
    /// Any status, extra headers, body.
    Status(u16, Vec<(&'static str, String)>, Value),
    /// Waits, then answers.
    After(Duration, Box<Reply>),
}

type Script = dyn Fn(&Got, usize) -> Reply + Send + Sync;

/// A running scripted model.
pub struct Model {
    /// The base URL (the client appends `/api/v1/chat/completions`, as for a DO agent).
    pub url: String,
    pub got: Arc<Mutex<Vec<Got>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Model {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Model {
    /// Starts a model answering with `script(request, index)` (index from 0).
    pub async fn start(script: impl Fn(&Got, usize) -> Reply + Send + Sync + 'static) -> Self {
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let script: Arc<Script> = Arc::new(script);
        let g = got.clone();
        let app = axum::Router::new().fallback(
            move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
                let (got, script) = (g.clone(), script.clone());
                async move {
                    let raw = String::from_utf8_lossy(&body).into_owned();
                    let request = Got {
                        authorization: headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_string),
                        path: uri.path().to_string(),
                        body: serde_json::from_str(&raw).unwrap_or(Value::Null),
                        raw,
                        at: Instant::now(),
                    };
                    let n = {
                        let mut g = got.lock();
                        g.push(request.clone());
                        g.len() - 1
                    };
                    respond(script(&request, n)).await
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, got, task }
    }

    pub fn requests(&self) -> Vec<Got> {
        self.got.lock().clone()
    }
}

async fn respond(r: Reply) -> Response {
    let mut r = r;
    loop {
        match r {
            Reply::After(d, next) => {
                tokio::time::sleep(d).await;
                r = *next;
            }
            Reply::Ok(v) => return axum::Json(v).into_response(),
            Reply::Status(code, headers, body) => {
                let mut resp =
                    (StatusCode::from_u16(code).unwrap(), axum::Json(body)).into_response();
                for (k, v) in headers {
                    resp.headers_mut().insert(k, v.parse().unwrap());
                }
                return resp;
            }
        }
    }
}

/// A completion whose message is `message`.
pub fn completion(message: Value, finish_reason: &str) -> Value {
    json!({
        "id": format!("chatcmpl-{}", uuid::Uuid::new_v4().simple()),
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "test-model-2024",
        "choices": [{ "index": 0, "message": message, "finish_reason": finish_reason }],
        "usage": {
            "prompt_tokens": PROMPT_TOKENS,
            "completion_tokens": COMPLETION_TOKENS,
            "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
        },
    })
}

/// A reply asking for tool calls: `(id, name, arguments as the JSON string to send)`.
pub fn tool_calls(calls: &[(&str, &str, &str)]) -> Reply {
    let calls: Vec<Value> = calls
        .iter()
        .map(|(id, name, args)| {
            json!({ "id": id, "type": "function", "function": { "name": name, "arguments": args } })
        })
        .collect();
    Reply::Ok(completion(
        json!({ "role": "assistant", "content": null, "tool_calls": calls }),
        "tool_calls",
    ))
}

/// A final answer.
pub fn answer(text: &str) -> Reply {
    Reply::Ok(completion(
        json!({ "role": "assistant", "content": text }),
        "stop",
    ))
}

/// A plain-content reply (the JSON protocol's replies are text).
pub fn content(text: &str) -> Reply {
    answer(text)
}

/// The JSON of the tool message answering `call_id`.
pub fn tool_result(g: &Got, call_id: &str) -> Value {
    let m = g
        .tool_messages()
        .into_iter()
        .find(|m| m["tool_call_id"] == call_id)
        .unwrap_or_else(|| panic!("no tool message for {call_id}: {}", g.raw));
    serde_json::from_str(unframed(m["content"].as_str().unwrap())).unwrap_or(Value::Null)
}

/// The data inside a `<tool_result …>` frame (the text itself when it has none).
pub fn unframed(content: &str) -> &str {
    match (content.find('\n'), content.rfind("\n</tool_result>")) {
        (Some(start), Some(end)) if content.starts_with("<tool_result ") && start < end => {
            &content[start + 1..end]
        }
        _ => content,
    }
}
