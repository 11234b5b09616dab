//! Which headers cross the gateway, in each direction.
//!
//! Requests: only headers S3 understands for these operations (content, conditional,
//! range, metadata, checksums, encryption). The client's own signature, host, and
//! SpaceWatch's credential headers never go upstream. Responses: everything but
//! hop-by-hop headers. Hop-by-hop headers never cross in either direction.

use http::{HeaderMap, HeaderName};

const REQUEST_HEADERS: [&str; 19] = [
    "content-type",
    "content-length",
    "content-md5",
    "content-encoding",
    "content-disposition",
    "content-language",
    "cache-control",
    "expires",
    "range",
    "if-match",
    "if-none-match",
    "if-modified-since",
    "if-unmodified-since",
    "x-amz-acl",
    "x-amz-storage-class",
    "x-amz-tagging",
    "x-amz-sdk-checksum-algorithm",
    "x-amz-trailer",
    "x-amz-decoded-content-length",
];

const REQUEST_PREFIXES: [&str; 3] = [
    "x-amz-meta-",
    "x-amz-checksum-",
    "x-amz-server-side-encryption",
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

/// The client headers to send upstream.
pub fn upstream_request(incoming: &HeaderMap) -> HeaderMap {
    let listed = connection_listed(incoming);
    let mut out = HeaderMap::new();
    for (name, value) in incoming {
        let n = name.as_str();
        let wanted =
            REQUEST_HEADERS.contains(&n) || REQUEST_PREFIXES.iter().any(|p| n.starts_with(p));
        if wanted && !is_hop_by_hop(name, &listed) {
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
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn only_s3_headers_go_upstream() {
        let h = map(&[
            ("range", "bytes=0-9"),
            ("x-amz-meta-owner", "me"),
            ("authorization", "AWS4-HMAC-SHA256 ..."),
            ("x-spaces-secret", "s"),
            ("x-api-key", "k"),
            ("host", "gateway"),
            ("connection", "keep-alive, x-amz-meta-secret"),
            ("x-amz-meta-secret", "hop"),
            ("transfer-encoding", "chunked"),
            ("content-length", "10"),
        ]);
        let up = upstream_request(&h);
        let names: Vec<&str> = up.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["range", "x-amz-meta-owner", "content-length"]);
    }

    #[test]
    fn responses_lose_only_hop_by_hop_headers() {
        let h = map(&[
            ("etag", "\"abc\""),
            ("content-range", "bytes 0-9/100"),
            ("connection", "close"),
            ("keep-alive", "timeout=5"),
            ("x-amz-request-id", "1"),
        ]);
        let down = downstream_response(&h);
        let names: Vec<&str> = down.keys().map(|k| k.as_str()).collect();
        assert_eq!(names, ["etag", "content-range", "x-amz-request-id"]);
    }
}
