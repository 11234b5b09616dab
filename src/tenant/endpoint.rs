//! Which storage endpoints a tenant may name in `X-Endpoint`.
//!
//! Without this, anyone could make SpaceWatch send signed requests to any host. Allowed:
//! the configured `SPACES_ENDPOINT`, `https://<region>.digitaloceanspaces.com`, the
//! `--allow-endpoint` entries and the demo store. Endpoints are compared in a normal form
//! (lower-case scheme and host, default port dropped, no path, no credentials).

use std::collections::HashSet;

use url::Url;

/// Why an endpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("X-Endpoint is not a valid http(s) URL")]
    Invalid,
    #[error("X-Endpoint must be a bare origin (no user, path, query or fragment)")]
    NotAnOrigin,
    #[error("X-Endpoint is not an allowed storage endpoint")]
    NotAllowed,
}

/// An `--allow-endpoint` entry that is not an endpoint; `entry` is shown with any
/// credentials masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{entry:?}: {reason}")]
pub struct BadEntry {
    pub entry: String,
    pub reason: EndpointError,
}

/// An endpoint in normal form: `scheme://host[:port]`.
pub fn normalize(raw: &str) -> Result<String, EndpointError> {
    let url = Url::parse(raw.trim()).map_err(|_| EndpointError::Invalid)?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(EndpointError::Invalid);
    }
    let bare = url.username().is_empty()
        && url.password().is_none()
        && matches!(url.path(), "" | "/")
        && url.query().is_none()
        && url.fragment().is_none();
    if !bare {
        return Err(EndpointError::NotAnOrigin);
    }
    let host = url.host_str().unwrap_or_default();
    Ok(match url.port() {
        Some(p) => format!("{}://{host}:{p}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    })
}

/// An entry as it may be printed: any `user:password@` masked.
fn shown(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_password(None);
            let _ = u.set_username("***");
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<not a URL>".into(),
    }
}

/// The set of endpoints tenants may use.
#[derive(Debug, Clone, Default)]
pub struct Allowlist {
    exact: HashSet<String>,
}

impl Allowlist {
    /// Builds the list; entries that are not valid origins are reported back.
    pub fn new<'a>(entries: impl IntoIterator<Item = &'a str>) -> Result<Self, BadEntry> {
        let mut exact = HashSet::new();
        for e in entries {
            let normal = normalize(e).map_err(|reason| BadEntry {
                entry: shown(e),
                reason,
            })?;
            exact.insert(normal);
        }
        Ok(Self { exact })
    }

    /// Allows `endpoint`; returns its normal form.
    pub fn add(&mut self, endpoint: &str) -> Result<String, EndpointError> {
        let normal = normalize(endpoint)?;
        self.exact.insert(normal.clone());
        Ok(normal)
    }

    /// Normalizes `raw` and accepts it if it is allowed.
    pub fn check(&self, raw: &str) -> Result<String, EndpointError> {
        let n = normalize(raw)?;
        if self.exact.contains(&n) || is_spaces_regional(&n) {
            Ok(n)
        } else {
            Err(EndpointError::NotAllowed)
        }
    }
}

/// `https://<one DNS label>.digitaloceanspaces.com` — a Spaces regional endpoint.
fn is_spaces_regional(normalized: &str) -> bool {
    let Some(label) = normalized
        .strip_prefix("https://")
        .and_then(|h| h.strip_suffix(".digitaloceanspaces.com"))
    else {
        return false;
    };
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
}

#[cfg(test)]
mod tests;
