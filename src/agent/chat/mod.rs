//! The bounded chat loop: ask the model, run the tools it calls, answer it, until it
//! answers the user — or `AGENT_MAX_STEPS` model calls have been made, and then an answer
//! that says the limit was reached and what was found so far.
//!
//! Native tool calling (`native`) is tried first; an endpoint that refuses `tools` gets
//! the strict one-JSON-object protocol instead (`fallback`), for this chat and every
//! later one. Tool calls of one model reply run concurrently (at most
//! [`TOOL_CONCURRENCY`] at a time), each in an `execute_tool {name}` span under which its
//! S3 calls nest. A tool that fails — unknown name, malformed arguments, a bucket the
//! tenant may not use, a storage error — is answered to the model as a tool error, never
//! ends the chat; only the model failing does.

mod fallback;
mod native;
pub mod prompt;

use serde::Serialize;
use serde_json::{Value, json};
use tracing::Instrument;

use super::Assistant;
use super::client::{ModelClient, ModelError};
use super::sessions::Memory;
use super::tools::{self, Args, ToolEnv, ToolId};
use super::wire::Completion;
use crate::telemetry::genai::Interface;
use crate::telemetry::otel::spans::ToolSpan;
use crate::telemetry::prom::AppEvent;

/// Tool calls of one model reply run at once, at most.
pub const TOOL_CONCURRENCY: usize = 4;

/// Which protocol the chat ran under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Native `tools` / `tool_calls`.
    Tools,
    /// One JSON object per reply.
    Json,
}

/// One tool call of a chat, as its answer lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// The model call that asked for it (1-based).
    pub model_call: u32,
    pub tool: String,
    pub arguments: Value,
    pub ok: bool,
    pub summary: String,
}

/// A chat's answer.
#[derive(Debug, Clone, Serialize)]
pub struct ChatOutcome {
    pub answer: String,
    /// The last tool that answered successfully.
    pub tool_used: Option<&'static str>,
    /// The bucket the chat was about (remembered for the session).
    pub bucket_used: Option<String>,
    pub steps: Vec<Step>,
    pub model_calls: u32,
    pub limit_reached: bool,
    pub mode: Mode,
}

/// What the loops share.
struct Ctx<'a> {
    assistant: &'a Assistant,
    client: &'a ModelClient,
    env: &'a ToolEnv<'a>,
}

/// Where a chat is.
#[derive(Default)]
struct Progress {
    steps: Vec<Step>,
    model_calls: u32,
    tool_used: Option<&'static str>,
    bucket_used: Option<String>,
}

/// How a loop ended.
enum Ended {
    Answer(String),
    Limit,
}

impl Ctx<'_> {
    /// One model call; counted, traced and measured.
    async fn ask(&self, p: &mut Progress, body: &Value) -> Result<Completion, ModelError> {
        p.model_calls += 1;
        let counters = self.env.counters;
        counters.inc(AppEvent::AgentCall);
        let r = self.client.complete(body, &self.assistant.metrics).await;
        if r.is_err() {
            counters.inc(AppEvent::AgentFailure);
        }
        r
    }

    fn budget_left(&self, p: &Progress) -> bool {
        p.model_calls < self.assistant.max_steps
    }

    /// The request body: the model (when configured), the messages, and `tools`.
    fn body(&self, messages: &[super::wire::Message], tools: Option<Vec<Value>>) -> Value {
        let mut b = json!({ "messages": messages });
        if let Some(m) = self.client.model() {
            b["model"] = m.into();
        }
        if let Some(t) = tools {
            b["tools"] = Value::Array(t);
        }
        b
    }

    /// Runs one tool call: its span, its metrics, its step; what the model is told.
    async fn execute(&self, p_call: u32, call_id: &str, name: &str, raw: &Value) -> Executed {
        let allow_write = self.assistant.allow_write;
        let tool = ToolId::find(name, allow_write);
        let args = Args::from_wire(raw);
        let shown_args = match &args {
            Ok(a) => a.to_value(),
            Err(_) => Value::String(prompt::fit(raw.to_string(), 500)),
        };
        let result = match (tool, args) {
            (None, _) => Err(format!(
                "unknown tool '{name}'; the tools are: {}",
                ToolId::offered(allow_write)
                    .map(ToolId::name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            (Some(t), args) => {
                let span = ToolSpan::start(t.name());
                span.call_id(call_id);
                let r = match args {
                    Ok(a) => {
                        tools::call(self.env, t, &a)
                            .instrument(span.span().clone())
                            .await
                    }
                    Err(e) => Err(e),
                };
                span.end(r.as_ref().err().map(|e| e.message.as_str()));
                self.assistant
                    .metrics
                    .tool_call(t.name(), r.is_ok(), Interface::Chat);
                r.map_err(|e| e.message)
            }
        };
        let (content, ok, summary, subject) = match result {
            Ok(out) => (
                prompt::fit(out.value.to_string(), self.assistant.max_tool_bytes),
                true,
                out.summary,
                out.subject,
            ),
            Err(e) => (
                json!({ "error": e }).to_string(),
                false,
                format!("error: {e}"),
                None,
            ),
        };
        Executed {
            step: Step {
                model_call: p_call,
                tool: name.chars().take(64).collect(),
                arguments: shown_args,
                ok,
                summary,
            },
            tool: tool.filter(|_| ok),
            subject,
            content,
        }
    }
}

/// A tool call run: its step, and what goes back to the model.
struct Executed {
    step: Step,
    tool: Option<ToolId>,
    subject: Option<String>,
    content: String,
}

impl Progress {
    fn took(&mut self, e: &Executed) {
        self.steps.push(e.step.clone());
        if let Some(t) = e.tool {
            self.tool_used = Some(t.name());
        }
        if e.subject.is_some() {
            self.bucket_used.clone_from(&e.subject);
        }
    }
}

/// Answers `question` for the tenant of `env`, remembering `memory`.
pub async fn run(
    assistant: &Assistant,
    client: &ModelClient,
    env: &ToolEnv<'_>,
    question: &str,
    memory: &Memory,
) -> Result<ChatOutcome, ModelError> {
    let ctx = Ctx {
        assistant,
        client,
        env,
    };
    let mut p = Progress::default();
    let mut mode = if client.tools_refused() {
        Mode::Json
    } else {
        Mode::Tools
    };
    let ended = match mode {
        Mode::Tools => match native::run(&ctx, &mut p, question, memory).await {
            Err(e) if e.refuses_tools() && p.model_calls == 1 => {
                client.remember_tools_refused();
                mode = Mode::Json;
                fallback::run(&ctx, &mut p, question, memory).await
            }
            other => other,
        },
        Mode::Json => fallback::run(&ctx, &mut p, question, memory).await,
    };
    assistant.metrics.chat_steps(p.model_calls);
    let (answer, limit_reached) = match ended? {
        Ended::Answer(a) => (a, false),
        Ended::Limit => (limit_answer(assistant.max_steps, &p.steps), true),
    };
    Ok(ChatOutcome {
        answer,
        tool_used: p.tool_used,
        bucket_used: p.bucket_used.or_else(|| memory.last_bucket.clone()),
        steps: p.steps,
        model_calls: p.model_calls,
        limit_reached,
        mode,
    })
}

/// The answer when the step limit ends a chat: says so, and what was found.
fn limit_answer(max: u32, steps: &[Step]) -> String {
    let mut a = format!(
        "I stopped after {max} model calls (the AGENT_MAX_STEPS limit) without reaching a final \
         answer."
    );
    if !steps.is_empty() {
        a.push_str(" What the tools found so far:");
        for s in steps.iter().rev().take(5).rev() {
            a.push_str(&format!("\n- {}: {}", s.tool, s.summary));
        }
    }
    a.push_str("\nAsk a narrower question, or raise AGENT_MAX_STEPS.");
    a
}
