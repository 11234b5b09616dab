//! The one tool registry: what the chat's model and MCP clients may call.
//!
//! Each tool has a name, a description, a JSON Schema of its arguments ([`schema`]), the
//! operation type it is recorded as, and a call into the storage and access-log layers
//! with the tenant of the request ([`ToolEnv`]). Every bucket a tool names is checked
//! with [`BucketAccess::check`] before it is touched, exactly as the HTTP endpoints do.
//! Tools are read-only unless `AGENT_ALLOW_WRITE=true` offers the writing ones
//! (`take_snapshot`). Results are compact JSON meant for a model's context: capped lists
//! with their full counts, never credentials.

mod args;
mod logs;
mod metrics;
pub mod schema;
mod storage;

use http::StatusCode;
use parking_lot::Mutex;
use serde_json::Value;

pub use args::Args;

use crate::accesslog::LogError;
use crate::accesslog::scan::Reader;
use crate::accesslog::snapshot::store::KeyLocks;
use crate::storage::{BucketName, StorageError, StorageErrorKind};
use crate::telemetry::prom::AppCounters;
use crate::telemetry::{OperationType, Recorder};
use crate::tenant::{AccessError, BucketAccess, Tenant};

/// Every tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ToolId {
    ListBuckets,
    ListObjects,
    RecentObjects,
    StorageSummary,
    TopLargest,
    MetricsSources,
    MetricsSeries,
    ListAccessLogs,
    ReadAccessLog,
    SearchAccessLogs,
    ObjectAudit,
    TopIps,
    HotPrefixes,
    RequestMetrics,
    OperationMetrics,
    TakeSnapshot,
}

impl ToolId {
    pub const ALL: [ToolId; 16] = [
        Self::ListBuckets,
        Self::ListObjects,
        Self::RecentObjects,
        Self::StorageSummary,
        Self::TopLargest,
        Self::MetricsSources,
        Self::MetricsSeries,
        Self::ListAccessLogs,
        Self::ReadAccessLog,
        Self::SearchAccessLogs,
        Self::ObjectAudit,
        Self::TopIps,
        Self::HotPrefixes,
        Self::RequestMetrics,
        Self::OperationMetrics,
        Self::TakeSnapshot,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::ListBuckets => "list_buckets",
            Self::ListObjects => "list_objects",
            Self::RecentObjects => "recent_objects",
            Self::StorageSummary => "storage_summary",
            Self::TopLargest => "top_largest",
            Self::MetricsSources => "metrics_sources",
            Self::MetricsSeries => "metrics_series",
            Self::ListAccessLogs => "list_access_logs",
            Self::ReadAccessLog => "read_access_log",
            Self::SearchAccessLogs => "search_access_logs",
            Self::ObjectAudit => "object_audit",
            Self::TopIps => "top_ips",
            Self::HotPrefixes => "hot_prefixes",
            Self::RequestMetrics => "request_metrics",
            Self::OperationMetrics => "operation_metrics",
            Self::TakeSnapshot => "take_snapshot",
        }
    }

    /// The operation a call is recorded as (over MCP, one operation per call).
    pub fn operation(self) -> OperationType {
        use OperationType as Op;
        match self {
            Self::ListBuckets => Op::ListBuckets,
            Self::ListObjects => Op::ListObjects,
            Self::RecentObjects | Self::StorageSummary | Self::TopLargest => Op::AnalyzeStorage,
            Self::MetricsSources
            | Self::MetricsSeries
            | Self::OperationMetrics
            | Self::TakeSnapshot => Op::QueryMetrics,
            Self::ListAccessLogs
            | Self::ReadAccessLog
            | Self::SearchAccessLogs
            | Self::ObjectAudit
            | Self::TopIps
            | Self::HotPrefixes
            | Self::RequestMetrics => Op::QueryLogs,
        }
    }

    /// Whether the tool changes anything in the tenant's storage.
    pub fn writes(self) -> bool {
        matches!(self, Self::TakeSnapshot)
    }

    /// The tool of `name` among those `allow_write` offers.
    pub fn find(name: &str, allow_write: bool) -> Option<Self> {
        Self::offered(allow_write).find(|t| t.name() == name)
    }

    /// The tools offered: all, or all but the writing ones.
    pub fn offered(allow_write: bool) -> impl Iterator<Item = ToolId> {
        Self::ALL
            .into_iter()
            .filter(move |t| allow_write || !t.writes())
    }

    pub fn description(self) -> &'static str {
        schema::description(self)
    }

    pub fn schema(self) -> Value {
        schema::parameters(self)
    }
}

/// Why a tool call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ToolError {
    pub kind: ToolErrorKind,
    pub message: String,
}

/// What an endpoint would have answered for a failed tool call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolErrorKind {
    /// Refused or failed here, with this status (bad arguments, a limit, a missing log).
    Status(StatusCode),
    /// The storage call failed (its status is mapped where every storage error's is).
    Storage(StorageErrorKind),
}

impl ToolError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            kind: ToolErrorKind::Status(status),
            message: message.into(),
        }
    }

    pub fn bad_args(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
}

impl From<StorageError> for ToolError {
    fn from(e: StorageError) -> Self {
        Self {
            kind: ToolErrorKind::Storage(e.kind),
            message: e.message,
        }
    }
}

impl From<AccessError> for ToolError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Credentials(e) | AccessError::Storage(e) => e.into(),
            AccessError::BucketNotFound => Self::new(StatusCode::NOT_FOUND, e.to_string()),
            AccessError::BucketForbidden => Self::new(StatusCode::FORBIDDEN, e.to_string()),
        }
    }
}

impl From<LogError> for ToolError {
    fn from(e: LogError) -> Self {
        match e {
            LogError::NotConfigured(m) => Self::bad_args(m),
            LogError::BadInput(m) => Self::bad_args(m),
            LogError::TooLarge { .. } => Self::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
            LogError::NotFound => Self::new(StatusCode::NOT_FOUND, e.to_string()),
            LogError::Key(_) => Self::bad_args(e.to_string()),
            LogError::Busy(crate::accesslog::jobs::Busy::Tenant) => {
                Self::new(StatusCode::TOO_MANY_REQUESTS, e.to_string())
            }
            LogError::Busy(_) => Self::new(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
            LogError::Storage(s) => s.into(),
        }
    }
}

/// What a successful call gives back.
#[derive(Debug, Clone)]
pub struct ToolOutput {
    pub value: Value,
    /// The bucket the answer is about (a chat's `bucket_used`).
    pub subject: Option<String>,
    /// One line for a chat's steps: what was found.
    pub summary: String,
}

/// A tool's typed answer as the JSON value every interface (the `/tools` endpoints, chat,
/// MCP) cuts and sends.
pub(crate) fn typed<T: serde::Serialize>(answer: &T) -> Value {
    // Answers are structs of strings, numbers and lists: they always serialize.
    serde_json::to_value(answer).unwrap_or(Value::Null)
}

/// Checked buckets remembered per request.
const MAX_CHECKED: usize = 16;

/// Asks the client's rate limit for a token: `Err(wait)` when there is none.
pub type Admit<'a> = &'a (dyn Fn() -> Result<(), std::time::Duration> + Send + Sync);

/// Everything a tool may use: the tenant of the request and the shared parts of the
/// server, as plain references.
pub struct ToolEnv<'a> {
    pub tenant: &'a Tenant,
    pub access: &'a BucketAccess,
    pub counters: &'a AppCounters,
    pub reader: &'a Reader,
    pub locks: &'a KeyLocks,
    pub recorder: &'a Recorder,
    pub allow_write: bool,
    /// The rate limit each chat tool call is counted against (none: not limited here).
    admit: Option<Admit<'a>>,
    /// Buckets whose access check passed, oldest first (the operation is attributed to one).
    checked: Mutex<Vec<BucketName>>,
}

impl<'a> ToolEnv<'a> {
    pub fn new(
        tenant: &'a Tenant,
        access: &'a BucketAccess,
        counters: &'a AppCounters,
        reader: &'a Reader,
        locks: &'a KeyLocks,
        recorder: &'a Recorder,
        allow_write: bool,
    ) -> Self {
        Self {
            tenant,
            access,
            counters,
            reader,
            locks,
            recorder,
            allow_write,
            admit: None,
            checked: Mutex::new(Vec::new()),
        }
    }

    /// Counts each tool call against `admit` (a chat's: its one request takes one token,
    /// its fan-out one per call).
    pub fn with_admit(mut self, admit: Admit<'a>) -> Self {
        self.admit = Some(admit);
        self
    }

    /// A token of the rate limit for one tool call, or how long to wait for one.
    pub fn admit(&self) -> Result<(), std::time::Duration> {
        self.admit.map_or(Ok(()), |f| f())
    }

    /// Checks the tenant may use `bucket` (before anything touches it).
    pub async fn check(&self, bucket: &BucketName) -> Result<(), ToolError> {
        self.access
            .check(self.tenant, bucket, self.counters)
            .await?;
        let mut checked = self.checked.lock();
        checked.retain(|b| b != bucket);
        if checked.len() >= MAX_CHECKED {
            checked.remove(0);
        }
        checked.push(bucket.clone());
        Ok(())
    }

    /// Buckets whose access check passed, the latest last.
    pub fn checked_buckets(&self) -> Vec<BucketName> {
        self.checked.lock().clone()
    }

    /// Now, unix seconds, on the recorder's clock.
    pub fn now(&self) -> i64 {
        (self.recorder.now().as_micros() / 1_000_000) as i64
    }
}

/// Calls `tool` with `args`. A writing tool is refused unless writes are allowed.
pub async fn call(env: &ToolEnv<'_>, tool: ToolId, args: &Args) -> Result<ToolOutput, ToolError> {
    if tool.writes() && !env.allow_write {
        return Err(ToolError::new(
            StatusCode::FORBIDDEN,
            format!(
                "{} writes to storage; it is offered only with AGENT_ALLOW_WRITE=true",
                tool.name()
            ),
        ));
    }
    match tool {
        ToolId::ListBuckets => storage::list_buckets(env).await,
        ToolId::ListObjects => storage::list_objects(env, args).await,
        ToolId::RecentObjects => storage::recent_objects(env, args).await,
        ToolId::StorageSummary => storage::storage_summary(env, args).await,
        ToolId::TopLargest => storage::top_largest(env, args).await,
        ToolId::MetricsSources => metrics::sources(env, args).await,
        ToolId::MetricsSeries => metrics::series(env, args).await,
        ToolId::OperationMetrics => metrics::operations(env, args),
        ToolId::TakeSnapshot => metrics::take_snapshot(env, args).await,
        ToolId::ListAccessLogs => logs::files(env, args).await,
        ToolId::ReadAccessLog => logs::read(env, args).await,
        ToolId::SearchAccessLogs => logs::search(env, args).await,
        ToolId::ObjectAudit => logs::audit(env, args).await,
        ToolId::TopIps => logs::top_ips(env, args).await,
        ToolId::HotPrefixes => logs::hot_prefixes(env, args).await,
        ToolId::RequestMetrics => logs::request_metrics(env, args).await,
    }
}
