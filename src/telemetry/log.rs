//! Log lines: the seed's human format by default, JSON lines on request.
//!
//! ```text
//! 2024-01-15 10:30:45 [INFO] STORAGE_OP: LIST_OBJECTS | GET /tools/list-all | status=200 | duration=45.23ms | bytes=2048 | bucket=my-bucket
//! 2024-01-15 10:35:12 [WARNING] SLOW_OPERATION: QUERY_LOGS - 5234.56ms - bucket=logs-bucket status=200
//! 2024-01-15 10:40:30 [ERROR] STORAGE_OP_ERROR: LIST_OBJECTS | GET /tools/list-all | duration=156.78ms | error=Bucket not found
//! ```
//!
//! The sink owns its writer (stdout in production, a buffer in tests) — nothing global.
//! Text that came from outside (error texts) has control characters replaced, so one
//! event is always one line.

use std::io::Write;
use std::sync::Arc;

use parking_lot::Mutex;
use serde::Serialize;

pub use crate::config::LogFormat;

use super::clock::{Clock, UnixTime};
use super::operation::{Fingerprint, Operation, TraceId};
use super::s3::S3Api;

/// Severity, named as the seed's Python logger names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "INFO",
            Self::Warning => "WARNING",
            Self::Error => "ERROR",
        }
    }
}

/// Where log lines go.
pub struct LogSink {
    format: LogFormat,
    writer: Mutex<Box<dyn Write + Send>>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for LogSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogSink")
            .field("format", &self.format)
            .finish()
    }
}

impl LogSink {
    pub fn new(format: LogFormat, writer: Box<dyn Write + Send>, clock: Arc<dyn Clock>) -> Self {
        Self {
            format,
            writer: Mutex::new(writer),
            clock,
        }
    }

    pub fn format(&self) -> LogFormat {
        self.format
    }

    /// A plain event (start-up, configuration, failures of SpaceWatch itself).
    pub fn log(&self, level: Level, event: &str, message: &str) {
        self.write(self.clock.now(), level, event, message);
    }

    pub fn info(&self, message: &str) {
        self.log(Level::Info, "MESSAGE", message);
    }

    pub fn warn(&self, message: &str) {
        self.log(Level::Warning, "MESSAGE", message);
    }

    /// The line(s) for one storage operation: STORAGE_OP or STORAGE_OP_ERROR, plus
    /// SLOW_OPERATION when it took longer than `slow_ms`.
    pub fn operation(&self, op: &Operation, slow_ms: f64) {
        self.operations(std::slice::from_ref(op), slow_ms);
    }

    /// The lines of several operations in one write: at thousands of operations a
    /// second, one `write(2)` per export batch instead of one per line is what keeps
    /// logging off the profile.
    pub fn operations(&self, ops: &[Operation], slow_ms: f64) {
        let mut out = String::with_capacity(ops.len() * 320);
        ops.iter()
            .for_each(|op| self.operation_lines(op, slow_ms, &mut out));
        self.write_out(&out);
    }

    fn operation_lines(&self, op: &Operation, slow_ms: f64, out: &mut String) {
        let at = op.started_at.plus(op.duration);
        let ms = op.duration_ms();
        let bucket = op.bucket.as_deref().unwrap_or("-");
        if op.is_error() {
            let error = clean(op.error.as_deref().unwrap_or("request failed"));
            let msg = format!(
                "STORAGE_OP_ERROR: {} | {} {} | duration={ms:.2}ms | error={error}",
                op.operation, op.method, op.route
            );
            self.line(out, at, Level::Error, "STORAGE_OP_ERROR", &msg, Some(op));
        } else {
            let msg = format!(
                "STORAGE_OP: {} | {} {} | status={} | duration={ms:.2}ms | bytes={} | bucket={bucket}",
                op.operation,
                op.method,
                op.route,
                op.status,
                op.bytes_transferred()
            );
            self.line(out, at, Level::Info, "STORAGE_OP", &msg, Some(op));
        }
        if ms > slow_ms {
            let msg = format!(
                "SLOW_OPERATION: {} - {ms:.2}ms - bucket={bucket} status={}",
                op.operation, op.status
            );
            self.line(out, at, Level::Warning, "SLOW_OPERATION", &msg, Some(op));
        }
    }

    fn write(&self, at: UnixTime, level: Level, event: &str, msg: &str) {
        let mut out = String::new();
        self.line(&mut out, at, level, event, msg, None);
        self.write_out(&out);
    }

    /// One line; in JSON, with the fields of `op` after the common ones.
    fn line(
        &self,
        out: &mut String,
        at: UnixTime,
        level: Level,
        event: &str,
        message: &str,
        op: Option<&Operation>,
    ) {
        use std::fmt::Write as _;
        match self.format {
            LogFormat::Human => {
                let _ = writeln!(out, "{} [{}] {message}", at.to_log_stamp(), level.as_str());
            }
            LogFormat::Json => {
                let line = JsonLine {
                    timestamp: at.to_rfc3339(),
                    level: level.as_str(),
                    event,
                    message,
                    op: op.map(OpFields::of),
                };
                // Serialized straight from borrowed fields: building a `Value` map first
                // is slower, as benches/sinks.rs (sink/log_line_json) shows.
                if let Ok(text) = serde_json::to_string(&line) {
                    out.push_str(&text);
                    out.push('\n');
                }
            }
        }
    }

    fn write_out(&self, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut w = self.writer.lock();
        // A log line that cannot be written must not fail the request that produced it.
        let _ = w.write_all(text.as_bytes()).and_then(|_| w.flush());
    }
}

/// Replaces control characters so outside text cannot break or forge log lines.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A JSON log line: the common fields, then an operation's.
#[derive(Serialize)]
struct JsonLine<'a> {
    timestamp: String,
    level: &'static str,
    event: &'a str,
    message: &'a str,
    #[serde(flatten)]
    op: Option<OpFields<'a>>,
}

/// An operation's fields in a JSON log line, in the order they have always had.
#[derive(Serialize)]
struct OpFields<'a> {
    operation_type: &'static str,
    method: &'static str,
    endpoint: &'static str,
    status_code: u16,
    duration_ms: f64,
    bytes: u64,
    bucket: Option<&'a str>,
    #[serde(serialize_with = "display_opt")]
    tenant: Option<Fingerprint>,
    request_id: &'a str,
    #[serde(serialize_with = "display")]
    trace_id: &'a TraceId,
    error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    s3_api: Option<&'static str>,
}

impl<'a> OpFields<'a> {
    fn of(op: &'a Operation) -> Self {
        Self {
            operation_type: op.operation.as_str(),
            method: op.method.as_str(),
            endpoint: op.route,
            status_code: op.status,
            duration_ms: (op.duration_ms() * 1000.0).round() / 1000.0,
            bytes: op.bytes_transferred(),
            bucket: op.bucket.as_deref(),
            tenant: op.tenant,
            request_id: op.request_id.as_str(),
            trace_id: &op.trace_id,
            error: op.error.as_deref().map(clean),
            s3_api: op.s3_api.map(S3Api::as_str),
        }
    }
}

/// A value written with its `Display`, without a `String` first.
fn display<T: std::fmt::Display, S: serde::Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// The same for an optional value (`null` when absent).
fn display_opt<T: std::fmt::Display, S: serde::Serializer>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests;
