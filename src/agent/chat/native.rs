//! Native tool calling: `tools` in the request, `tool_calls` in the reply, one
//! `role: tool` message per call that ran (in the order of the calls, whatever order they
//! finished in), then the model again. Of a reply's calls at most `AGENT_MAX_TOOL_CALLS`
//! run (fewer when the chat's budget has less left); only those are echoed back, with a
//! note that says how many were not run.

use futures_util::stream::{self, StreamExt};

use super::super::sessions::Memory;
use super::super::tools::ToolId;
use super::super::wire::{Message, tool_definition};
use super::budget::{echo_call, echo_text};
use super::{Ctx, Ended, Progress, TOOL_CONCURRENCY, prompt};
use crate::agent::client::ModelError;

pub(super) async fn run(
    ctx: &Ctx<'_>,
    p: &mut Progress,
    question: &str,
    memory: &Memory,
) -> Result<Ended, ModelError> {
    let tools: Vec<_> = ToolId::offered(ctx.assistant.allow_write)
        .map(|t| tool_definition(t.name(), t.description(), t.schema()))
        .collect();
    let system = prompt::system(&ctx.assistant.setting(ctx.env), memory);
    let mut messages = prompt::opening(system, memory, question);
    let budget = &ctx.assistant.budget;
    while ctx.budget_left(p) {
        let reply = ctx.ask(p, &ctx.body(&messages, Some(&tools))).await?;
        let Some(message) = reply.message() else {
            return Err(ModelError::BadResponse("no choices".into()));
        };
        if message.tool_calls.is_empty() {
            let text = message.content.clone().unwrap_or_default();
            return Ok(Ended::Answer(if text.trim().is_empty() {
                "The AI agent returned an empty answer.".into()
            } else {
                text
            }));
        }
        if !ctx.budget_left(p) {
            break;
        }
        let asked = message.tool_calls.len();
        let run = match budget.calls_to_run(p.spent, asked) {
            Ok(n) => n,
            Err(limit) => return Ok(Ended::Limit(limit)),
        };
        p.spent.tool_calls += run as u32;
        let call = p.model_calls;
        let (calls, too_long): (Vec<_>, Vec<_>) = message.tool_calls[..run]
            .iter()
            .enumerate()
            .map(|(i, c)| echo_call(c, format!("call_{call}_{i}")))
            .unzip();
        let echoed = Message {
            content: message.content.clone().map(echo_text),
            tool_calls: calls,
            ..message.clone()
        };
        // Futures collected first: a closure in the stream would hide their lifetimes
        // from the Send check of the handler.
        let runs: Vec<_> = echoed
            .tool_calls
            .iter()
            .zip(&too_long)
            .map(|(c, long)| {
                ctx.execute(call, &c.id, &c.function.name, &c.function.arguments, *long)
            })
            .collect();
        let done: Vec<_> = stream::iter(runs)
            .buffered(TOOL_CONCURRENCY)
            .collect()
            .await;
        messages.push(echoed.clone());
        for (i, (c, e)) in echoed.tool_calls.iter().zip(&done).enumerate() {
            let mut content = p.took(e, budget);
            if i + 1 == run && run < asked {
                content.push_str(&format!(
                    "\n[SpaceWatch ran {run} of the {asked} tool calls of this reply \
                     (AGENT_MAX_TOOL_CALLS {}, {} left in this chat); the others were not \
                     run — call again only what you still need.]",
                    budget.per_reply,
                    budget.per_chat.saturating_sub(p.spent.tool_calls)
                ));
            }
            messages.push(Message::tool(&c.id, content));
        }
    }
    Ok(Ended::Limit(super::budget::Limit::Steps))
}
