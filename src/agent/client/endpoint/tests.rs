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
    assert_eq!(
        completions_url("ftp://x"),
        Err(AgentUrlError::NotHttp("ftp://x".into()))
    );
    assert!(matches!(
        completions_url("not a url"),
        Err(AgentUrlError::NotAUrl(_))
    ));
    let e = completions_url("https://u:hunter2@agent.example").unwrap_err();
    assert_eq!(e, AgentUrlError::Credentials);
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = completions_url("https://u:hunter2@ agent").unwrap_err();
    assert!(!e.to_string().contains("hunter2"), "{e}");
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
