//! The strict one-JSON-object protocol, for endpoints that refuse `tools`: the catalogue is
//! in the system prompt, each reply is `{"tool": …, "arguments": …}` or `{"answer": …}`,
//! and a tool's result comes back (framed as untrusted data) in a user message. A reply
//! that is not one such object is corrected once; if the next is not one either, its text
//! is taken as the answer (a model that cannot keep to the protocol still answers, and
//! never loops). Each tool call counts against the chat's budget as a native one does.

use super::super::sessions::Memory;
use super::super::tools::ToolId;
use super::super::wire::Message;
use super::budget::{Limit, MAX_ARGUMENT_BYTES, echo_text};
use super::prompt::{self, JsonReply};
use super::{Ctx, Ended, Progress};
use crate::agent::client::ModelError;

pub(super) async fn run(
    ctx: &Ctx<'_>,
    p: &mut Progress,
    question: &str,
    memory: &Memory,
) -> Result<Ended, ModelError> {
    let mut system = prompt::system(&ctx.assistant.setting(ctx.env), memory);
    system.push_str(&prompt::json_protocol(ToolId::offered(
        ctx.assistant.allow_write,
    )));
    let mut messages = prompt::opening(system, memory, question);
    let budget = &ctx.assistant.budget;
    let mut corrected = false;
    while ctx.budget_left(p) {
        let reply = ctx.ask(p, &ctx.body(&messages, None)).await?;
        let Some(message) = reply.message() else {
            return Err(ModelError::BadResponse("no choices".into()));
        };
        let text = message.content.clone().unwrap_or_default();
        match prompt::parse_json_reply(&text) {
            JsonReply::Answer(a) => return Ok(Ended::Answer(a)),
            JsonReply::Invalid(_) if corrected => return Ok(Ended::Answer(text)),
            JsonReply::Invalid(why) => {
                corrected = true;
                messages.push(Message::assistant(echo_text(text)));
                messages.push(Message::user(format!(
                    "{why}. Reply with exactly one JSON object: {{\"tool\": …, \"arguments\": …}} \
                     or {{\"answer\": …}}."
                )));
            }
            JsonReply::Tool { name, arguments } => {
                corrected = false;
                if !ctx.budget_left(p) {
                    break;
                }
                if let Err(limit) = budget.calls_to_run(p.spent, 1) {
                    return Ok(Ended::Limit(limit));
                }
                p.spent.tool_calls += 1;
                let call = p.model_calls;
                let too_long = arguments.to_string().len() > MAX_ARGUMENT_BYTES;
                let e = ctx
                    .execute(call, &format!("json_{call}"), &name, &arguments, too_long)
                    .await;
                let content = p.took(&e, budget);
                messages.push(Message::assistant(echo_text(text)));
                messages.push(Message::user(format!(
                    "Result of {}: {content}\nReply with one JSON object.",
                    e.step.tool
                )));
            }
        }
    }
    Ok(Ended::Limit(Limit::Steps))
}
