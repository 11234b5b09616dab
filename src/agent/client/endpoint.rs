//! Where the model is: the chat-completions URL of `DO_AGENT_URL`, the provider name the
//! GenAI conventions want, and the server's `Retry-After`.

use std::time::Duration;

use reqwest::Url;

/// `Retry-After`: delay seconds, or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let ms = at.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(ms.max(0) as u64))
}

/// Why `DO_AGENT_URL` cannot be used (the URL shown with any password masked).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentUrlError {
    #[error("DO_AGENT_URL {0:?} is not a URL")]
    NotAUrl(String),
    #[error("DO_AGENT_URL {0:?} is not an http(s) URL")]
    NotHttp(String),
    #[error("DO_AGENT_URL must not carry user:password (the key goes in DO_AGENT_KEY)")]
    Credentials,
}

/// The chat-completions URL of `DO_AGENT_URL`.
pub fn completions_url(raw: &str) -> Result<Url, AgentUrlError> {
    let shown = || crate::config::redact_url(raw);
    let mut url = Url::parse(raw.trim()).map_err(|_| AgentUrlError::NotAUrl(shown()))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(AgentUrlError::NotHttp(shown()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(AgentUrlError::Credentials);
    }
    let path = url.path().trim_end_matches('/').to_string();
    let full = if path.ends_with("/chat/completions") {
        path
    } else if path.ends_with("/v1") {
        format!("{path}/chat/completions")
    } else {
        format!("{path}/api/v1/chat/completions")
    };
    url.set_path(&full);
    Ok(url)
}

/// `gen_ai.provider.name` from the endpoint's host.
pub(super) fn provider_of(host: &str) -> &'static str {
    if host.ends_with("digitalocean.com") || host.ends_with("do-ai.run") {
        "digitalocean"
    } else {
        "openai"
    }
}

#[cfg(test)]
mod tests;
