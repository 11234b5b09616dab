use std::time::Duration;

use serde_json::{Value, json};

use super::*;
use crate::agent::wire::{FunctionCall, ToolCall};

fn budget() -> Budget {
    Budget {
        max_steps: 8,
        per_reply: 8,
        per_chat: 32,
        result_bytes: 10_000,
        per_result: 4096,
        deadline: Duration::from_secs(120),
    }
}

#[test]
fn calls_per_reply_and_per_chat_and_bytes_bound_what_runs() {
    let b = budget();
    let spent = |tool_calls, result_bytes| Spent {
        tool_calls,
        result_bytes,
    };
    assert_eq!(b.calls_to_run(spent(0, 0), 1000), Ok(8));
    assert_eq!(b.calls_to_run(spent(0, 0), 3), Ok(3));
    assert_eq!(b.calls_to_run(spent(28, 0), 1000), Ok(4));
    assert_eq!(b.calls_to_run(spent(32, 0), 1), Err(Limit::ToolCalls));
    assert_eq!(
        b.calls_to_run(spent(1, 10_000 - MIN_RESULT_ROOM + 1), 1),
        Err(Limit::ToolBytes)
    );
    assert_eq!(b.result_room(spent(0, 0)), 4096);
    assert_eq!(b.result_room(spent(0, 9000)), 1000);
    assert_eq!(b.result_room(spent(0, 20_000)), 0);
}

fn call(id: &str, name: &str, args: Value) -> ToolCall {
    ToolCall {
        id: id.into(),
        kind: "anything".into(),
        function: FunctionCall {
            name: name.into(),
            arguments: args,
        },
    }
}

#[test]
fn echoed_calls_are_bounded() {
    let (c, long) = echo_call(&call("call_1", "list_buckets", json!("{}")), "x".into());
    assert_eq!(
        (c.id.as_str(), c.kind.as_str(), long),
        ("call_1", "function", false)
    );
    let huge = "n".repeat(10_000);
    let args = json!(format!("{{\"prefix\":\"{}\"}}", "p".repeat(5000)));
    let (c, long) = echo_call(&call(&huge, &huge, args), "call_3_0".into());
    assert_eq!(c.id, "call_3_0", "a long id is replaced");
    assert_eq!(c.function.name.len(), MAX_NAME);
    assert!(long);
    assert_eq!(c.function.arguments, json!("{}"));
    let (c, _) = echo_call(&call("a\"b<c", "x", json!({})), "call_1_1".into());
    assert_eq!(c.id, "call_1_1", "an id with odd characters is replaced");
    let text = echo_text("é".repeat(10_000));
    assert!(text.len() <= MAX_ECHOED_TEXT && text.ends_with("[cut by SpaceWatch]"));
    assert_eq!(echo_text("short".into()), "short");
}

#[test]
fn a_limit_answer_names_its_knob_and_what_was_found() {
    let found = vec![("list_buckets".to_string(), "3 bucket(s)".to_string())];
    let a = limit_answer(Limit::ToolCalls, &budget(), &found);
    assert!(a.contains("after 32 tool calls"), "{a}");
    assert!(a.contains("AGENT_MAX_CHAT_TOOL_CALLS"), "{a}");
    assert!(a.contains("- list_buckets: 3 bucket(s)"), "{a}");
    let a = limit_answer(Limit::Steps, &budget(), &[]);
    assert!(
        a.contains("after 8 model calls (the AGENT_MAX_STEPS limit)"),
        "{a}"
    );
    let a = limit_answer(Limit::Deadline, &budget(), &[]);
    assert!(
        a.contains("after 120 s") && a.contains("AGENT_CHAT_DEADLINE_SEC"),
        "{a}"
    );
}
