//! Flags of the S3 gateway: the root listener and the keys gateway credentials are
//! sealed with.

use std::net::SocketAddr;

use super::{ConfigError, Secret};

/// `spacewatch serve` flags of the gateway; each has an environment variable too.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct GatewayArgs {
    /// Also serve the S3 gateway at `/` of this address (for tools that take no path in
    /// their endpoint: s3cmd, mc, restic), e.g. 127.0.0.1:9000. Off by default.
    #[arg(long = "s3-listen", env = "S3_LISTEN")]
    pub s3_listen: Option<String>,
    /// Keys sealing the gateway credentials of POST /gateway/credentials: 32 bytes each,
    /// as 64 hex digits or base64, comma-separated; the first seals, all open. Unset: a
    /// random key per process (credentials die with it). `spacewatch setup` writes one.
    #[arg(
        long = "gateway-seal-keys",
        env = "GATEWAY_SEAL_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub seal_keys: Vec<String>,
}

/// The gateway's validated settings.
#[derive(Debug, Clone, Default)]
pub struct GatewaySettings {
    pub s3_listen: Option<SocketAddr>,
    pub seal_keys: Vec<Secret>,
}

impl GatewaySettings {
    pub fn from_args(a: &GatewayArgs) -> Result<Self, ConfigError> {
        let s3_listen = a
            .s3_listen
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<SocketAddr>()
                    .map_err(|_| ConfigError::S3Listen(s.to_string()))
            })
            .transpose()?;
        let seal_keys = a
            .seal_keys
            .iter()
            .map(|k| k.trim())
            .filter(|k| !k.is_empty())
            .map(Secret::new)
            .collect();
        Ok(Self {
            s3_listen,
            seal_keys,
        })
    }
}
