//! Application counters off the operation path: events for `/stats`, refused requests.

use prometheus::{IntCounter, IntCounterVec, Registry};

use super::{MetricName, register};

/// Application events counted for `/stats` and exported as `spacewatch_app_events_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEvent {
    ToolRequest,
    ChatRequest,
    AgentCall,
    AgentFailure,
    CacheRefresh,
    SnapshotOk,
    SnapshotError,
}

impl AppEvent {
    pub const ALL: [AppEvent; 7] = [
        Self::ToolRequest,
        Self::ChatRequest,
        Self::AgentCall,
        Self::AgentFailure,
        Self::CacheRefresh,
        Self::SnapshotOk,
        Self::SnapshotError,
    ];

    /// The label value, which is also the `/stats` key.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ToolRequest => "tool_requests",
            Self::ChatRequest => "chat_requests",
            Self::AgentCall => "agent_calls",
            Self::AgentFailure => "agent_failures",
            Self::CacheRefresh => "cache_refreshes",
            Self::SnapshotOk => "snapshots_ok",
            Self::SnapshotError => "snapshots_err",
        }
    }
}

/// Why a request was refused before it could become an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Refusal {
    /// No credential headers, malformed ones, or an endpoint not allowed.
    #[default]
    CredentialsMissing,
    /// The storage rejected the credentials (unknown key, wrong secret).
    CredentialsInvalid,
    /// A wrong or missing admin key.
    AdminKey,
    /// A browser origin or host name `/mcp` does not accept (DNS-rebinding guard).
    Origin,
}

impl Refusal {
    pub const ALL: [Refusal; 4] = [
        Self::CredentialsMissing,
        Self::CredentialsInvalid,
        Self::AdminKey,
        Self::Origin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CredentialsMissing => "credentials_missing",
            Self::CredentialsInvalid => "credentials_invalid",
            Self::AdminKey => "admin_key",
            Self::Origin => "origin",
        }
    }
}

/// Counters of [`AppEvent`]s, rate-limited and refused requests.
#[derive(Debug, Clone)]
pub struct AppCounters {
    counters: [IntCounter; AppEvent::ALL.len()],
    rate_limited: [IntCounter; 2],
    refused: [IntCounter; Refusal::ALL.len()],
}

impl AppCounters {
    pub fn register(registry: &Registry) -> Self {
        let (events, limited, refused) = match (
            IntCounterVec::new(MetricName::AppEventsTotal.opts(), &["event"]),
            IntCounterVec::new(MetricName::RateLimitedRequestsTotal.opts(), &["scope"]),
            IntCounterVec::new(MetricName::RefusedRequestsTotal.opts(), &["reason"]),
        ) {
            (Ok(a), Ok(b), Ok(c)) => (
                register(registry, &a),
                register(registry, &b),
                register(registry, &c),
            ),
            _ => panic!("static metric definitions are valid"),
        };
        Self {
            counters: std::array::from_fn(|i| {
                events.with_label_values(&[AppEvent::ALL[i].as_str()])
            }),
            rate_limited: [
                limited.with_label_values(&["api"]),
                limited.with_label_values(&["gateway"]),
            ],
            refused: Refusal::ALL.map(|r| refused.with_label_values(&[r.as_str()])),
        }
    }

    pub fn inc(&self, e: AppEvent) {
        self.counters[e as usize].inc();
    }

    pub fn get(&self, e: AppEvent) -> u64 {
        self.counters[e as usize].get()
    }

    /// Counts a 429; `gateway` picks the scope label.
    pub fn rate_limited(&self, gateway: bool) {
        self.rate_limited[usize::from(gateway)].inc();
    }

    /// Counts a request refused before it became an operation.
    pub fn refused(&self, why: Refusal) {
        self.refused[why as usize].inc();
    }

    pub fn refused_count(&self, why: Refusal) -> u64 {
        self.refused[why as usize].get()
    }
}
