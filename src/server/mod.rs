//! The HTTP server: application state, the per-request stages and the serve loop.
//!
//! The stages every request runs, in order, are written once in [`stages`]; the
//! application that runs them (`api::app`) is the layer above. Here are the
//! parts each stage uses: Mission Control's [`http_stats`], the [`request_context`],
//! the [`rate_limit`]s, the [`operation`] record, the tenant's [`credentials`], and the
//! admin key ([`admin_auth`]).

pub mod admin_auth;
pub mod body_guard;
pub mod client_ip;
pub mod credentials;
pub mod error;
pub mod http_stats;
pub mod listen;
pub mod operation;
pub mod query;
pub mod rate_limit;
pub mod request_context;
pub mod stages;
mod state;

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

pub use state::{AppState, StateParts};

use crate::accesslog::cache::SummaryCache;
use crate::accesslog::jobs::{Jobs, WAIT};
use crate::accesslog::metrics::LogMetrics;
use crate::accesslog::scan::Reader;
use crate::config::{Settings, redact_url};
use crate::storage::calls::RecordCalls;
use crate::storage::client::shared_http_client;
use crate::telemetry::log::LogSink;
use crate::telemetry::otel::{Otel, OtelError};
use crate::telemetry::prom::{AppCounters, new_registry};
use crate::telemetry::{Clock, Recorder, RecorderConfig};
use crate::tenant::endpoint::{BadEntry, EndpointError};
use crate::tenant::{Allowlist, BucketAccess, ClientCache, TenantDefaults};

/// Why the application state could not be built from the settings.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("--allow-endpoint {0}")]
    AllowEndpoint(BadEntry),
    /// `endpoint` with its credentials masked.
    #[error("SPACES_ENDPOINT {endpoint:?}: {reason}")]
    SpacesEndpoint {
        endpoint: String,
        reason: EndpointError,
    },
    #[error(transparent)]
    Otel(#[from] OtelError),
    #[error(transparent)]
    Seal(#[from] crate::tenant::sealed::SealError),
    #[error("TRUSTED_PROXIES: {0:?} is not an IP address or CIDR block")]
    TrustedProxy(String),
    #[error(transparent)]
    Assistant(crate::agent::client::AgentConfigError),
    #[error(transparent)]
    Fleet(crate::fleet::FleetConfigError),
}

/// What the application needs besides its settings (injected so tests can replace them).
pub struct Runtime {
    pub clock: Arc<dyn Clock>,
    pub log_writer: Box<dyn Write + Send>,
}

impl Runtime {
    /// The real clock, logging to stdout.
    pub fn production() -> Self {
        Self {
            clock: Arc::new(crate::telemetry::SystemClock),
            log_writer: Box::new(std::io::stdout()),
        }
    }
}

/// Builds the state (needs a tokio runtime: the export task starts here).
pub fn build_state(settings: Settings, rt: Runtime) -> Result<AppState, StartError> {
    let mut allowlist = Allowlist::new(settings.allow_endpoints.iter().map(String::as_str))
        .map_err(StartError::AllowEndpoint)?;
    let endpoint = match &settings.endpoint {
        Some(e) => Some(
            allowlist
                .add(e)
                .map_err(|reason| StartError::SpacesEndpoint {
                    endpoint: redact_url(e),
                    reason,
                })?,
        ),
        None => None,
    };
    let registry = new_registry(&settings.instance_id.value);
    let log = Arc::new(LogSink::new(
        settings.log_format,
        rt.log_writer,
        rt.clock.clone(),
    ));
    let k = &settings.knobs;
    let config = RecorderConfig {
        current_window: k.current_window(),
        recent_capacity: k.max_operations_log,
        slow_ms: k.slow_operation_ms,
        // 0 drops the label; the admin analytics still keep the default cap.
        max_buckets: if k.max_bucket_labels == 0 {
            RecorderConfig::default().max_buckets
        } else {
            k.max_bucket_labels
        },
        bucket_labels: k.max_bucket_labels > 0,
    };
    let otel = Arc::new(Otel::start(&settings.otel, &registry)?);
    let seal = crate::tenant::sealed::SealKeys::new(&settings.gateway.seal_keys)?;
    if seal.ephemeral {
        log.warn(
            "GATEWAY_SEAL_KEYS is not set: gateway credentials (POST /gateway/credentials) are \
             sealed with a random key and stop working when this process ends; other replicas \
             do not accept them. `spacewatch setup` writes a key.",
        );
    }
    for w in settings.otel.warnings.iter().chain(&settings.warnings()) {
        log.warn(w);
    }
    let proxies = settings
        .trusted_proxies
        .iter()
        .map(|p| client_ip::Cidr::parse(p).ok_or_else(|| StartError::TrustedProxy(p.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let genai =
        crate::telemetry::genai::GenAiMetrics::register(&registry, otel.genai_instruments());
    let assistant =
        Arc::new(crate::agent::Assistant::new(&settings, genai).map_err(StartError::Assistant)?);
    let recorder = Arc::new(Recorder::new(
        &config,
        rt.clock,
        &registry,
        log.clone(),
        otel.metrics_exporter().into_iter().collect(),
    ));
    let fleet = settings
        .fleet
        .as_ref()
        .map(|c| crate::fleet::Fleet::new(c, k.current_window()).map(Arc::new))
        .transpose()
        .map_err(StartError::Fleet)?;
    Ok(AppState::new(StateParts {
        fleet,
        counters: AppCounters::register(&registry),
        tenants: TenantDefaults {
            region: settings.region.clone(),
            endpoint,
            allowlist,
        },
        clients: ClientCache::new(
            k.client_cache_size,
            shared_http_client(),
            k.s3_timeout(),
            Some(RecordCalls::new(recorder.clone())),
        ),
        seal,
        verify_keys: crate::tenant::VerifyKeys::new(k.client_cache_size),
        opened_tokens: crate::tenant::OpenedTokens::new(k.client_cache_size),
        access: BucketAccess::new(
            std::time::Duration::from_secs(k.bucket_cache_ttl_sec),
            k.client_cache_size,
        ),
        upstream: crate::storage::gateway::Upstream::new(k.s3_timeout()),
        api_limiter: rate_limit::RateLimiter::new(k.rate_limit_rps, k.rate_limit_burst),
        gateway_limiter: rate_limit::RateLimiter::new(
            k.gateway_rate_limit_rps,
            k.gateway_rate_limit_burst,
        ),
        admin_failures: admin_auth::failure_limiter(k.admin_key_failure_burst),
        logs: Arc::new(Reader {
            cache: SummaryCache::new(k.access_log_cache_bytes),
            metrics: LogMetrics::register(&registry, k.max_bucket_labels),
            jobs: Jobs::new(k.access_log_jobs, k.access_log_jobs_per_tenant, WAIT),
            max_bytes: k.max_log_bytes,
            concurrency: k.access_log_concurrency.max(1),
            max_objects: k.access_log_max_objects,
            job_bytes: k.access_log_job_bytes,
        }),
        snapshot_locks: Arc::default(),
        assistant,
        proxies: client_ip::TrustedProxies::new(proxies),
        started: Instant::now(),
        http_stats: crate::mission::HttpStats::new(recorder.clock().clone()),
        registry,
        recorder,
        otel,
        log,
        settings,
    }))
}

pub use listen::{Limits, serve, serve_with};
