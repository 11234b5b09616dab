//! Who may reach `/mcp` from a browser, and under which host names — the MCP
//! specification's guard against DNS rebinding: a page on an attacker's name that
//! resolves to SpaceWatch's address must not be able to call its tools.
//!
//! - `Origin`: browsers send it with every such request; a request that carries one is
//!   refused unless it is listed in `MCP_ALLOWED_ORIGINS`. MCP clients and SDKs send
//!   none, and are not affected.
//! - `Host`: an IP address or `localhost` is always accepted (a rebinding page can only
//!   use a name of its own); any other name must be listed in `MCP_ALLOWED_HOSTS` (the
//!   names SpaceWatch is deployed under), or the list must hold `*`.

use url::Url;

use super::ConfigError;

/// Flags of `serve`; each has an environment variable too.
#[derive(Debug, Clone, clap::Args)]
pub struct McpArgs {
    /// Browser origins whose pages may call /mcp (`scheme://host[:port]`, comma-separated;
    /// `*`: any). A request with another Origin header is refused (403).
    #[arg(
        long = "mcp-allowed-origin",
        env = "MCP_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,
    /// Host names /mcp answers under besides IP addresses and localhost (comma-separated,
    /// `name` or `name:port`; `*`: any).
    #[arg(
        long = "mcp-allowed-host",
        env = "MCP_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
}

/// An origin as browsers serialise it: scheme, host and port (the default one if none).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

fn origin(s: &str) -> Option<Origin> {
    let u = Url::parse(s.trim()).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    (u.path() == "/" && u.query().is_none() && u.username().is_empty()).then(|| Origin {
        scheme: u.scheme().to_string(),
        host,
        port: u.port_or_known_default(),
    })
}

/// The validated lists.
#[derive(Debug, Clone, Default)]
pub struct McpAccess {
    any_origin: bool,
    origins: Vec<Origin>,
    any_host: bool,
    /// Lower-case; with a port when one was given.
    hosts: Vec<(String, Option<u16>)>,
}

impl McpAccess {
    pub fn from_args(a: &McpArgs) -> Result<Self, ConfigError> {
        let mut m = Self::default();
        for o in a
            .allowed_origins
            .iter()
            .map(|o| o.trim())
            .filter(|o| !o.is_empty())
        {
            if o == "*" {
                m.any_origin = true;
                continue;
            }
            m.origins
                .push(origin(o).ok_or_else(|| ConfigError::McpOrigin(o.to_string()))?);
        }
        for h in a
            .allowed_hosts
            .iter()
            .map(|h| h.trim())
            .filter(|h| !h.is_empty())
        {
            if h == "*" {
                m.any_host = true;
                continue;
            }
            m.hosts
                .push(authority(h).ok_or_else(|| ConfigError::McpHost(h.to_string()))?);
        }
        Ok(m)
    }

    /// Whether a request with this `Origin` header (or none) may call /mcp.
    pub fn origin_allowed(&self, header: Option<&str>) -> bool {
        let Some(h) = header else {
            return true;
        };
        self.any_origin || origin(h).is_some_and(|o| self.origins.contains(&o))
    }

    /// Whether /mcp answers under this `Host` header.
    pub fn host_allowed(&self, header: Option<&str>) -> bool {
        let Some((host, port)) = header.and_then(authority) else {
            return false;
        };
        let literal = host.parse::<std::net::IpAddr>().is_ok() || host == "localhost";
        literal
            || self.any_host
            || self
                .hosts
                .iter()
                .any(|(h, p)| *h == host && p.is_none_or(|p| Some(p) == port))
    }
}

/// `host[:port]` of a Host header or a list entry: the host lower-case, an IPv6 address
/// without its brackets.
fn authority(s: &str) -> Option<(String, Option<u16>)> {
    let a: http::uri::Authority = s.trim().parse().ok()?;
    if s.contains('@') {
        return None;
    }
    let host = a.host().trim_start_matches('[').trim_end_matches(']');
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), a.port_u16()))
}

#[cfg(test)]
mod tests;
