//! The bounded chat loop: ask the model, run the tools it calls, answer it, until it
//! answers the user — or a bound of [`budget`] is reached (model calls, tool calls per
//! reply and per chat, tool-result bytes, the deadline), and then an answer that says
//! which and what was found so far. Each tool call also takes a token of the client's
//! rate limit ([`ToolEnv::admit`]); one over the limit is not run, and the model is told.
//! Tool results reach the model framed as untrusted data ([`prompt::framed`]).
//!
//! Native tool calling (`native`) is tried first; an endpoint that refuses `tools` gets
//! the strict one-JSON-object protocol instead (`fallback`), for this chat and every
//! later one. Tool calls of one model reply run concurrently (at most
//! [`TOOL_CONCURRENCY`] at a time), each in an `execute_tool {name}` span under which its
//! S3 calls nest. A tool that fails — unknown name, malformed arguments, a bucket the
//! tenant may not use, a storage error — is answered to the model as a tool error, never
//! ends the chat; only the model failing does.

pub mod budget;
mod fallback;
mod native;
pub mod prompt;

use serde::Serialize;
use serde_json::Value;
use tracing::Instrument;

use super::Assistant;
use super::client::{ModelClient, ModelError};
use super::sessions::Memory;
use super::tools::{self, Args, ToolEnv, ToolId};
use super::wire::{ChatRequest, Completion, ToolDefinition};
use crate::telemetry::genai::Interface;
use crate::telemetry::otel::spans::ToolSpan;
use crate::telemetry::prom::AppEvent;
use budget::{Budget, Limit, Spent, limit_answer};

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
    /// The bound that ended the chat, if one did.
    pub limit: Option<Limit>,
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
    spent: Spent,
    tool_used: Option<&'static str>,
    bucket_used: Option<String>,
}

/// How a loop ended.
enum Ended {
    Answer(String),
    Limit(Limit),
}

impl Ctx<'_> {
    /// One model call; counted, traced and measured.
    async fn ask(
        &self,
        p: &mut Progress,
        body: &ChatRequest<'_>,
    ) -> Result<Completion, ModelError> {
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
        p.model_calls < self.assistant.budget.max_steps
    }

    /// The request body: the model (when configured), the messages, and `tools`.
    fn body<'m>(
        &'m self,
        messages: &'m [super::wire::Message],
        tools: Option<&'m [ToolDefinition]>,
    ) -> ChatRequest<'m> {
        ChatRequest {
            messages,
            model: self.client.model(),
            tools,
        }
    }

    /// Runs one tool call — unless its arguments were too long to echo (`too_long`) or
    /// the client's rate limit has no token for it: its span, its metrics, its step.
    async fn execute(
        &self,
        p_call: u32,
        call_id: &str,
        name: &str,
        raw: &Value,
        too_long: bool,
    ) -> Executed {
        let allow_write = self.assistant.allow_write;
        let tool = ToolId::find(name, allow_write);
        let args = match too_long {
            true => Err(tools::ToolError::bad_args(format!(
                "the arguments are longer than {} bytes; send fewer",
                budget::MAX_ARGUMENT_BYTES
            ))),
            false => Args::from_wire(raw),
        };
        let shown_args = match &args {
            Ok(a) => a.to_value(),
            Err(_) => Value::String(prompt::fit(raw.to_string(), 500)),
        };
        let name = budget::cut(name, budget::MAX_NAME);
        let result = match (tool, args) {
            (None, _) => Err(tools::ToolError::bad_args(format!(
                "unknown tool '{name}'; the tools are: {}",
                ToolId::offered(allow_write)
                    .map(ToolId::name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
            (Some(_), Err(e)) => Err(e),
            (Some(t), Ok(a)) => match self.env.admit() {
                Err(wait) => Err(tools::ToolError::new(
                    http::StatusCode::TOO_MANY_REQUESTS,
                    format!(
                        "rate limit: this call was not run (RATE_LIMIT_RPS counts every tool \
                         call); retry in {} s or answer with what you have",
                        wait.as_secs_f64().ceil().max(1.0)
                    ),
                )),
                Ok(()) => self.run_tool(t, call_id, &a).await,
            },
        };
        let (body, summary, subject) = match result {
            Ok(out) => (
                Body::Answered(out.value.to_string()),
                out.summary,
                out.subject,
            ),
            Err(e) => (
                Body::Failed(
                    serde_json::to_string(&ErrorBody { error: &e.message }).unwrap_or_default(),
                ),
                format!("error: {}", e.message),
                None,
            ),
        };
        let ok = matches!(body, Body::Answered(_));
        Executed {
            step: Step {
                model_call: p_call,
                tool: name.to_string(),
                arguments: shown_args,
                ok,
                summary,
            },
            tool: tool.filter(|_| ok),
            subject,
            body,
        }
    }

    /// One admitted call of a known tool: its span and metrics.
    async fn run_tool(
        &self,
        t: ToolId,
        call_id: &str,
        a: &Args,
    ) -> Result<tools::ToolOutput, tools::ToolError> {
        let span = ToolSpan::start(t.name());
        span.call_id(call_id);
        let r = tools::call(self.env, t, a)
            .instrument(span.span().clone())
            .await;
        span.end(r.as_ref().err().map(|e| e.message.as_str()));
        self.assistant
            .metrics
            .tool_call(t.name(), r.is_ok(), Interface::Chat);
        r
    }
}

/// What the model gets for a tool call that failed.
#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

/// What a tool call gives the model, as JSON text.
enum Body {
    /// The tool's result.
    Answered(String),
    /// `{"error": …}`: the call failed or was not run.
    Failed(String),
}

/// A tool call run (or refused): its step, and what the model gets.
struct Executed {
    step: Step,
    tool: Option<ToolId>,
    subject: Option<String>,
    body: Body,
}

impl Progress {
    /// Takes in a call that ran: its step, and what the model is told — framed, and cut
    /// to the room the chat's tool-result budget has left.
    fn took(&mut self, e: &Executed, b: &Budget) -> String {
        self.steps.push(e.step.clone());
        if let Some(t) = e.tool {
            self.tool_used = Some(t.name());
        }
        if e.subject.is_some() {
            self.bucket_used.clone_from(&e.subject);
        }
        let (ok, body) = match &e.body {
            Body::Answered(b) => (true, b),
            Body::Failed(b) => (false, b),
        };
        let name = e
            .tool
            .map(ToolId::name)
            .or_else(|| ToolId::find(&e.step.tool, true).map(ToolId::name));
        let room = b.result_room(self.spent);
        let content = match room >= budget::MIN_RESULT_ROOM {
            true => prompt::framed(name, ok, body, room),
            // Calls of one reply run together; the last may find the budget spent.
            false => prompt::framed(name, false, budget::SPENT, usize::MAX),
        };
        self.spent.result_bytes += content.len();
        content
    }

    /// What the tools found, for a limit's answer.
    fn found(&self) -> Vec<(String, String)> {
        self.steps
            .iter()
            .map(|s| (s.tool.clone(), s.summary.clone()))
            .collect()
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
    let deadline = tokio::time::Instant::now() + assistant.budget.deadline;
    let ended = tokio::time::timeout_at(deadline, async {
        match mode {
            Mode::Tools => match native::run(&ctx, &mut p, question, memory).await {
                Err(e) if e.refuses_tools() && p.model_calls == 1 => {
                    client.remember_tools_refused();
                    mode = Mode::Json;
                    fallback::run(&ctx, &mut p, question, memory).await
                }
                other => other,
            },
            Mode::Json => fallback::run(&ctx, &mut p, question, memory).await,
        }
    })
    .await
    .unwrap_or(Ok(Ended::Limit(Limit::Deadline)));
    assistant.metrics.chat_steps(p.model_calls);
    let (answer, limit) = match ended? {
        Ended::Answer(a) => (a, None),
        Ended::Limit(l) => (limit_answer(l, &assistant.budget, &p.found()), Some(l)),
    };
    Ok(ChatOutcome {
        answer,
        tool_used: p.tool_used,
        bucket_used: p.bucket_used.or_else(|| memory.last_bucket.clone()),
        steps: p.steps,
        model_calls: p.model_calls,
        limit_reached: limit.is_some(),
        limit,
        mode,
    })
}
