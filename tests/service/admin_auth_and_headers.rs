//! Admin key on the admin endpoints; the monitoring headers on every response.

use std::collections::HashSet;
use std::sync::Arc;

use regex::Regex;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::config::Secret;
use spacewatch::telemetry::SystemClock;

use crate::support::{Harness, tenant};

const ADMIN: &str = "admin-key-0123456789abcdef";
const ADMIN_PATHS: [&str; 4] = [
    "/metrics/operations",
    "/logs/operations",
    "/stats",
    "/admin/api/mission-control",
];

fn key(k: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-API-Key", HeaderValue::from_str(k).unwrap());
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_endpoints_need_the_key() {
    let h = Harness::start_with(
        |s| {
            s.api_key = Some(Secret::new(ADMIN));
            // 12 wrong keys below: more than the default lock-out allows one client.
            s.knobs.admin_key_failure_burst = 100;
        },
        Arc::new(SystemClock),
    )
    .await;
    for path in ADMIN_PATHS {
        for given in [
            HeaderMap::new(),
            key("wrong"),
            key(&ADMIN[..ADMIN.len() - 1]),
        ] {
            let r = h.get(path, given).await;
            assert_eq!(r.status(), 401, "{path}");
            let body: Value = r.json().await.unwrap();
            assert!(
                body["detail"].as_str().unwrap().contains("X-API-Key"),
                "{path}"
            );
        }
        let r = h.get(path, key(ADMIN)).await;
        assert_ne!(r.status(), 401, "{path} with the key");
    }
    for path in ["/metrics/operations", "/logs/operations", "/stats"] {
        assert_eq!(h.get(path, key(ADMIN)).await.status(), 200, "{path}");
    }
    // Public endpoints stay public; tenant tools need no admin key.
    assert_eq!(h.get("/health", HeaderMap::new()).await.status(), 200);
    assert_eq!(h.get("/metrics", HeaderMap::new()).await.status(), 200);
    assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    let health = h.json("/health").await;
    assert_eq!(health["api_key_protection"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_configured_key_admin_endpoints_are_open() {
    let h = Harness::start().await;
    for path in ["/metrics/operations", "/logs/operations", "/stats"] {
        assert_eq!(h.get(path, HeaderMap::new()).await.status(), 200, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_carries_the_monitoring_headers() {
    let h = Harness::start().await;
    let duration = Regex::new(r"^\d+\.\d{2}$").unwrap();
    let mut ids = HashSet::new();
    let cases: [(&str, HeaderMap, Option<&str>); 6] = [
        ("/health", HeaderMap::new(), None),
        ("/metrics", HeaderMap::new(), None),
        ("/no/such/route", HeaderMap::new(), None),
        ("/tools/buckets", tenant(), Some("LIST_BUCKETS")),
        (
            "/tools/list-all?bucket=nope-nope",
            tenant(),
            Some("LIST_OBJECTS"),
        ),
        // Refused before credentials: not an operation.
        ("/tools/list-all", HeaderMap::new(), None),
    ];
    for (path, headers, op) in cases {
        let r = h.get(path, headers).await;
        let hd = r.headers();
        let d = hd["x-request-duration-ms"].to_str().unwrap();
        assert!(duration.is_match(d), "{path}: {d}");
        assert!(
            ids.insert(hd["x-request-id"].to_str().unwrap().to_string()),
            "unique ids"
        );
        assert_eq!(
            hd.get("x-operation-type").map(|v| v.to_str().unwrap()),
            op,
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_ids_are_echoed_and_traces_continued() {
    let h = Harness::start().await;
    let mut hd = tenant();
    hd.insert("X-Request-Id", HeaderValue::from_static("my-trace-42"));
    hd.insert(
        "traceparent",
        HeaderValue::from_static("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
    );
    let r = h.get("/tools/buckets", hd).await;
    assert_eq!(r.headers()["x-request-id"], "my-trace-42");
    let header_ms: f64 = r.headers()["x-request-duration-ms"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let logs = h.json("/logs/operations").await;
    let e = &logs["logs"][0];
    assert_eq!(e["request_id"], "my-trace-42");
    assert_eq!(e["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
    // The header comes from the same record as the logged duration.
    assert!(
        (e["duration_ms"].as_f64().unwrap() - header_ms).abs() <= 0.0051,
        "{e} vs {header_ms}"
    );
    // An id with spaces or quotes is replaced, not echoed into logs.
    let mut bad = HeaderMap::new();
    bad.insert("X-Request-Id", HeaderValue::from_static("a \"b\""));
    let r = h.get("/health", bad).await;
    assert!(
        r.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req-")
    );
}
