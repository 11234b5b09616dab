//! Native tool calling: `tools` in the request, `tool_calls` in the reply, one
//! `role: tool` message per call (in the order of the calls, whatever order they finished
//! in), then the model again.

use futures_util::stream::{self, StreamExt};

use super::super::sessions::Memory;
use super::super::tools::ToolId;
use super::super::wire::{Message, tool_definition};
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
    while ctx.budget_left(p) {
        let reply = ctx
            .ask(p, &ctx.body(&messages, Some(tools.clone())))
            .await?;
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
        let call = p.model_calls;
        let mut echoed = message.clone();
        for (i, c) in echoed.tool_calls.iter_mut().enumerate() {
            if c.id.is_empty() {
                c.id = format!("call_{call}_{i}");
            }
        }
        // Futures collected first: a closure in the stream would hide their lifetimes
        // from the Send check of the handler.
        let runs: Vec<_> = echoed
            .tool_calls
            .iter()
            .map(|c| ctx.execute(call, &c.id, &c.function.name, &c.function.arguments))
            .collect();
        let done: Vec<_> = stream::iter(runs)
            .buffered(TOOL_CONCURRENCY)
            .collect()
            .await;
        messages.push(echoed.clone());
        for (c, e) in echoed.tool_calls.iter().zip(&done) {
            p.took(e);
            messages.push(Message::tool(&c.id, e.content.clone()));
        }
    }
    Ok(Ended::Limit)
}
