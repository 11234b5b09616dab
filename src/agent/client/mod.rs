//! The client of an OpenAI-compatible chat-completions endpoint (reqwest over rustls).
//!
//! `DO_AGENT_URL` is a base URL (a DigitalOcean agent serves
//! `{url}/api/v1/chat/completions`), a URL ending in `/v1` (OpenAI-style: `/chat/completions`
//! is appended), or the full `…/chat/completions` URL. `DO_AGENT_KEY` goes in
//! `Authorization: Bearer` and nowhere else: error texts are written here, never taken
//! from reqwest (whose messages carry the URL), and an error body that echoes the key has
//! it masked.
//!
//! Each model call has `DO_AGENT_TIMEOUT_SEC` for the whole exchange (a timeout is final:
//! retrying a model that did not answer in time only doubles the wait). Connection
//! failures, 429 and 5xx are retried `DO_AGENT_RETRIES` times with exponential backoff; a
//! `Retry-After` (seconds or an HTTP date) is waited exactly, up to [`MAX_RETRY_WAIT`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::Url;
use serde_json::Value;

mod endpoint;

pub use endpoint::{AgentUrlError, completions_url, parse_retry_after};

/// Why the agent's client cannot be made (at start-up).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentConfigError {
    #[error(transparent)]
    Url(#[from] AgentUrlError),
    #[error("the HTTP client for DO_AGENT_URL could not be built")]
    Client,
}

use super::wire::{ChatRequest, Completion};
use crate::config::Secret;
use crate::telemetry::genai::{GenAiMetrics, ModelCallRecord, ModelErrorType};
use crate::telemetry::otel::genai::{ModelReply, ModelSpan, ModelTarget};

/// Longest `Retry-After` SpaceWatch waits; a longer one fails the call at once.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(30);
/// First backoff; doubled each retry, at most [`MAX_BACKOFF`].
const BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(8);
/// Largest reply read from the model.
const MAX_REPLY_BYTES: usize = 8 * 1024 * 1024;
/// Longest part of a model's error text passed on.
const MAX_DETAIL: usize = 200;

/// How to reach the model.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub url: String,
    pub key: Option<Secret>,
    pub model: Option<String>,
    pub timeout: Duration,
    pub retries: u32,
}

/// Why a model call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    #[error("the AI agent did not answer within {0} s (DO_AGENT_TIMEOUT_SEC)")]
    Timeout(u64),
    #[error("the AI agent at {host} could not be reached ({why}; {attempts} attempt(s))")]
    Unreachable {
        host: String,
        why: &'static str,
        attempts: u32,
    },
    #[error("the AI agent answered HTTP {status} ({attempts} attempt(s)){detail}")]
    Status {
        status: u16,
        detail: String,
        attempts: u32,
        mentions_tools: bool,
    },
    #[error("the AI agent asked to retry after {0} s (Retry-After), longer than SpaceWatch waits")]
    RetryTooLate(u64),
    #[error("the AI agent's answer is not a chat completion: {0}")]
    BadResponse(String),
}

impl ModelError {
    pub fn error_type(&self) -> ModelErrorType {
        match self {
            Self::Timeout(_) => ModelErrorType::Timeout,
            Self::Unreachable { .. } => ModelErrorType::Unreachable,
            Self::Status { status: 429, .. } | Self::RetryTooLate(_) => ModelErrorType::RateLimited,
            Self::Status { status, .. } if *status >= 500 => ModelErrorType::ServerError,
            Self::Status { .. } => ModelErrorType::ClientError,
            Self::BadResponse(_) => ModelErrorType::BadResponse,
        }
    }

    /// The endpoint refused a request because of its `tools` (it has no tool calling).
    pub fn refuses_tools(&self) -> bool {
        matches!(self, Self::Status { status, mentions_tools: true, .. }
            if matches!(status, 400 | 404 | 405 | 422 | 500 | 501))
    }
}

/// One failed attempt: the error, whether to retry, and how long the server asked to wait.
struct Failed {
    error: ModelError,
    retry: bool,
    retry_after: Option<Duration>,
}

/// The client; one per server.
#[derive(Debug)]
pub struct ModelClient {
    http: reqwest::Client,
    url: Url,
    key: Option<Secret>,
    target: ModelTarget,
    timeout: Duration,
    retries: u32,
    /// Set once the endpoint refused `tools`: later chats use the JSON protocol at once.
    tools_refused: AtomicBool,
}

impl ModelClient {
    pub fn new(c: ClientConfig) -> Result<Self, AgentConfigError> {
        let url = completions_url(&c.url)?;
        let host = url.host_str().unwrap_or_default().to_string();
        let http = reqwest::Client::builder()
            .connect_timeout(c.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("spacewatch/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| AgentConfigError::Client)?;
        Ok(Self {
            http,
            target: ModelTarget {
                provider: endpoint::provider_of(&host),
                model: c.model,
                server_port: url.port_or_known_default().unwrap_or(443),
                server_address: host,
            },
            url,
            key: c.key,
            timeout: c.timeout,
            retries: c.retries,
            tools_refused: AtomicBool::new(false),
        })
    }

    pub fn target(&self) -> &ModelTarget {
        &self.target
    }

    pub fn model(&self) -> Option<&str> {
        self.target.model.as_deref()
    }

    pub fn tools_refused(&self) -> bool {
        self.tools_refused.load(Ordering::Relaxed)
    }

    pub fn remember_tools_refused(&self) {
        self.tools_refused.store(true, Ordering::Relaxed);
    }

    /// One model call (with its retries): a `chat {model}` span and the metrics.
    pub async fn complete(
        &self,
        body: &ChatRequest<'_>,
        metrics: &GenAiMetrics,
    ) -> Result<Completion, ModelError> {
        let span = ModelSpan::start(&self.target);
        let started = Instant::now();
        let (result, attempts) = self.with_retries(body, metrics).await;
        let usage = result.as_ref().ok().and_then(|c| c.usage);
        let record = ModelCallRecord {
            duration: started.elapsed(),
            error: result.as_ref().err().map(ModelError::error_type),
            input_tokens: usage.and_then(|u| u.prompt_tokens),
            output_tokens: usage.and_then(|u| u.completion_tokens),
        };
        metrics.model_call(&self.target, &record);
        let message = result.as_ref().err().map(ToString::to_string);
        let reply = match &result {
            Ok(c) => ModelReply {
                response_id: c.id.as_deref(),
                response_model: c.model.as_deref(),
                finish_reasons: c.finish_reasons(),
                input_tokens: record.input_tokens,
                output_tokens: record.output_tokens,
                error: None,
                attempts,
            },
            Err(e) => ModelReply {
                error: Some((e.error_type().as_str(), message.as_deref().unwrap_or(""))),
                attempts,
                ..ModelReply::default()
            },
        };
        span.end(&reply);
        result
    }

    async fn with_retries(
        &self,
        body: &ChatRequest<'_>,
        metrics: &GenAiMetrics,
    ) -> (Result<Completion, ModelError>, u32) {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let f = match self.attempt(body).await {
                Ok(c) => return (Ok(c), attempt),
                Err(f) => f,
            };
            metrics.attempt_failed(f.error.error_type());
            if !f.retry || attempt > self.retries {
                return (Err(with_attempts(f.error, attempt)), attempt);
            }
            let wait = match f.retry_after {
                Some(d) if d > MAX_RETRY_WAIT => {
                    return (Err(ModelError::RetryTooLate(d.as_secs())), attempt);
                }
                Some(d) => d,
                None => BACKOFF
                    .saturating_mul(1 << (attempt - 1).min(16))
                    .min(MAX_BACKOFF),
            };
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(&self, body: &ChatRequest<'_>) -> Result<Completion, Failed> {
        let mut req = self.http.post(self.url.clone()).json(body);
        if let Some(k) = &self.key {
            req = req.bearer_auth(k.expose());
        }
        let exchange = async {
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let bytes = read_capped(resp).await?;
            Ok::<_, reqwest::Error>((status, retry_after, bytes))
        };
        let (status, retry_after, bytes) = match tokio::time::timeout(self.timeout, exchange).await
        {
            Err(_) => return Err(self.timed_out()),
            Ok(Err(e)) if e.is_timeout() => return Err(self.timed_out()),
            Ok(Err(e)) => {
                return Err(Failed {
                    error: ModelError::Unreachable {
                        host: self.target.server_address.clone(),
                        why: if e.is_connect() {
                            "connection failed"
                        } else {
                            "the connection broke"
                        },
                        attempts: 1,
                    },
                    retry: true,
                    retry_after: None,
                });
            }
            Ok(Ok(r)) => r,
        };
        if (200..300).contains(&status) {
            return serde_json::from_slice::<Completion>(&bytes).map_err(|e| Failed {
                error: ModelError::BadResponse(e.to_string()),
                retry: false,
                retry_after: None,
            });
        }
        let text = String::from_utf8_lossy(&bytes);
        Err(Failed {
            error: ModelError::Status {
                status,
                detail: self.detail(&text),
                attempts: 1,
                mentions_tools: text.to_ascii_lowercase().contains("tool"),
            },
            retry: status == 429 || status >= 500,
            retry_after,
        })
    }

    fn timed_out(&self) -> Failed {
        Failed {
            error: ModelError::Timeout(self.timeout.as_secs_f64().ceil() as u64),
            retry: false,
            retry_after: None,
        }
    }

    /// `: <the model's error message>`, short, with the agent key masked.
    fn detail(&self, body: &str) -> String {
        let v: Option<Value> = serde_json::from_str(body).ok();
        let message = v
            .as_ref()
            .and_then(|v| {
                v["error"]["message"]
                    .as_str()
                    .or(v["error"].as_str())
                    .or(v["detail"].as_str())
                    .or(v["message"].as_str())
            })
            .unwrap_or(body)
            .trim();
        if message.is_empty() {
            return String::new();
        }
        let mut m = match &self.key {
            Some(k) if !k.expose().is_empty() => message.replace(k.expose(), "***"),
            _ => message.to_string(),
        };
        if m.len() > MAX_DETAIL {
            let mut cut = MAX_DETAIL;
            while !m.is_char_boundary(cut) {
                cut -= 1;
            }
            m.truncate(cut);
            m.push('…');
        }
        format!(": {m}")
    }
}

fn with_attempts(e: ModelError, n: u32) -> ModelError {
    match e {
        ModelError::Unreachable { host, why, .. } => ModelError::Unreachable {
            host,
            why,
            attempts: n,
        },
        ModelError::Status {
            status,
            detail,
            mentions_tools,
            ..
        } => ModelError::Status {
            status,
            detail,
            attempts: n,
            mentions_tools,
        },
        other => other,
    }
}

async fn read_capped(mut resp: reqwest::Response) -> Result<Vec<u8>, reqwest::Error> {
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        let room = MAX_REPLY_BYTES.saturating_sub(out.len());
        out.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if room <= chunk.len() {
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
