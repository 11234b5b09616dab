use super::*;

#[test]
fn the_answer_keeps_its_bytes() {
    let step = chat::Step {
        model_call: 1,
        tool: "top_ips".into(),
        arguments: serde_json::json!({"source_bucket": "demo-assets", "limit": 3}),
        ok: true,
        summary: "3 IPs".into(),
    };
    for (o, golden) in [
        (
            chat::ChatOutcome {
                answer: "It grew \"a lot\" — 3 MiB".into(),
                tool_used: Some("top_ips"),
                bucket_used: Some("demo-assets".into()),
                steps: vec![step.clone(), step],
                model_calls: 3,
                limit_reached: false,
                limit: None,
                mode: chat::Mode::Tools,
            },
            r#"{"answer":"It grew \"a lot\" — 3 MiB","tool_used":"top_ips","bucket_used":"demo-assets","steps":[{"model_call":1,"tool":"top_ips","arguments":{"source_bucket":"demo-assets","limit":3},"ok":true,"summary":"3 IPs"},{"model_call":1,"tool":"top_ips","arguments":{"source_bucket":"demo-assets","limit":3},"ok":true,"summary":"3 IPs"}],"session_id":"chat-1","model_calls":3,"limit_reached":false,"limit":null,"mode":"tools"}"#,
        ),
        (
            chat::ChatOutcome {
                answer: String::new(),
                tool_used: None,
                bucket_used: None,
                steps: vec![],
                model_calls: 8,
                limit_reached: true,
                limit: Some(chat::budget::Limit::ToolBytes),
                mode: chat::Mode::Json,
            },
            r#"{"answer":"","tool_used":null,"bucket_used":null,"steps":[],"session_id":"chat-1","model_calls":8,"limit_reached":true,"limit":"tool_bytes","mode":"json"}"#,
        ),
    ] {
        // The exact bytes the json!-built answer had (issue 17, item 4).
        let text = serde_json::to_string(&answer(o, "chat-1".into())).unwrap();
        assert_eq!(text, golden);
    }
}

#[test]
fn bodies_are_checked() {
    assert!(parse(br#"{"message":"hi"}"#).is_ok());
    let ok = parse(br#"{"message":" hi ","session_id":"s-1"}"#).unwrap();
    assert_eq!(
        (ok.message.as_str(), ok.session_id.as_deref()),
        ("hi", Some("s-1"))
    );
    for (bad, says) in [
        (&b"not json"[..], "body must be JSON"),
        (br#"[1]"#, "body must be JSON"),
        (br#"{}"#, "'message' is required"),
        (br#"{"message":"  "}"#, "'message' is required"),
        (br#"{"message":7}"#, "must be a string"),
        (br#"{"message":"x","session_id":"a b"}"#, "'session_id'"),
        (br#"{"message":"x","session_id":5}"#, "'session_id'"),
    ] {
        let e = parse(bad).err().unwrap();
        assert_eq!(e.status, 400);
        assert!(
            e.detail.contains(says),
            "{}: {}",
            String::from_utf8_lossy(bad),
            e.detail
        );
    }
    let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(MAX_MESSAGE + 1));
    assert!(
        parse(long.as_bytes())
            .err()
            .unwrap()
            .detail
            .contains("longer than")
    );
}
