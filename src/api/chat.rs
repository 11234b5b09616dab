//! `POST /chat` `{message, session_id?}` → `{answer, tool_used, bucket_used, steps,
//! session_id, …}`: one question to the AI assistant, one `AI_QUERY` operation, attributed
//! to the bucket the chat was about once the tenant's access to it passed.
//!
//! 400 for a bad body, 503 when no agent is configured (saying how to configure one), 502
//! when the model is unreachable or failing after its retries, 504 when it timed out.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Instant;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Extension, State};
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::agent::NOT_CONFIGURED;
use crate::agent::chat;
use crate::agent::client::ModelError;
use crate::agent::sessions::{MAX_SESSION_ID, valid_session_id};
use crate::agent::tools::ToolEnv;
use crate::server::AppState;
use crate::server::client_ip::limit_key;
use crate::server::credentials::Verified;
use crate::server::error::{ApiError, ApiResult};
use crate::server::operation::OpFields;
use crate::telemetry::prom::AppEvent;
use crate::tenant::Tenant;

/// Longest question accepted, bytes.
pub const MAX_MESSAGE: usize = 8000;

/// A parsed `/chat` body.
struct ChatBody {
    message: String,
    session_id: Option<String>,
}

const SHAPE: &str = r#"the body must be JSON like {"message": "...", "session_id": "optional"}"#;

fn parse(body: &[u8]) -> ApiResult<ChatBody> {
    let v: Value = serde_json::from_slice(body).map_err(|_| ApiError::bad_request(SHAPE))?;
    let Value::Object(o) = v else {
        return Err(ApiError::bad_request(SHAPE));
    };
    let message = match o.get("message") {
        Some(Value::String(m)) if !m.trim().is_empty() => m.trim().to_string(),
        Some(Value::String(_)) | None | Some(Value::Null) => {
            return Err(ApiError::bad_request(
                "'message' is required and must not be empty",
            ));
        }
        Some(_) => return Err(ApiError::bad_request("'message' must be a string")),
    };
    if message.len() > MAX_MESSAGE {
        return Err(ApiError::bad_request(format!(
            "'message' is longer than {MAX_MESSAGE} bytes"
        )));
    }
    let session_id = match o.get("session_id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if valid_session_id(s) => Some(s.clone()),
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "'session_id' must be 1 to {MAX_SESSION_ID} letters, digits or . _ : -"
            )));
        }
    };
    Ok(ChatBody {
        message,
        session_id,
    })
}

/// The tools' view of this request's tenant.
pub(crate) fn tool_env<'a>(state: &'a AppState, tenant: &'a Tenant) -> ToolEnv<'a> {
    ToolEnv::new(
        tenant,
        &state.access,
        &state.counters,
        &state.logs,
        &state.snapshot_locks,
        &state.recorder,
        state.assistant.allow_write,
    )
}

fn model_error(e: ModelError) -> ApiError {
    match e {
        ModelError::Timeout(_) => ApiError::new(StatusCode::GATEWAY_TIMEOUT, e.to_string()),
        _ => ApiError::bad_gateway(e.to_string()),
    }
}

pub async fn chat(
    Verified(tenant): Verified,
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<ChatAnswer>> {
    state.counters.inc(AppEvent::ChatRequest);
    let req = parse(&body)?;
    let assistant = &state.assistant;
    let Some(client_model) = &assistant.client else {
        return Err(ApiError::service_unavailable(NOT_CONFIGURED));
    };
    // Who the rate limit sees: each tool call of the chat takes one of its tokens.
    let peer = peer.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |p| p.0.0.ip());
    let client = limit_key(state.proxies.client(peer, &headers));
    let session_id = req
        .session_id
        .unwrap_or_else(|| format!("chat-{}", uuid::Uuid::new_v4().simple()));
    let sessions = &assistant.sessions;
    let mut memory = sessions.get(tenant.cache_key, &session_id, Instant::now());
    let admit = |/* one tool call */| {
        let limiter = &state.api_limiter;
        let refused = limiter.check(client, Instant::now());
        if refused.is_err() {
            state.counters.rate_limited(false);
        }
        refused
    };
    let env = tool_env(&state, &tenant).with_admit(&admit);
    let outcome = chat::run(assistant, client_model, &env, &req.message, &memory).await;
    // The operation's bucket: the one the chat was about, if its access was checked.
    let checked = env.checked_buckets();
    let about = outcome.as_ref().ok().and_then(|o| o.bucket_used.as_deref());
    if let Some(b) = checked
        .iter()
        .rev()
        .find(|b| Some(b.as_str()) == about)
        .or(checked.last())
    {
        fields.set_bucket(b);
    }
    let o = outcome.map_err(model_error)?;
    memory.last_bucket.clone_from(&o.bucket_used);
    memory.push_turn(&req.message, &o.answer);
    sessions.put(tenant.cache_key, &session_id, memory, Instant::now());
    Ok(Json(answer(o, session_id)))
}

/// The answer of `/chat`: the chat's outcome, with the session to send back.
#[derive(Debug, Serialize)]
pub struct ChatAnswer {
    answer: String,
    tool_used: Option<&'static str>,
    bucket_used: Option<String>,
    steps: Vec<chat::Step>,
    session_id: String,
    model_calls: u32,
    limit_reached: bool,
    limit: Option<chat::budget::Limit>,
    mode: chat::Mode,
}

fn answer(o: chat::ChatOutcome, session_id: String) -> ChatAnswer {
    ChatAnswer {
        answer: o.answer,
        tool_used: o.tool_used,
        bucket_used: o.bucket_used,
        steps: o.steps,
        session_id,
        model_calls: o.model_calls,
        limit_reached: o.limit_reached,
        limit: o.limit,
        mode: o.mode,
    }
}

#[cfg(test)]
mod tests;
