//! Configuration: the command line, its environment variables and `.env`.
//!
//! Sources, later wins: `.env` in the working directory → the environment → flags.
//! `main` loads `.env` (without overriding the environment) before clap reads the
//! variables, which gives exactly that order. [`Settings`] is the validated result the
//! rest of the program sees; nothing reads the environment after start-up.

mod fleet;
mod gateway;
mod knobs;
pub mod mcp;
pub mod otel;
pub mod redact;
pub mod secret;
pub mod setup;

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

pub use fleet::{EngineAuth, EngineConfig, FleetArgs, InstanceId, default_instance_id};
pub use gateway::{GatewayArgs, GatewaySettings};
pub use knobs::Knobs;
pub use redact::redact_url;
pub use secret::Secret;

use otel::OtelSettings;

/// Output format of every log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

/// A region name as Spaces and S3 spell them.
pub fn valid_region(r: &str) -> bool {
    (2..=32).contains(&r.len())
        && r.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Shortest admin key accepted (`APP_API_KEY`): a guessable key is worse than none,
/// because it looks like protection.
pub const MIN_API_KEY_LEN: usize = 16;

/// Fixed credentials of the `--demo` store, documented in the README.
pub const DEMO_KEY: &str = "SPACEWATCHDEMOKEY000";
pub const DEMO_SECRET: &str = "spacewatch-demo-secret-key";

/// `spacewatch`: observability for S3-compatible object storage.
#[derive(Debug, Parser)]
#[command(name = "spacewatch", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(Box<ServeArgs>),
    /// Interactive wizard that writes `.env`.
    Setup(setup::SetupArgs),
}

/// Flags of `spacewatch serve`; each has an environment variable too.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SPACEWATCH_HOST", default_value = "0.0.0.0")]
    pub host: String,
    /// Port to listen on.
    #[arg(long, env = "SPACEWATCH_PORT", default_value_t = 8000)]
    pub port: u16,
    /// Extra storage endpoint tenants may name in X-Endpoint (repeatable).
    #[arg(
        long = "allow-endpoint",
        env = "SPACEWATCH_ALLOWED_ENDPOINTS",
        value_delimiter = ','
    )]
    pub allow_endpoints: Vec<String>,
    /// Run against an embedded S3-compatible demo store.
    #[arg(long)]
    pub demo: bool,
    /// Access key of the demo store.
    #[arg(long, env = "SPACEWATCH_DEMO_KEY", default_value = DEMO_KEY)]
    pub demo_key: String,
    /// Secret key of the demo store.
    #[arg(long, env = "SPACEWATCH_DEMO_SECRET", default_value = DEMO_SECRET, hide_env_values = true, hide_default_value = true)]
    pub demo_secret: String,
    /// Log line format.
    #[arg(long, env = "SPACEWATCH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// Admin key required in X-API-Key on the admin endpoints (unset or blank: open).
    #[arg(long, env = "APP_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// `bearer`: GET /metrics requires `Authorization: Bearer <APP_API_KEY>`.
    #[arg(long, env = "METRICS_AUTH", value_enum, default_value_t = MetricsAuth::None)]
    pub metrics_auth: MetricsAuth,
    /// Proxies whose X-Forwarded-For / Forwarded headers name the client (IPs or CIDR
    /// blocks, comma-separated); nobody else's are believed.
    #[arg(long = "trusted-proxy", env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// OpenAI-compatible agent endpoint for /chat.
    #[arg(long, env = "DO_AGENT_URL")]
    pub agent_url: Option<String>,
    /// Key of the agent endpoint.
    #[arg(long, env = "DO_AGENT_KEY", hide_env_values = true)]
    pub agent_key: Option<String>,
    /// Model name sent to the agent endpoint (DigitalOcean agents need none).
    #[arg(long, env = "DO_AGENT_MODEL")]
    pub agent_model: Option<String>,
    /// Default Spaces region.
    #[arg(long, env = "SPACES_REGION", default_value = "sgp1")]
    pub region: String,
    /// Default storage endpoint (default https://{region}.digitaloceanspaces.com).
    #[arg(long, env = "SPACES_ENDPOINT")]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub snapshots: SnapshotArgs,
    #[command(flatten)]
    pub knobs: Knobs,
    #[command(flatten)]
    pub fleet: FleetArgs,
    #[command(flatten)]
    pub gateway: GatewayArgs,
    #[command(flatten)]
    pub mcp: mcp::McpArgs,
}

/// The snapshot scheduler: off unless an interval is given.
#[derive(Debug, Clone, clap::Args)]
pub struct SnapshotArgs {
    /// Take snapshots every this many seconds (0: no scheduler).
    #[arg(
        long = "snapshot-interval-sec",
        env = "SNAPSHOT_INTERVAL_SEC",
        default_value_t = 0
    )]
    pub interval_sec: u64,
    /// Buckets to snapshot (comma-separated); empty: every bucket but the log and metrics buckets.
    #[arg(
        long = "snapshot-buckets",
        env = "SNAPSHOT_BUCKETS",
        value_delimiter = ','
    )]
    pub buckets: Vec<String>,
    /// Access key the scheduler uses (with --demo: the demo key).
    #[arg(long = "snapshot-key", env = "SNAPSHOT_SPACES_KEY")]
    pub key: Option<String>,
    /// Secret the scheduler uses.
    #[arg(
        long = "snapshot-secret",
        env = "SNAPSHOT_SPACES_SECRET",
        hide_env_values = true
    )]
    pub secret: Option<String>,
    /// Bucket holding the access logs (request metrics are left out without it).
    #[arg(long = "snapshot-log-bucket", env = "SNAPSHOT_LOG_BUCKET")]
    pub log_bucket: Option<String>,
    #[arg(
        long = "snapshot-log-prefix",
        env = "SNAPSHOT_LOG_PREFIX",
        default_value = ""
    )]
    pub log_prefix: String,
    /// Bucket the snapshots are written to.
    #[arg(long = "snapshot-metrics-bucket", env = "SNAPSHOT_METRICS_BUCKET")]
    pub metrics_bucket: Option<String>,
    #[arg(
        long = "snapshot-metrics-prefix",
        env = "SNAPSHOT_METRICS_PREFIX",
        default_value = "spacewatch-metrics/"
    )]
    pub metrics_prefix: String,
}

/// Who may scrape `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum MetricsAuth {
    /// Anyone (Prometheus' default scrape config works as is).
    #[default]
    None,
    /// `Authorization: Bearer <APP_API_KEY>`.
    Bearer,
}

/// The agent, when configured.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    pub url: String,
    pub key: Option<Secret>,
    /// `DO_AGENT_MODEL`, when the endpoint needs a model name.
    pub model: Option<String>,
}

/// What the dashboard offers under `--demo`: the demo store's key, and its secret only
/// when it is the documented [`DEMO_SECRET`] (a secret given with `--demo-secret` is
/// never sent to a browser, as it is never printed).
#[derive(Debug, Clone)]
pub struct DemoOffer {
    pub key: String,
    pub secret: Option<String>,
}

impl DemoOffer {
    pub fn new(key: &str, secret: &str) -> Self {
        Self {
            key: key.to_string(),
            secret: (secret == DEMO_SECRET).then(|| DEMO_SECRET.to_string()),
        }
    }
}

/// Validated configuration of a server.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub api_key: Option<Secret>,
    pub agent: Option<AgentSettings>,
    pub region: String,
    /// The operator's explicit endpoint (`SPACES_ENDPOINT`, or the demo store).
    pub endpoint: Option<String>,
    pub allow_endpoints: Vec<String>,
    pub log_format: LogFormat,
    pub metrics_auth: MetricsAuth,
    pub trusted_proxies: Vec<String>,
    pub knobs: Knobs,
    /// OTLP export, from the standard `OTEL_*` variables.
    pub otel: OtelSettings,
    /// Set by `serve --demo` once the demo store runs.
    pub demo: Option<DemoOffer>,
    /// This replica's `service.instance.id`.
    pub instance_id: InstanceId,
    /// The Prometheus-HTTP-API engine of the fleet view (`--prometheus-url`).
    pub fleet: Option<EngineConfig>,
    /// The S3 gateway's root listener and seal keys.
    pub gateway: GatewaySettings,
    /// The origins and host names `/mcp` accepts.
    pub mcp: mcp::McpAccess,
}

/// A configuration value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid configuration: --host {0:?} is not an IP address")]
    Host(String),
    #[error("invalid configuration: SPACES_REGION {0:?} is not a region name")]
    Region(String),
    #[error(
        "invalid configuration: APP_API_KEY must be at least {MIN_API_KEY_LEN} characters (`spacewatch setup` generates one)"
    )]
    ApiKeyTooShort,
    /// A setting outside its range: `{name} must be {rule}`.
    #[error("invalid configuration: {name} must be {rule}")]
    Range {
        name: &'static str,
        rule: &'static str,
    },
    /// A setting that works only with another: `{setting} needs {needs}`.
    #[error("invalid configuration: {setting} needs {needs}")]
    Needs {
        setting: &'static str,
        needs: &'static str,
    },
    #[error("invalid configuration: S3_LISTEN {0:?} is not an address like 127.0.0.1:9000")]
    S3Listen(String),
    #[error("invalid configuration: SPACEWATCH_PROMETHEUS_URL {0}")]
    PrometheusUrl(&'static str),
    #[error("invalid configuration: give the engine either basic auth or a bearer token, not both")]
    TwoEngineAuths,
    #[error(
        "invalid configuration: MCP_ALLOWED_ORIGINS: {0:?} is not an origin (scheme://host[:port])"
    )]
    McpOrigin(String),
    #[error(
        "invalid configuration: MCP_ALLOWED_HOSTS: {0:?} is not a host name (name or name:port)"
    )]
    McpHost(String),
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl Settings {
    /// Validates the flags of `serve`.
    pub fn from_args(a: &ServeArgs) -> Result<Self, ConfigError> {
        let bind = format!("{}:{}", a.host, a.port);
        let bind = bind
            .parse::<SocketAddr>()
            .or_else(|_| format!("[{}]:{}", a.host, a.port).parse())
            .map_err(|_| ConfigError::Host(a.host.clone()))?;
        if !valid_region(&a.region) {
            return Err(ConfigError::Region(a.region.clone()));
        }
        a.knobs.validate()?;
        let api_key = non_empty(&a.api_key).map(Secret::new);
        if api_key
            .as_ref()
            .is_some_and(|k| k.expose().len() < MIN_API_KEY_LEN)
        {
            return Err(ConfigError::ApiKeyTooShort);
        }
        if a.metrics_auth == MetricsAuth::Bearer && api_key.is_none() {
            return Err(ConfigError::Needs {
                setting: "METRICS_AUTH=bearer",
                needs: "APP_API_KEY (the bearer token Prometheus sends)",
            });
        }
        let mut otel = OtelSettings::from_env();
        let instance_id =
            fleet::instance_id(&a.fleet.instance_id, otel.instance_id.take(), a.port)?;
        otel.instance_id = Some(instance_id.value.clone());
        let agent = non_empty(&a.agent_url).map(|url| AgentSettings {
            url,
            key: non_empty(&a.agent_key).map(Secret::new),
            model: non_empty(&a.agent_model),
        });
        Ok(Self {
            bind,
            api_key,
            agent,
            region: a.region.clone(),
            endpoint: non_empty(&a.endpoint),
            allow_endpoints: a
                .allow_endpoints
                .iter()
                .filter(|e| !e.is_empty())
                .cloned()
                .collect(),
            log_format: a.log_format,
            metrics_auth: a.metrics_auth,
            trusted_proxies: a
                .trusted_proxies
                .iter()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            knobs: a.knobs.clone(),
            otel,
            demo: None,
            instance_id,
            fleet: fleet::engine(&a.fleet)?,
            gateway: GatewaySettings::from_args(&a.gateway)?,
            mcp: mcp::McpAccess::from_args(&a.mcp)?,
        })
    }

    /// What an operator should hear about at start-up.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.api_key.is_none() && !self.bind.ip().is_loopback() {
            out.push(format!(
                "WARNING: APP_API_KEY is not set and SpaceWatch listens on {}: the admin endpoints \
                 (/metrics/operations, /logs/operations, /stats, /admin) are open to anyone who can \
                 reach this address. Set APP_API_KEY (at least {MIN_API_KEY_LEN} characters) or \
                 listen on 127.0.0.1.",
                self.bind
            ));
        }
        out
    }

    /// Settings for tests and embedding: defaults of every knob, loopback, no keys.
    pub fn for_tests() -> Self {
        let args = Cli::parse_from(["spacewatch", "serve", "--host", "127.0.0.1", "--port", "0"]);
        match args.command {
            Command::Serve(a) => {
                let s = Self::from_args(&a).unwrap_or_else(|e| panic!("{e}"));
                Self {
                    // A fixed seal key: tests issue gateway credentials and read the log,
                    // which a random key would fill with its start-up warning.
                    gateway: GatewaySettings {
                        seal_keys: vec![Secret::new("73".repeat(32))],
                        ..s.gateway.clone()
                    },
                    // Tests opt in to export explicitly; the test process's env must not.
                    otel: OtelSettings {
                        instance_id: Some(s.instance_id.value.clone()),
                        ..OtelSettings::disabled()
                    },
                    ..s
                }
            }
            Command::Setup(_) => unreachable!("parsed a serve command"),
        }
    }
}
