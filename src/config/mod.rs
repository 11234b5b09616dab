//! Configuration: the command line, its environment variables and `.env`.
//!
//! Sources, later wins: `.env` in the working directory → the environment → flags.
//! `main` loads `.env` (without overriding the environment) before clap reads the
//! variables, which gives exactly that order. [`Settings`] is the validated result the
//! rest of the program sees; nothing reads the environment after start-up.

mod fleet;
mod knobs;
pub mod secret;
pub mod setup;

use std::net::SocketAddr;

use clap::{Parser, Subcommand};

pub use fleet::{FleetArgs, InstanceId, default_instance_id};
pub use knobs::Knobs;
pub use secret::Secret;

use crate::telemetry::log::LogFormat;
use crate::telemetry::otel::OtelSettings;

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
    /// Admin key required in X-API-Key on the admin endpoints (unset: open).
    #[arg(long, env = "APP_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// OpenAI-compatible agent endpoint for /chat.
    #[arg(long, env = "DO_AGENT_URL")]
    pub agent_url: Option<String>,
    /// Key of the agent endpoint.
    #[arg(long, env = "DO_AGENT_KEY", hide_env_values = true)]
    pub agent_key: Option<String>,
    /// Default Spaces region.
    #[arg(long, env = "SPACES_REGION", default_value = "sgp1")]
    pub region: String,
    /// Default storage endpoint (default https://{region}.digitaloceanspaces.com).
    #[arg(long, env = "SPACES_ENDPOINT")]
    pub endpoint: Option<String>,
    #[command(flatten)]
    pub knobs: Knobs,
    #[command(flatten)]
    pub fleet: FleetArgs,
}

/// The agent, when configured.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    pub url: String,
    pub key: Option<Secret>,
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
    pub knobs: Knobs,
    /// OTLP export, from the standard `OTEL_*` variables.
    pub otel: OtelSettings,
    /// This replica's `service.instance.id`.
    pub instance_id: InstanceId,
    /// The Prometheus-HTTP-API engine of the fleet view (`--prometheus-url`).
    pub fleet: Option<crate::fleet::EngineConfig>,
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

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
            .map_err(|_| ConfigError(format!("--host {:?} is not an IP address", a.host)))?;
        if !crate::tenant::valid_region(&a.region) {
            return Err(ConfigError(format!(
                "SPACES_REGION {:?} is not a region name",
                a.region
            )));
        }
        a.knobs.validate()?;
        let mut otel = OtelSettings::from_env();
        let instance_id =
            fleet::instance_id(&a.fleet.instance_id, otel.instance_id.take(), a.port)?;
        otel.instance_id = Some(instance_id.value.clone());
        let agent = non_empty(&a.agent_url).map(|url| AgentSettings {
            url,
            key: non_empty(&a.agent_key).map(Secret::new),
        });
        Ok(Self {
            bind,
            api_key: non_empty(&a.api_key).map(Secret::new),
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
            knobs: a.knobs.clone(),
            otel,
            instance_id,
            fleet: fleet::engine(&a.fleet)?,
        })
    }

    /// Settings for tests and embedding: defaults of every knob, loopback, no keys.
    pub fn for_tests() -> Self {
        let args = Cli::parse_from(["spacewatch", "serve", "--host", "127.0.0.1", "--port", "0"]);
        match args.command {
            Command::Serve(a) => {
                let s = Self::from_args(&a).unwrap_or_else(|e| panic!("{e}"));
                Self {
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
