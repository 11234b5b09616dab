//! The AI assistant: natural-language questions about a tenant's storage, answered by an
//! OpenAI-compatible model that calls SpaceWatch's own tools.
//!
//! ```text
//! POST /chat ──► chat::run ──► client (chat completions; `chat {model}` spans, retries)
//!                   │ ▲
//!                   ▼ │ tool results (framed as untrusted data; capped per result and
//!                   │ │ per chat)
//!                tools (one registry; `execute_tool {name}` spans, S3 calls beneath)
//!                   ▲
//! POST /mcp  ───────┘ (the same registry for MCP clients, one operation per call)
//! ```
//!
//! - [`client`]: the chat-completions client — timeout, retries with backoff and
//!   `Retry-After`, the agent key only in `Authorization`.
//! - [`tools`]: the registry — names, descriptions, JSON Schemas, and calls into the
//!   storage and access-log layers with the request's tenant; read-only unless
//!   `AGENT_ALLOW_WRITE=true`.
//! - [`chat`]: the bounded loop (native tool calls, or a strict JSON protocol when the
//!   endpoint refuses `tools`): at most `AGENT_MAX_STEPS` model calls, tool calls and
//!   tool-result bytes per reply and per chat, a deadline ([`chat::budget`]); each tool
//!   call takes a token of the client's rate limit.
//! - [`sessions`]: per-session memory (last bucket, last turns), per tenant credentials.
//!
//! Nothing here knows HTTP answers: the API layer maps [`client::ModelError`] to 502/504
//! and a missing configuration to 503.

pub mod chat;
pub mod client;
pub mod sessions;
pub mod tools;
pub mod wire;

use crate::config::Settings;
use crate::telemetry::genai::GenAiMetrics;

use chat::budget::Budget;
use chat::prompt::Setting;
use client::{AgentConfigError, ClientConfig, ModelClient};
use sessions::Sessions;
use tools::{ToolEnv, ToolId};

/// The assistant of a server: the model client (when configured), the session memory,
/// the metrics and the bounds.
#[derive(Debug)]
pub struct Assistant {
    pub client: Option<ModelClient>,
    pub sessions: Sessions,
    pub metrics: GenAiMetrics,
    /// What one chat may spend (the MCP tools share its `per_result` cap).
    pub budget: Budget,
    pub allow_write: bool,
}

/// What `/chat` says when no agent is configured.
pub const NOT_CONFIGURED: &str = "The AI assistant is not configured. Set DO_AGENT_URL (the \
agent's base URL, e.g. https://<id>.agents.do-ai.run, or any URL ending in /chat/completions) \
and DO_AGENT_KEY (and DO_AGENT_MODEL if the endpoint needs a model name) in the environment \
or in .env (`spacewatch setup` writes it), then restart SpaceWatch.";

impl Assistant {
    /// From the settings; an agent URL that cannot be used is an error at start-up.
    pub fn new(settings: &Settings, metrics: GenAiMetrics) -> Result<Self, AgentConfigError> {
        let k = &settings.knobs;
        metrics.declare_tools(ToolId::ALL.map(ToolId::name));
        let client = settings
            .agent
            .as_ref()
            .map(|a| {
                ModelClient::new(ClientConfig {
                    url: a.url.clone(),
                    key: a.key.clone(),
                    model: a.model.clone(),
                    timeout: k.agent_timeout(),
                    retries: k.agent_retries,
                })
            })
            .transpose()?;
        Ok(Self {
            client,
            sessions: Sessions::default(),
            metrics,
            budget: Budget {
                max_steps: k.agent_max_steps.max(1),
                per_reply: k.agent_max_tool_calls.max(1),
                per_chat: k.agent_max_chat_tool_calls.max(1),
                result_bytes: k.agent_max_chat_tool_bytes,
                per_result: k.agent_max_tool_bytes,
                deadline: k.agent_chat_deadline(),
            },
            allow_write: k.agent_allow_write,
        })
    }

    /// What the prompt may say about the tenant's setup.
    fn setting<'a>(&self, env: &'a ToolEnv<'_>) -> Setting<'a> {
        Setting {
            log_bucket: env.tenant.creds.log_bucket.as_ref().map(|b| b.as_str()),
            metrics_bucket: env.tenant.creds.metrics_bucket.as_ref().map(|b| b.as_str()),
            today: crate::accesslog::record::iso(env.now())
                .get(..10)
                .unwrap_or_default()
                .to_string(),
        }
    }
}
