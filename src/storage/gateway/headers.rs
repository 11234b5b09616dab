//! Which headers cross the gateway, in each direction.
//!
//! Requests: every header the client sent crosses as it came — content, conditional,
//! range, and every `x-amz-*` (a copy source, a directive, a grant, a lock, a checksum…
//! each changes what the request means, and a proxy that drops one silently turns a copy
//! into an empty PUT). Kept back are only what the upstream request gets anew or what
//! is SpaceWatch's own: the client's signature (`Authorization`, `x-amz-date`,
//! `x-amz-content-sha256`; re-signing writes them), `Host` (the store's), the tenant's
//! credential and SpaceWatch headers, trace context SpaceWatch continues itself, and
//! hop-by-hop headers (with `Expect`, which hyper answers on this hop). Responses:
//! everything but hop-by-hop headers.

use http::{HeaderMap, HeaderName};

/// Replaced when the request is signed again for the store, or the store's own (`host`).
const RESIGNED: [&str; 4] = [
    "authorization",
    "x-amz-date",
    "x-amz-content-sha256",
    "host",
];

/// SpaceWatch's own request headers: credentials, settings and request identity.
const OWN: [&str; 13] = [
    "x-spaces-key",
    "x-spaces-secret",
    "x-region",
    "x-endpoint",
    "x-log-bucket",
    "x-log-prefix",
    "x-metrics-bucket",
    "x-metrics-prefix",
    "x-api-key",
    "x-request-id",
    "traceparent",
    "tracestate",
    "expect",
];

/// RFC 9110 §7.6.1 connection-specific headers.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Headers named in `Connection:` are hop-by-hop too.
fn connection_listed(h: &HeaderMap) -> Vec<String> {
    h.get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_ascii_lowercase())
        .collect()
}

fn is_hop_by_hop(name: &HeaderName, listed: &[String]) -> bool {
    HOP_BY_HOP.contains(&name.as_str()) || listed.iter().any(|l| l == name.as_str())
}

/// The client headers to send upstream: all of them but the signature's, the store's
/// `Host`, SpaceWatch's own and hop-by-hop ones.
pub fn upstream_request(incoming: &HeaderMap) -> HeaderMap {
    let listed = connection_listed(incoming);
    let mut out = HeaderMap::with_capacity(incoming.len());
    for (name, value) in incoming {
        let n = name.as_str();
        let kept = RESIGNED.contains(&n) || OWN.contains(&n) || is_hop_by_hop(name, &listed);
        if !kept {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

/// The upstream response headers to send to the client.
pub fn downstream_response(upstream: &HeaderMap) -> HeaderMap {
    let listed = connection_listed(upstream);
    let mut out = HeaderMap::new();
    for (name, value) in upstream {
        // hyper writes its own Date and Server-independent framing.
        if !is_hop_by_hop(name, &listed) && name != http::header::DATE {
            out.append(name.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests;
