use super::*;

#[test]
fn a_request_body_is_messages_then_model_then_tools() {
    let messages = [Message::user("hi")];
    let tools = [tool_definition(
        "list_buckets",
        "Lists buckets.",
        serde_json::json!({"type": "object"}),
    )];
    let body = ChatRequest {
        messages: &messages,
        model: Some("m"),
        tools: Some(&tools),
    };
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        r#"{"messages":[{"role":"user","content":"hi"}],"model":"m","tools":[{"type":"function","function":{"name":"list_buckets","description":"Lists buckets.","parameters":{"type":"object"}}}]}"#
    );
    let bare = ChatRequest {
        messages: &messages,
        model: None,
        tools: None,
    };
    assert_eq!(
        serde_json::to_string(&bare).unwrap(),
        r#"{"messages":[{"role":"user","content":"hi"}]}"#
    );
}

#[test]
fn a_tool_calling_reply_parses_and_messages_serialise_as_the_api_wants() {
    let reply: Completion = serde_json::from_str(
        r#"{"id":"c1","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":null,
        "tool_calls":[{"id":"call_1","type":"function","function":{"name":"list_buckets","arguments":"{}"}}]},
        "finish_reason":"tool_calls"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"#,
    )
    .unwrap();
    let m = reply.message().unwrap();
    assert_eq!(m.tool_calls[0].function.name, "list_buckets");
    assert_eq!(m.tool_calls[0].function.arguments, Value::from("{}"));
    assert_eq!(reply.finish_reasons(), ["tool_calls"]);
    assert_eq!(reply.usage.unwrap().prompt_tokens, Some(12));
    let echoed = serde_json::to_value(m).unwrap();
    assert_eq!(echoed["content"], Value::Null);
    assert_eq!(echoed["tool_calls"][0]["type"], "function");
    let t = serde_json::to_value(Message::tool("call_1", "{}".into())).unwrap();
    assert_eq!(
        t,
        serde_json::json!({"role": "tool", "content": "{}", "tool_call_id": "call_1"})
    );
}
