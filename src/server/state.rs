//! The state every handler shares, built once from [`Settings`].

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use prometheus::Registry;

use super::client_ip::TrustedProxies;
use super::rate_limit::RateLimiter;
use crate::accesslog::scan::Reader;
use crate::accesslog::snapshot::store::KeyLocks;
use crate::agent::Assistant;
use crate::config::Settings;
use crate::storage::gateway::Upstream;
use crate::telemetry::Recorder;
use crate::telemetry::log::LogSink;
use crate::telemetry::otel::Otel;
use crate::telemetry::prom::AppCounters;
use crate::tenant::sealed::SealKeys;
use crate::tenant::{BucketAccess, ClientCache, TenantDefaults, VerifyKeys};

/// Shared, cheaply cloned application state.
#[derive(Clone, Debug)]
pub struct AppState(Arc<StateParts>);

/// The parts of the state.
#[derive(Debug)]
pub struct StateParts {
    pub settings: Settings,
    pub registry: Registry,
    pub recorder: Arc<Recorder>,
    pub otel: Arc<Otel>,
    pub log: Arc<LogSink>,
    pub counters: AppCounters,
    pub tenants: TenantDefaults,
    pub clients: ClientCache,
    pub access: BucketAccess,
    /// The keys of gateway credentials, and their verification keys.
    pub seal: SealKeys,
    pub verify_keys: VerifyKeys,
    /// Gateway credentials whose signed requests were verified, by session token.
    pub opened_tokens: crate::tenant::OpenedTokens,
    pub upstream: Upstream,
    pub api_limiter: RateLimiter,
    pub gateway_limiter: RateLimiter,
    /// Failed admin-key (and metrics bearer) attempts per client and presented key.
    pub admin_failures: RateLimiter<super::admin_auth::Attempt>,
    pub proxies: TrustedProxies,
    /// Access-log reads: the summary cache, the log-derived metrics, the limits.
    pub logs: Arc<Reader>,
    /// One writer at a time per snapshot object.
    pub snapshot_locks: Arc<KeyLocks>,
    /// The AI assistant (`/chat`) and its tool registry (also `/mcp`).
    pub assistant: Arc<Assistant>,
    pub started: Instant,
    /// Mission Control: HTTP-level figures over every route.
    pub http_stats: crate::mission::HttpStats,
    /// The fleet view, when an engine is configured (`--prometheus-url`).
    pub fleet: Option<Arc<crate::fleet::Fleet>>,
}

impl AppState {
    pub fn new(inner: StateParts) -> Self {
        Self(Arc::new(inner))
    }

    /// The default storage endpoint tenants get when they name none.
    pub fn default_endpoint(&self) -> String {
        match &self.tenants.endpoint {
            Some(e) => e.clone(),
            None => format!("https://{}.digitaloceanspaces.com", self.tenants.region),
        }
    }
}

impl Deref for AppState {
    type Target = StateParts;

    fn deref(&self) -> &StateParts {
        &self.0
    }
}
