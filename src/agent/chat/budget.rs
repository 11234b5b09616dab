//! What one chat may spend, and what the model's replies may make it do.
//!
//! A chat makes at most `AGENT_MAX_STEPS` model calls; of each reply it runs at most
//! `AGENT_MAX_TOOL_CALLS` tool calls, at most `AGENT_MAX_CHAT_TOOL_CALLS` in all; it hands
//! the model at most `AGENT_MAX_CHAT_TOOL_BYTES` of tool results (each cut to
//! `AGENT_MAX_TOOL_BYTES`); and it ends by `AGENT_CHAT_DEADLINE_SEC`. Whichever bound is
//! reached first ends the chat with an answer that says so and what was found. What the
//! model sent is echoed back to it only in bounded pieces ([`echo_call`]), so the request
//! to the model stays bounded however large a reply was: its size is at most the
//! prompt, plus per step one echoed reply of at most [`MAX_ECHOED_TEXT`] and
//! `AGENT_MAX_TOOL_CALLS` calls of at most [`MAX_ARGUMENT_BYTES`] (and a framed [`SPENT`]
//! note for each call that found the budget spent), plus the chat's tool-result bytes.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::super::wire::ToolCall;

/// Longest tool-call arguments run (and echoed); longer ones are a tool error.
pub const MAX_ARGUMENT_BYTES: usize = 4096;
/// Longest tool name or call id echoed.
pub const MAX_NAME: usize = 64;
/// Longest text of a model reply echoed back to it.
pub const MAX_ECHOED_TEXT: usize = 8192;
/// Tool-result bytes a call needs at least; with less left, no more calls are run, and a
/// call of the same reply that finds less gets [`SPENT`] instead of its result.
pub const MIN_RESULT_ROOM: usize = 512;
/// What the model gets for a result there was no room for.
pub const SPENT: &str = r#"{"error":"result not shown: this chat's tool results reached AGENT_MAX_CHAT_TOOL_BYTES; answer with what you have"}"#;

/// The bounds of one chat (see the module doc).
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub max_steps: u32,
    pub per_reply: u32,
    pub per_chat: u32,
    pub result_bytes: usize,
    pub per_result: usize,
    pub deadline: Duration,
}

/// Which bound ended a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    /// `AGENT_MAX_STEPS` model calls.
    Steps,
    /// `AGENT_MAX_CHAT_TOOL_CALLS` tool calls.
    ToolCalls,
    /// `AGENT_MAX_CHAT_TOOL_BYTES` of tool results.
    ToolBytes,
    /// `AGENT_CHAT_DEADLINE_SEC`.
    Deadline,
}

impl Limit {
    pub fn knob(self) -> &'static str {
        match self {
            Self::Steps => "AGENT_MAX_STEPS",
            Self::ToolCalls => "AGENT_MAX_CHAT_TOOL_CALLS",
            Self::ToolBytes => "AGENT_MAX_CHAT_TOOL_BYTES",
            Self::Deadline => "AGENT_CHAT_DEADLINE_SEC",
        }
    }

    /// "after …" for the answer.
    fn after(self, b: &Budget) -> String {
        match self {
            Self::Steps => format!("{} model calls", b.max_steps),
            Self::ToolCalls => format!("{} tool calls", b.per_chat),
            Self::ToolBytes => format!("{} bytes of tool results", b.result_bytes),
            Self::Deadline => format!("{} s", b.deadline.as_secs_f64()),
        }
    }
}

/// What a chat spent so far.
#[derive(Debug, Default, Clone, Copy)]
pub struct Spent {
    pub tool_calls: u32,
    pub result_bytes: usize,
}

impl Budget {
    /// How many of `asked` calls of one reply may run, or the bound that stops the chat.
    pub fn calls_to_run(&self, spent: Spent, asked: usize) -> Result<usize, Limit> {
        let left = self.per_chat.saturating_sub(spent.tool_calls);
        if left == 0 {
            return Err(Limit::ToolCalls);
        }
        if self.result_bytes.saturating_sub(spent.result_bytes) < MIN_RESULT_ROOM {
            return Err(Limit::ToolBytes);
        }
        Ok(asked.min(self.per_reply.min(left) as usize))
    }

    /// Room for the next tool result: its own cap, or what the chat has left.
    pub fn result_room(&self, spent: Spent) -> usize {
        self.per_result
            .min(self.result_bytes.saturating_sub(spent.result_bytes))
    }
}

/// The answer when a bound ends a chat: which, and what the tools found.
pub fn limit_answer(limit: Limit, b: &Budget, found: &[(String, String)]) -> String {
    let mut a = format!(
        "I stopped after {} (the {} limit) without reaching a final answer.",
        limit.after(b),
        limit.knob()
    );
    if !found.is_empty() {
        a.push_str(" What the tools found so far:");
        for (tool, summary) in found.iter().rev().take(5).rev() {
            a.push_str(&format!("\n- {tool}: {summary}"));
        }
    }
    a.push_str(&format!(
        "\nAsk a narrower question, or raise {}.",
        limit.knob()
    ));
    a
}

/// `s` cut to `max` bytes at a character boundary.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A call of a reply as it is echoed to the model and run: the id kept only when it is
/// short and plain (else `fallback_id`), the name cut to [`MAX_NAME`], arguments longer
/// than [`MAX_ARGUMENT_BYTES`] replaced by `{}` (the call then fails: `too_long` says so).
pub fn echo_call(c: &ToolCall, fallback_id: String) -> (ToolCall, bool) {
    let mut c = c.clone();
    let plain = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:".contains(&b))
    };
    if c.id.is_empty() || c.id.len() > MAX_NAME || !plain(&c.id) {
        c.id = fallback_id;
    }
    c.kind = "function".into();
    c.function.name = cut(&c.function.name, MAX_NAME).to_string();
    let size = match &c.function.arguments {
        Value::String(s) => s.len(),
        v => v.to_string().len(),
    };
    let too_long = size > MAX_ARGUMENT_BYTES;
    if too_long {
        c.function.arguments = Value::String("{}".into());
    }
    (c, too_long)
}

/// A model reply's text as echoed back: at most [`MAX_ECHOED_TEXT`] bytes.
pub fn echo_text(text: String) -> String {
    if text.len() <= MAX_ECHOED_TEXT {
        return text;
    }
    let marker = "…[cut by SpaceWatch]";
    format!("{}{marker}", cut(&text, MAX_ECHOED_TEXT - marker.len()))
}

#[cfg(test)]
mod tests;
