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

/// The chat-completions URL of `DO_AGENT_URL`.
pub fn completions_url(raw: &str) -> Result<Url, String> {
    let shown = crate::config::redact_url(raw);
    let mut url =
        Url::parse(raw.trim()).map_err(|_| format!("DO_AGENT_URL {shown:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(format!("DO_AGENT_URL {shown:?} is not an http(s) URL"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "DO_AGENT_URL must not carry user:password (the key goes in DO_AGENT_KEY)".into(),
        );
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
mod tests {
    use super::*;

    #[test]
    fn agent_urls_resolve_to_the_completions_endpoint() {
        let u = |s| completions_url(s).unwrap().to_string();
        assert_eq!(
            u("https://abc.agents.do-ai.run"),
            "https://abc.agents.do-ai.run/api/v1/chat/completions"
        );
        assert_eq!(
            u("https://abc.agents.do-ai.run/"),
            "https://abc.agents.do-ai.run/api/v1/chat/completions"
        );
        assert_eq!(
            u("https://api.openai.com/v1"),
            "https://api.openai.com/v1/chat/completions"
        );
        assert_eq!(
            u("http://127.0.0.1:9/x/chat/completions"),
            "http://127.0.0.1:9/x/chat/completions"
        );
        assert!(completions_url("ftp://x").is_err());
        assert!(completions_url("not a url").is_err());
        let e = completions_url("https://u:hunter2@agent.example").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        let later = chrono::Utc::now() + chrono::Duration::seconds(20);
        let d = parse_retry_after(&later.to_rfc2822()).unwrap();
        assert!(
            d > Duration::from_secs(15) && d <= Duration::from_secs(20),
            "{d:?}"
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
