//! Flags of the fleet view (`--prometheus-*`) and of this replica's identity
//! (`--instance-id`), validated into [`EngineConfig`] and [`InstanceId`].

use std::net::SocketAddr;
use std::time::Duration;

use super::{ConfigError, Secret, Settings, non_empty};
use url::Url;

/// How a replica authenticates to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineAuth {
    None,
    Basic {
        user: String,
        password: Option<Secret>,
    },
    Bearer(Secret),
}

/// Where the engine is and how to ask it.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Base URL, without credentials (they are in `auth`); may carry a path prefix.
    pub url: Url,
    pub auth: EngineAuth,
    /// Longest wait for one answer.
    pub timeout: Duration,
    /// The `job` label of the SpaceWatch replicas.
    pub job: String,
}

/// `spacewatch serve` flags of the fleet view; each has an environment variable too.
#[derive(Debug, Clone, clap::Args)]
pub struct FleetArgs {
    /// Base URL of a Prometheus-HTTP-API engine (Prometheus, VictoriaMetrics, Thanos,
    /// Mimir) scraping every replica; turns on /fleet/operations and /fleet/timeseries.
    /// Userinfo in the URL (https://user:pass@host) is used as basic auth.
    #[arg(long, env = "SPACEWATCH_PROMETHEUS_URL")]
    pub prometheus_url: Option<String>,
    /// Basic-auth user name for the engine.
    #[arg(long, env = "SPACEWATCH_PROMETHEUS_USERNAME")]
    pub prometheus_username: Option<String>,
    /// Basic-auth password for the engine.
    #[arg(long, env = "SPACEWATCH_PROMETHEUS_PASSWORD", hide_env_values = true)]
    pub prometheus_password: Option<String>,
    /// Bearer token for the engine (instead of basic auth).
    #[arg(
        long,
        env = "SPACEWATCH_PROMETHEUS_BEARER_TOKEN",
        hide_env_values = true
    )]
    pub prometheus_bearer_token: Option<String>,
    /// Longest wait for the engine's answers, seconds (then 504).
    #[arg(
        long,
        env = "SPACEWATCH_PROMETHEUS_TIMEOUT_SEC",
        default_value_t = 10.0
    )]
    pub prometheus_timeout_sec: f64,
    /// The scrape job (the `job` label) of the SpaceWatch replicas in the engine.
    #[arg(long, env = "SPACEWATCH_PROMETHEUS_JOB", default_value = "spacewatch")]
    pub prometheus_job: String,
    /// This replica's OpenTelemetry `service.instance.id` (default: hostname:port).
    #[arg(long, env = "SPACEWATCH_INSTANCE_ID")]
    pub instance_id: Option<String>,
}

/// This replica's `service.instance.id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceId {
    pub value: String,
    /// Named by the operator (flag, env or `OTEL_RESOURCE_ATTRIBUTES`), not defaulted.
    pub explicit: bool,
}

impl std::fmt::Display for InstanceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.value)
    }
}

/// `hostname:port`: stable across restarts of one replica, distinct between replicas
/// on one machine (ports) and across machines or containers (hostnames).
pub fn default_instance_id(port: u16) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| "localhost".to_string());
    format!("{host}:{port}")
}

/// The instance id from the flag, else `OTEL_RESOURCE_ATTRIBUTES`, else the default.
pub(super) fn instance_id(
    flag: &Option<String>,
    from_otel: Option<String>,
    port: u16,
) -> Result<InstanceId, ConfigError> {
    match non_empty(flag).or(from_otel) {
        Some(v) if v.len() > 128 || v.chars().any(char::is_control) => Err(ConfigError::Range {
            name: "SPACEWATCH_INSTANCE_ID",
            rule: "at most 128 printable characters",
        }),
        Some(value) => Ok(InstanceId {
            value,
            explicit: true,
        }),
        None => Ok(InstanceId {
            value: default_instance_id(port),
            explicit: false,
        }),
    }
}

/// The engine configuration, when `--prometheus-url` is set.
pub(super) fn engine(a: &FleetArgs) -> Result<Option<EngineConfig>, ConfigError> {
    let Some(raw) = non_empty(&a.prometheus_url) else {
        return Ok(None);
    };
    let bad = ConfigError::PrometheusUrl;
    let mut url = url::Url::parse(&raw).map_err(|_| bad("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("must be an http:// or https:// URL with a host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query string or fragment"));
    }
    // Credentials in the URL become basic auth and leave the URL, which is then safe
    // to print and to show in `source`.
    let from_url = (!url.username().is_empty()).then(|| {
        let user = crate::percent::decode_strict(url.username())
            .map(|d| d.into_owned())
            .unwrap_or_else(|| url.username().to_string());
        let pass = url.password().map(|p| {
            crate::percent::decode_strict(p).map_or_else(|| p.to_string(), |d| d.into_owned())
        });
        (user, pass)
    });
    let _ = url.set_username("");
    let _ = url.set_password(None);
    let bearer = non_empty(&a.prometheus_bearer_token);
    let user = non_empty(&a.prometheus_username);
    let password = non_empty(&a.prometheus_password);
    let basic = match (user, from_url) {
        (Some(u), _) => Some((u, password)),
        (None, Some((u, p))) => Some((u, p.or(password))),
        (None, None) if password.is_some() => {
            return Err(ConfigError::Needs {
                setting: "SPACEWATCH_PROMETHEUS_PASSWORD",
                needs: "SPACEWATCH_PROMETHEUS_USERNAME",
            });
        }
        (None, None) => None,
    };
    let auth = match (basic, bearer) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::TwoEngineAuths);
        }
        (Some((user, pass)), None) => EngineAuth::Basic {
            user,
            password: pass.map(Secret::new),
        },
        (None, Some(token)) => EngineAuth::Bearer(Secret::new(token)),
        (None, None) => EngineAuth::None,
    };
    let t = a.prometheus_timeout_sec;
    if !(t.is_finite() && t > 0.0 && t <= 300.0) {
        return Err(ConfigError::Range {
            name: "SPACEWATCH_PROMETHEUS_TIMEOUT_SEC",
            rule: "a number of seconds in (0, 300]",
        });
    }
    let job = a.prometheus_job.trim().to_string();
    if job.is_empty() || job.len() > 200 || job.chars().any(char::is_control) {
        return Err(ConfigError::Range {
            name: "SPACEWATCH_PROMETHEUS_JOB",
            rule: "1-200 printable characters",
        });
    }
    Ok(Some(EngineConfig {
        url,
        auth,
        timeout: Duration::from_secs_f64(t),
        job,
    }))
}

impl Settings {
    /// Once the listener is bound: a defaulted instance id takes the real port (it was
    /// the configured one, 0 for "any free port").
    pub fn bound_to(&mut self, addr: SocketAddr) {
        if !self.instance_id.explicit {
            self.instance_id.value = default_instance_id(addr.port());
            self.otel.instance_id = Some(self.instance_id.value.clone());
        }
    }
}

#[cfg(test)]
mod tests;
