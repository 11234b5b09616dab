//! The AI assistant's metrics: model-call duration and token usage (the GenAI
//! conventions' `gen_ai.client.operation.duration` and `gen_ai.client.token.usage`),
//! failed model-call attempts, model calls per chat and tool calls — in Prometheus, and as
//! OTel metrics when those are exported. Labels come from the closed enums here and the
//! tool registry's static names, never from model or request text.

use std::sync::Arc;
use std::time::Duration;

use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounterVec, Registry};

use super::otel::genai::{
    DURATION_BOUNDARIES, GenAiInstruments, ModelTarget, STEP_BOUNDARIES, TOKEN_BOUNDARIES,
};
use super::prom::{MetricName, register};

/// Why a model call (or one attempt of it) failed: the `error_type` label and
/// `error.type` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelErrorType {
    Timeout,
    Unreachable,
    RateLimited,
    ServerError,
    ClientError,
    BadResponse,
}

impl ModelErrorType {
    pub const ALL: [ModelErrorType; 6] = [
        Self::Timeout,
        Self::Unreachable,
        Self::RateLimited,
        Self::ServerError,
        Self::ClientError,
        Self::BadResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Unreachable => "unreachable",
            Self::RateLimited => "rate_limited",
            Self::ServerError => "server_error",
            Self::ClientError => "client_error",
            Self::BadResponse => "bad_response",
        }
    }
}

/// Who called a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interface {
    Chat,
    Mcp,
}

impl Interface {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Mcp => "mcp",
        }
    }
}

/// One finished model call (retries included).
#[derive(Debug, Clone, Copy)]
pub struct ModelCallRecord {
    pub duration: Duration,
    pub error: Option<ModelErrorType>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
}

/// The agent's instruments.
#[derive(Debug, Clone)]
pub struct GenAiMetrics {
    duration: HistogramVec,
    tokens: HistogramVec,
    errors: IntCounterVec,
    steps: Histogram,
    tool_calls: IntCounterVec,
    otel: Option<Arc<GenAiInstruments>>,
}

fn histogram_vec(name: MetricName, buckets: &[f64], labels: &[&str]) -> HistogramVec {
    let opts = HistogramOpts::new(name.as_str(), name.help()).buckets(buckets.to_vec());
    match HistogramVec::new(opts, labels) {
        Ok(h) => h,
        Err(e) => panic!("static metric definition {}: {e}", name.as_str()),
    }
}

impl GenAiMetrics {
    /// Registers the families (each error type's series exists from the start).
    pub fn register(registry: &Registry, otel: Option<Arc<GenAiInstruments>>) -> Self {
        let duration = histogram_vec(
            MetricName::GenAiClientOperationDurationSeconds,
            &DURATION_BOUNDARIES,
            &["operation", "error_type"],
        );
        let tokens = histogram_vec(
            MetricName::GenAiClientTokenUsage,
            &TOKEN_BOUNDARIES,
            &["token_type"],
        );
        let steps_opts = HistogramOpts::new(
            MetricName::AgentChatSteps.as_str(),
            MetricName::AgentChatSteps.help(),
        )
        .buckets(STEP_BOUNDARIES.to_vec());
        let (errors, tool_calls, steps) = match (
            IntCounterVec::new(MetricName::GenAiClientErrorsTotal.opts(), &["error_type"]),
            IntCounterVec::new(
                MetricName::AgentToolCallsTotal.opts(),
                &["tool", "outcome", "interface"],
            ),
            Histogram::with_opts(steps_opts),
        ) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            _ => panic!("static metric definitions are valid"),
        };
        for e in ModelErrorType::ALL {
            errors.with_label_values(&[e.as_str()]);
        }
        // Answered calls and both token types exist from the start too, so dashboards and
        // rate() see zeros rather than nothing before the first chat.
        duration.with_label_values(&["chat", ""]);
        for kind in ["input", "output"] {
            tokens.with_label_values(&[kind]);
        }
        Self {
            duration: register(registry, &duration),
            tokens: register(registry, &tokens),
            errors: register(registry, &errors),
            steps: register(registry, &steps),
            tool_calls: register(registry, &tool_calls),
            otel,
        }
    }

    /// Records one model call against `target`.
    pub fn model_call(&self, target: &ModelTarget, r: &ModelCallRecord) {
        let error = r.error.map(ModelErrorType::as_str);
        self.duration
            .with_label_values(&["chat", error.unwrap_or("")])
            .observe(r.duration.as_secs_f64());
        for (kind, n) in [("input", r.input_tokens), ("output", r.output_tokens)] {
            if let Some(n) = n {
                self.tokens.with_label_values(&[kind]).observe(n as f64);
            }
        }
        if let Some(o) = &self.otel {
            o.model_call(
                target,
                r.duration.as_secs_f64(),
                error,
                (r.input_tokens, r.output_tokens),
            );
        }
    }

    /// Counts one failed attempt (a call retried twice and then failed counts three).
    pub fn attempt_failed(&self, e: ModelErrorType) {
        self.errors.with_label_values(&[e.as_str()]).inc();
        if let Some(o) = &self.otel {
            o.attempt_failed(e.as_str());
        }
    }

    /// Model calls one chat made.
    pub fn chat_steps(&self, n: u32) {
        self.steps.observe(f64::from(n));
        if let Some(o) = &self.otel {
            o.chat_steps(u64::from(n));
        }
    }

    /// Makes every series of `tools` (both outcomes, both interfaces) exist from the start.
    pub fn declare_tools(&self, tools: impl IntoIterator<Item = &'static str>) {
        for tool in tools {
            for outcome in ["ok", "error"] {
                for via in [Interface::Chat, Interface::Mcp] {
                    self.tool_calls
                        .with_label_values(&[tool, outcome, via.as_str()]);
                }
            }
        }
    }

    /// One tool call; `tool` is a registry name (a closed set).
    pub fn tool_call(&self, tool: &'static str, ok: bool, via: Interface) {
        let outcome = if ok { "ok" } else { "error" };
        self.tool_calls
            .with_label_values(&[tool, outcome, via.as_str()])
            .inc();
        if let Some(o) = &self.otel {
            o.tool_call(tool, ok, via.as_str());
        }
    }
}
