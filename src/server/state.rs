//! The state every handler shares, built once from [`Settings`].

use std::ops::Deref;
use std::sync::Arc;
use std::time::Instant;

use prometheus::Registry;

use super::rate_limit::RateLimiter;
use crate::config::Settings;
use crate::storage::gateway::Upstream;
use crate::telemetry::Recorder;
use crate::telemetry::log::LogSink;
use crate::telemetry::otel::Otel;
use crate::telemetry::prom::AppCounters;
use crate::tenant::{BucketAccess, ClientCache, TenantDefaults};

/// Shared, cheaply cloned application state.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Inner>);

/// The parts of the state.
#[derive(Debug)]
pub struct Inner {
    pub settings: Settings,
    pub registry: Registry,
    pub recorder: Arc<Recorder>,
    pub otel: Arc<Otel>,
    pub log: Arc<LogSink>,
    pub counters: AppCounters,
    pub tenants: TenantDefaults,
    pub clients: ClientCache,
    pub access: BucketAccess,
    pub upstream: Upstream,
    pub api_limiter: RateLimiter,
    pub gateway_limiter: RateLimiter,
    pub started: Instant,
    /// The fleet view, when an engine is configured (`--prometheus-url`).
    pub fleet: Option<Arc<crate::fleet::Fleet>>,
}

impl AppState {
    pub fn new(inner: Inner) -> Self {
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
    type Target = Inner;

    fn deref(&self) -> &Inner {
        &self.0
    }
}
