//! A tenant's credentials, read from the request headers and validated.

use http::HeaderMap;
use sha2::{Digest, Sha256};

use super::endpoint::{Allowlist, EndpointError};
use crate::config::{Secret, valid_region};
use crate::storage::{Account, BucketName, KeyError, KeyPrefix};
use crate::telemetry::Fingerprint;

/// The domain and version tag that starts the hashed input of [`Credentials::fingerprint`].
pub const FINGERPRINT_V1: &[u8] = b"spacewatch/tenant-fingerprint/v1";

/// Default of `X-Metrics-Prefix`.
pub const DEFAULT_METRICS_PREFIX: &str = "spacewatch-metrics/";

/// [`DEFAULT_METRICS_PREFIX`] as the prefix type.
pub fn default_metrics_prefix() -> KeyPrefix {
    KeyPrefix::parse(DEFAULT_METRICS_PREFIX).unwrap_or_default()
}

/// Where a tenant's requests go when the request does not say.
#[derive(Debug, Clone)]
pub struct TenantDefaults {
    pub region: String,
    /// The operator's explicit endpoint; otherwise the region's Spaces endpoint.
    pub endpoint: Option<String>,
    pub allowlist: Allowlist,
}

/// Everything a tenant sent about itself.
#[derive(Clone)]
pub struct Credentials {
    pub key: String,
    pub secret: Secret,
    pub region: String,
    /// Normalized, allow-listed endpoint.
    pub endpoint: String,
    pub log_bucket: Option<BucketName>,
    pub metrics_bucket: Option<BucketName>,
    pub log_prefix: KeyPrefix,
    pub metrics_prefix: KeyPrefix,
}

impl Credentials {
    /// The storage account these credentials name.
    pub fn account(&self) -> Account<'_> {
        Account {
            key: &self.key,
            secret: &self.secret,
            region: &self.region,
            endpoint: &self.endpoint,
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("fingerprint", &self.fingerprint())
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// Why the credential headers were refused (always a 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("missing required header {0}")]
    Missing(&'static str),
    #[error("header {0} is malformed")]
    Malformed(&'static str),
    /// A prefix the storage would normalise (a `..` segment, …).
    #[error("header {0}: {1}")]
    Prefix(&'static str, KeyError),
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
}

fn header<'a>(h: &'a HeaderMap, name: &'static str) -> Result<Option<&'a str>, CredentialError> {
    match h.get(name) {
        None => Ok(None),
        Some(v) => v
            .to_str()
            .map(|s| Some(s.trim()).filter(|s| !s.is_empty()))
            .map_err(|_| CredentialError::Malformed(name)),
    }
}

/// A key or secret: printable ASCII without spaces, at most 256 bytes.
fn token(h: &HeaderMap, name: &'static str) -> Result<String, CredentialError> {
    let v = header(h, name)?.ok_or(CredentialError::Missing(name))?;
    if v.len() > 256 || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CredentialError::Malformed(name));
    }
    Ok(v.to_string())
}

fn bucket(h: &HeaderMap, name: &'static str) -> Result<Option<BucketName>, CredentialError> {
    header(h, name)?
        .map(|b| BucketName::parse(b).ok_or(CredentialError::Malformed(name)))
        .transpose()
}

fn prefix(h: &HeaderMap, name: &'static str, default: &str) -> Result<KeyPrefix, CredentialError> {
    let v = header(h, name)?.unwrap_or(default);
    if v.len() > 512 {
        return Err(CredentialError::Malformed(name));
    }
    KeyPrefix::parse(v).map_err(|e| CredentialError::Prefix(name, e))
}

impl Credentials {
    /// Reads and validates the credential headers.
    pub fn from_headers(h: &HeaderMap, d: &TenantDefaults) -> Result<Self, CredentialError> {
        let key = token(h, "X-Spaces-Key")?;
        let secret = Secret::new(token(h, "X-Spaces-Secret")?);
        let region = match header(h, "X-Region")? {
            Some(r) if valid_region(r) => r.to_string(),
            Some(_) => return Err(CredentialError::Malformed("X-Region")),
            None => d.region.clone(),
        };
        let endpoint = match header(h, "X-Endpoint")? {
            Some(e) => d.allowlist.check(e)?,
            None => match &d.endpoint {
                Some(e) => e.clone(),
                None => format!("https://{region}.digitaloceanspaces.com"),
            },
        };
        Ok(Self {
            key,
            secret,
            region,
            endpoint,
            log_bucket: bucket(h, "X-Log-Bucket")?,
            metrics_bucket: bucket(h, "X-Metrics-Bucket")?,
            log_prefix: prefix(h, "X-Log-Prefix", "")?,
            metrics_prefix: prefix(h, "X-Metrics-Prefix", DEFAULT_METRICS_PREFIX)?,
        })
    }

    /// The public tenant identity (16 hex digits): the first 8 bytes of
    /// sha256(`FINGERPRINT_V1` ‖ len(key) ‖ key ‖ len(endpoint) ‖ endpoint ‖ len(region)
    /// ‖ region), each length a 64-bit big-endian byte count. The lengths keep two
    /// tenants whose fields merely concatenate alike (key `ab` at `c…` and key `a` at
    /// `bc…`) apart; the tag names the scheme, so a later one cannot be mistaken for it.
    pub fn fingerprint(&self) -> Fingerprint {
        let mut h = Sha256::new().chain_update(FINGERPRINT_V1);
        for field in [&self.key, &self.endpoint, &self.region] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field.as_bytes());
        }
        let d = h.finalize();
        let mut fp = [0u8; 8];
        fp.copy_from_slice(&d[..8]);
        Fingerprint(fp)
    }

    /// Private cache key that also covers the secret: a request carrying someone's key
    /// with a wrong secret must never reach their cached client or bucket list.
    pub fn cache_key(&self) -> [u8; 32] {
        Sha256::new()
            .chain_update(self.key.as_bytes())
            .chain_update([0])
            .chain_update(self.secret.expose().as_bytes())
            .chain_update([0])
            .chain_update(self.endpoint.as_bytes())
            .chain_update([0])
            .chain_update(self.region.as_bytes())
            .finalize()
            .into()
    }
}

#[cfg(test)]
mod tests;
