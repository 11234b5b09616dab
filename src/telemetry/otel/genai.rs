//! The AI assistant in OpenTelemetry terms (GenAI semantic conventions): one CLIENT span
//! `chat {model}` per model call, and the `gen_ai.client.*` instruments.
//!
//! Message contents are never put on spans (the conventions make them opt-in, and a
//! tenant's question is theirs); the span says which model, how it finished and how many
//! tokens it took.

use opentelemetry::metrics::{Counter, Histogram, Meter};
use opentelemetry::trace::Status;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Boundaries of `gen_ai.client.operation.duration`, seconds (the conventions' advice).
pub const DURATION_BOUNDARIES: [f64; 14] = [
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];

/// Boundaries of `gen_ai.client.token.usage`, tokens (the conventions' advice).
pub const TOKEN_BOUNDARIES: [f64; 14] = [
    1.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0,
    16777216.0, 67108864.0,
];

/// Boundaries of the model calls one chat makes.
pub const STEP_BOUNDARIES: [f64; 10] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 16.0, 32.0];

/// Where model calls go: constant for a server.
#[derive(Debug, Clone)]
pub struct ModelTarget {
    /// `gen_ai.provider.name`.
    pub provider: &'static str,
    /// `gen_ai.request.model`, when one is configured.
    pub model: Option<String>,
    pub server_address: String,
    pub server_port: u16,
}

impl ModelTarget {
    fn attributes(&self) -> Vec<KeyValue> {
        let mut a = vec![
            KeyValue::new("gen_ai.operation.name", "chat"),
            KeyValue::new("gen_ai.provider.name", self.provider),
            KeyValue::new("server.address", self.server_address.clone()),
            KeyValue::new("server.port", i64::from(self.server_port)),
        ];
        if let Some(m) = &self.model {
            a.push(KeyValue::new("gen_ai.request.model", m.clone()));
        }
        a
    }
}

/// How a model call ended, for its span.
#[derive(Debug, Default)]
pub struct ModelReply<'a> {
    pub response_id: Option<&'a str>,
    pub response_model: Option<&'a str>,
    pub finish_reasons: Vec<String>,
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
    /// `error.type` and a message, when the call failed.
    pub error: Option<(&'static str, &'a str)>,
    /// Attempts made (1 without retries).
    pub attempts: u32,
}

/// `chat {model}`, or `chat` when no model is configured (formatted only when traced).
struct ChatName<'a>(Option<&'a str>);

impl std::fmt::Display for ChatName<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(m) => write!(f, "chat {m}"),
            None => f.write_str("chat"),
        }
    }
}

/// The CLIENT span of one model call, a child of the current span (the chat's server span).
#[derive(Debug, Clone)]
pub struct ModelSpan(Span);

impl ModelSpan {
    pub fn start(t: &ModelTarget) -> Self {
        // Parent set explicitly, as for S3 call spans (see `CallSpan::start`).
        let span = tracing::info_span!(
            parent: None,
            "model_call",
            otel.name = %ChatName(t.model.as_deref()),
            otel.kind = "client"
        );
        if span.is_disabled() {
            return Self(span);
        }
        let _ = span.set_parent(Span::current().context());
        for kv in t.attributes() {
            span.set_attribute(kv.key, kv.value);
        }
        Self(span)
    }

    pub fn end(self, r: &ModelReply<'_>) {
        let span = self.0;
        if span.is_disabled() {
            return;
        }
        if let Some(id) = r.response_id {
            span.set_attribute("gen_ai.response.id", id.to_string());
        }
        if let Some(m) = r.response_model {
            span.set_attribute("gen_ai.response.model", m.to_string());
        }
        if !r.finish_reasons.is_empty() {
            let reasons: Vec<StringValue> = r
                .finish_reasons
                .iter()
                .map(|s| StringValue::from(s.clone()))
                .collect();
            span.set_attribute(
                "gen_ai.response.finish_reasons",
                Value::Array(Array::String(reasons)),
            );
        }
        if let Some(n) = r.input_tokens {
            span.set_attribute("gen_ai.usage.input_tokens", n as i64);
        }
        if let Some(n) = r.output_tokens {
            span.set_attribute("gen_ai.usage.output_tokens", n as i64);
        }
        span.set_attribute("spacewatch.agent.attempts", i64::from(r.attempts));
        if let Some((kind, message)) = r.error {
            span.set_attribute("error.type", kind);
            span.set_status(Status::error(message.to_string()));
        }
    }
}

/// The `gen_ai.client.*` instruments (and SpaceWatch's agent instruments) as OTel metrics.
#[derive(Debug)]
pub struct GenAiInstruments {
    duration: Histogram<f64>,
    tokens: Histogram<u64>,
    errors: Counter<u64>,
    steps: Histogram<u64>,
    tool_calls: Counter<u64>,
}

impl GenAiInstruments {
    pub fn new(meter: &Meter) -> Self {
        Self {
            duration: meter
                .f64_histogram("gen_ai.client.operation.duration")
                .with_unit("s")
                .with_description("GenAI operation duration.")
                .with_boundaries(DURATION_BOUNDARIES.to_vec())
                .build(),
            tokens: meter
                .u64_histogram("gen_ai.client.token.usage")
                .with_unit("{token}")
                .with_description("Number of input and output tokens used.")
                .with_boundaries(TOKEN_BOUNDARIES.to_vec())
                .build(),
            errors: meter
                .u64_counter("spacewatch.agent.model_errors")
                .with_unit("{attempt}")
                .with_description("Failed agent model-call attempts, by error type.")
                .build(),
            steps: meter
                .u64_histogram("spacewatch.agent.chat_steps")
                .with_unit("{call}")
                .with_description("Model calls per chat.")
                .with_boundaries(STEP_BOUNDARIES.to_vec())
                .build(),
            tool_calls: meter
                .u64_counter("spacewatch.agent.tool_calls")
                .with_unit("{call}")
                .with_description("Agent tool calls, by tool, outcome and interface.")
                .build(),
        }
    }

    pub fn model_call(
        &self,
        t: &ModelTarget,
        seconds: f64,
        error: Option<&'static str>,
        tokens: (Option<u64>, Option<u64>),
    ) {
        let mut attrs = t.attributes();
        if let Some(e) = error {
            attrs.push(KeyValue::new("error.type", e));
        }
        self.duration.record(seconds, &attrs);
        let base = t.attributes();
        for (kind, n) in [("input", tokens.0), ("output", tokens.1)] {
            if let Some(n) = n {
                let mut a = base.clone();
                a.push(KeyValue::new("gen_ai.token.type", kind));
                self.tokens.record(n, &a);
            }
        }
    }

    pub fn attempt_failed(&self, error: &'static str) {
        self.errors.add(1, &[KeyValue::new("error.type", error)]);
    }

    pub fn chat_steps(&self, n: u64) {
        self.steps.record(n, &[]);
    }

    pub fn tool_call(&self, tool: &'static str, ok: bool, interface: &'static str) {
        self.tool_calls.add(
            1,
            &[
                KeyValue::new("gen_ai.tool.name", tool),
                KeyValue::new("outcome", if ok { "ok" } else { "error" }),
                KeyValue::new("interface", interface),
            ],
        );
    }
}
