//! The table of hostile inputs: generic variants thrown at every route, then the
//! parameters, ranges, aws-chunked bodies and paths of particular routes.

use super::request::{Auth, ROUTES, Req};
use super::{Case, Expect, case};

/// Headers SpaceWatch reads somewhere (and a few it passes on), for non-UTF-8 values.
const READ_HEADERS: &[&str] = &[
    "X-Spaces-Key",
    "X-Spaces-Secret",
    "X-Endpoint",
    "X-Region",
    "X-Log-Bucket",
    "X-Metrics-Bucket",
    "X-Log-Prefix",
    "X-API-Key",
    "Authorization",
    "X-Forwarded-For",
    "Forwarded",
    "X-Request-Id",
    "traceparent",
    "Range",
    "x-amz-content-sha256",
    "Content-Type",
    "If-None-Match",
    "User-Agent",
    "Origin",
];

/// Whether a bad value of `header` must make `auth`'s route refuse the request.
fn refuses_bad(header: &str, auth: Auth) -> bool {
    match auth {
        // Every header the credentials are read from.
        Auth::Tenant => {
            header.starts_with("X-Spaces-")
                || header.starts_with("X-Log-")
                || ["X-Endpoint", "X-Region", "X-Metrics-Bucket"].contains(&header)
        }
        Auth::Admin => header == "X-API-Key",
        Auth::Bearer => header == "Authorization",
        Auth::Public => false,
    }
}

/// Whether the route reads the request body (so a body that never comes must end it).
fn reads_body(method: &str, target: &str) -> bool {
    method == "PUT" || target == "/chat" || target == "/mcp"
}

/// The hostile variants every route gets.
fn generic_cases(method: &str, target: &str, auth: Auth) -> Vec<Case> {
    use Expect::*;
    let base = || Req::of(method, target, auth);
    let at = |what: &str| format!("{method} {target}: {what}");
    let guarded = auth != Auth::Public;
    let mut cases = vec![
        case(
            at("64 KiB header"),
            base().with("X-Junk", "a".repeat(64 << 10)),
            Any,
        ),
        case(
            at("1 MiB header"),
            base().with("X-Junk", "a".repeat(1 << 20)),
            Unparsed,
        ),
        case(
            at("150 headers"),
            (0..150).fold(base(), |r, i| r.also(&format!("X-J{i}"), "v")),
            Unparsed,
        ),
        case(at("huge query"), base().query(&"q=1&".repeat(15_000)), Any),
        case(
            at("bad percent query"),
            base().query("%ZZ=%&%FF=%FE%00"),
            Any,
        ),
        case(at("method FOO"), base().method("FOO"), Refused),
        case(at("method PATCH"), base().method("PATCH"), Refused),
        case(
            at("Content-Length overflow"),
            base().with("Content-Length", "99999999999999999999"),
            Unparsed,
        ),
        case(
            at("negative Content-Length"),
            base().with("Content-Length", "-1"),
            Unparsed,
        ),
        case(
            at("two Content-Lengths"),
            base()
                .with("Content-Length", "5")
                .also("content-length", "7"),
            Unparsed,
        ),
        case(
            at("Content-Length and chunked"),
            base()
                .with("Content-Length", "5")
                .also("Transfer-Encoding", "chunked"),
            // Transfer-Encoding wins and the Content-Length is dropped (RFC 9112 §6.3).
            Any,
        ),
        case(
            at("absurd Content-Length, short body"),
            {
                let mut r = base().with("Content-Length", "1099511627776");
                r.body = b"0123456789".to_vec();
                r
            },
            // Whatever reads the body (an upload, /chat, /mcp) gives up on it.
            if reads_body(method, target) {
                Refused
            } else {
                Any
            },
        ),
    ];
    for h in READ_HEADERS {
        let expect = if refuses_bad(h, auth) { Refused } else { Any };
        let bad = base().with(h, b"\xff\xfe bad \x80".as_slice());
        cases.push(case(at(&format!("non-UTF-8 {h}")), bad, expect));
    }
    if guarded {
        let (name, long) = match auth {
            Auth::Tenant => ("X-Spaces-Key", "K".repeat(8 << 10)),
            Auth::Admin => ("X-API-Key", "k".repeat(8 << 10)),
            _ => ("Authorization", format!("Bearer {}", "k".repeat(8 << 10))),
        };
        cases.push(case(
            at(&format!("8 KiB {name}")),
            base().with(name, long),
            Refused,
        ));
        let without = match auth {
            Auth::Tenant => base().without("X-Spaces-Key").without("X-Spaces-Secret"),
            _ => base().without("X-API-Key").without("Authorization"),
        };
        cases.push(case(at("no credentials"), without, Refused));
        let wrong = match auth {
            Auth::Tenant => base().with("X-Spaces-Secret", "wrong-secret"),
            Auth::Admin => base().with("X-API-Key", "wrong-admin-key-0000"),
            _ => base().with("Authorization", "Bearer wrong-admin-key-0000"),
        };
        // MCP's tools/list needs no storage call, so wrong credentials are only found out
        // by a tool call.
        let expect = if target == "/mcp" { Any } else { Refused };
        cases.push(case(at("wrong credentials"), wrong, expect));
    }
    if auth == Auth::Tenant {
        let long_secret = base().with("X-Spaces-Secret", "s".repeat(8 << 10));
        cases.push(case(at("8 KiB X-Spaces-Secret"), long_secret, Refused));
        let endpoint = base().with("X-Endpoint", format!("http://{}", "e".repeat(4000)));
        cases.push(case(at("4 KB X-Endpoint"), endpoint, Refused));
    }
    cases
}

/// Ranges the store judges (passed on, never a 5xx).
fn range_cases() -> Vec<Case> {
    let get = || Req::of("GET", "/s3/alpha/dir/obj-0000", Auth::Tenant);
    let many = (0..2000)
        .map(|i| format!("{i}-{i}"))
        .collect::<Vec<_>>()
        .join(",");
    [
        "bytes=99999999999999999999-".to_string(),
        "bytes=0-99999999999999999999".into(),
        "bytes=-99999999999999999999".into(),
        "bytes=5-1".into(),
        "bytes=abc".into(),
        "bytes=-0".into(),
        "bytes=1000-".into(),
        "items=0-1".into(),
        format!("bytes={many}"),
    ]
    .into_iter()
    .map(|r| {
        case(
            format!("Range {}", &r[..r.len().min(40)]),
            get().with("Range", r),
            Expect::Any,
        )
    })
    .collect()
}

/// aws-chunked uploads that are garbage, truncated, or lie about their size.
fn chunked_cases() -> Vec<Case> {
    let put = |decoded: &str, body: &[u8]| {
        Req::of("PUT", "/s3/alpha/chunked.bin", Auth::Tenant)
            .with("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
            .with("Content-Encoding", "aws-chunked")
            .with("x-amz-trailer", "x-amz-checksum-crc32")
            .with("x-amz-decoded-content-length", decoded)
            .body(body.to_vec())
    };
    let mut long_line = b"5;".to_vec();
    long_line.extend(vec![b'e'; 10_000]);
    long_line.extend_from_slice(b"\r\nhello\r\n0\r\n\r\n");
    let bodies: Vec<(&str, &str, Vec<u8>)> = vec![
        ("garbage", "5", b"zz\r\nhello\r\n".to_vec()),
        ("truncated: no last chunk", "5", b"5\r\nhello\r\n".to_vec()),
        ("truncated mid-chunk", "10", b"a\r\nhello".to_vec()),
        (
            "size overflow",
            "5",
            b"ffffffffffffffffffffff\r\nhello\r\n0\r\n\r\n".to_vec(),
        ),
        ("10 KB chunk line", "5", long_line),
        (
            "bad trailer line",
            "5",
            b"5\r\nhello\r\n0\r\nno colon here\r\n\r\n".to_vec(),
        ),
        ("binary junk", "5", (0..=255u8).cycle().take(4096).collect()),
        ("empty body", "5", Vec::new()),
        (
            "decoded length overflow",
            "99999999999999999999",
            b"0\r\n\r\n".to_vec(),
        ),
        ("decoded length negative", "-1", b"0\r\n\r\n".to_vec()),
        ("decoded length not a number", "five", b"0\r\n\r\n".to_vec()),
    ];
    let mut cases: Vec<Case> = bodies
        .into_iter()
        .map(|(what, decoded, body)| {
            case(
                format!("aws-chunked {what}"),
                put(decoded, &body),
                Expect::Refused,
            )
        })
        .collect();
    let no_decoded = put("5", b"5\r\nhello\r\n0\r\n\r\n").without("x-amz-decoded-content-length");
    cases.push(case(
        "aws-chunked without decoded length",
        no_decoded,
        Expect::Refused,
    ));
    let signed = put(
        "5",
        b"5;chunk-signature=zz\r\nhello\r\n0;chunk-signature=zz\r\n\r\n",
    )
    .with("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    cases.push(case(
        "signed aws-chunked with garbage signatures",
        signed,
        Expect::Any,
    ));
    let unknown = Req::of("PUT", "/s3/alpha/x.bin", Auth::Tenant)
        .with("x-amz-content-sha256", "NOT-A-PAYLOAD-KIND")
        .body(b"hello".to_vec());
    cases.push(case(
        "unknown x-amz-content-sha256",
        unknown,
        Expect::Refused,
    ));
    cases
}

/// Unknown routes, and paths with percent-encoding errors.
fn path_cases() -> Vec<Case> {
    use Expect::*;
    let mut cases = Vec::new();
    for t in [
        "/nope",
        "/s3x",
        "/tools",
        "/tools/unknown",
        "/metrics/operations/extra",
        "/%ZZ",
        "/%FF%FE",
        "//",
        "/health/",
        "/s3/alpha/%ZZ",
        "/s3/alpha/a%2",
        "/s3/alpha/%FF%FE",
        "/s3/alpha/%00",
        "/s3/alpha/%2E",
        "/s3/%FF/x",
        "/s3/ALPHA/x",
        "/s3/a/x",
        "/s3/alpha/dir/%2E%2E/%2E%2E/x",
        "/static/%FF%FE",
        "/static/nope.js",
        "/static/..%2Fdashboard.html",
        "/static/",
        "/api/ui-config/x",
    ] {
        let req = Req::of("GET", "/", Auth::Tenant).target(t);
        cases.push(case(format!("path {t}"), req, Refused));
    }
    let long_key = format!("/s3/alpha/{}", "k".repeat(1100));
    cases.push(case(
        "key over 1024 bytes",
        Req::of("GET", &long_key, Auth::Tenant),
        Refused,
    ));
    for m in ["OPTIONS", "TRACE", "PATCH", "CONNECT"] {
        cases.push(case(
            format!("{m} /health"),
            Req::of(m, "/health", Auth::Public),
            Refused,
        ));
    }
    cases.push(case(
        "POST /health",
        Req::of("POST", "/health", Auth::Public),
        Refused,
    ));
    cases.push(case(
        "PUT /tools/buckets",
        Req::of("PUT", "/tools/buckets", Auth::Tenant),
        Refused,
    ));
    cases.push(case(
        "POST /s3/alpha/k",
        Req::of("POST", "/s3/alpha/k", Auth::Tenant),
        Refused,
    ));
    cases
}

/// Every case of the sweep.
/// Browser origins `/mcp` does not accept (none is configured): refused before anything
/// else is read (the MCP specification's guard against DNS rebinding).
fn mcp_origin_cases() -> Vec<Case> {
    let mcp = || Req::of("POST", "/mcp", Auth::Tenant);
    [
        "http://evil.example".to_string(),
        "null".into(),
        "http://127.0.0.1:1".into(),
        format!("https://{}.example", "o".repeat(8 << 10)),
        "not an origin".into(),
    ]
    .into_iter()
    .map(|o| {
        case(
            format!("POST /mcp: Origin {}", &o[..o.len().min(40)]),
            mcp().with("Origin", o),
            Expect::Refused,
        )
    })
    .collect()
}

pub fn all() -> Vec<Case> {
    let mut cases: Vec<Case> = ROUTES
        .iter()
        .flat_map(|(m, t, a)| generic_cases(m, t, *a))
        .collect();
    cases.extend(super::params::all());
    cases.extend(range_cases());
    cases.extend(chunked_cases());
    cases.extend(path_cases());
    cases.extend(mcp_origin_cases());
    cases
}
