use super::*;

fn map(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(*k, v.parse().unwrap());
    }
    h
}

#[test]
fn every_client_header_goes_upstream_but_the_signature_and_our_own() {
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
        ("x-amz-copy-source", "/alpha/src.bin"),
        ("x-amz-metadata-directive", "REPLACE"),
        ("x-amz-date", "20240101T000000Z"),
        ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        ("x-amz-grant-read", "id=abc"),
        ("x-request-id", "mine"),
        ("user-agent", "aws-cli/2"),
    ]);
    let up = upstream_request(&h);
    let names: Vec<&str> = up.keys().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "range",
            "x-amz-meta-owner",
            "content-length",
            "x-amz-copy-source",
            "x-amz-metadata-directive",
            "x-amz-grant-read",
            "user-agent",
        ]
    );
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
