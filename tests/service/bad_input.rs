//! Bad input gets a 400 (or 404/405) JSON error that names the problem; the server keeps
//! serving.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::telemetry::SystemClock;

use crate::support::{Harness, KEY, SECRET, tenant};

async fn error(h: &Harness, path: &str, headers: HeaderMap, status: u16) -> String {
    let r = h.get(path, headers).await;
    assert_eq!(r.status().as_u16(), status, "{path}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v: Value = r.json().await.unwrap();
    v["detail"].as_str().expect("detail").to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_headers_are_checked() {
    let h = Harness::start().await;
    let detail = error(&h, "/tools/buckets", HeaderMap::new(), 400).await;
    assert!(detail.contains("X-Spaces-Key"), "{detail}");
    let mut only_key = HeaderMap::new();
    only_key.insert("X-Spaces-Key", HeaderValue::from_static(KEY));
    let detail = error(&h, "/tools/buckets", only_key, 400).await;
    assert!(detail.contains("X-Spaces-Secret"), "{detail}");
    let mut latin1 = tenant();
    latin1.insert("X-Spaces-Key", HeaderValue::from_bytes(b"k\xe9y").unwrap());
    let detail = error(&h, "/tools/buckets", latin1, 400).await;
    assert!(
        detail.contains("X-Spaces-Key") && detail.contains("malformed"),
        "{detail}"
    );
    let mut region = tenant();
    region.insert("X-Region", HeaderValue::from_static("NYC 3"));
    assert!(
        error(&h, "/tools/buckets", region, 400)
            .await
            .contains("X-Region")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_allowed_endpoints_are_reached() {
    let h = Harness::start().await;
    for bad in [
        "https://evil.example.com",
        "http://169.254.169.254",
        "http://127.0.0.1:1",
        "not a url",
        "https://user:pw@nyc3.digitaloceanspaces.com",
    ] {
        let mut hd = tenant();
        hd.insert("X-Endpoint", HeaderValue::from_str(bad).unwrap());
        let detail = error(&h, "/tools/buckets", hd, 400).await;
        assert!(detail.contains("X-Endpoint"), "{bad}: {detail}");
    }
    // The configured endpoint, named explicitly, is allowed.
    let mut hd = tenant();
    hd.insert(
        "X-Endpoint",
        HeaderValue::from_str(&h.store.endpoint()).unwrap(),
    );
    assert_eq!(h.get("/tools/buckets", hd).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allow_endpoint_entry_opens_exactly_that_endpoint() {
    let other = spacewatch::demo::DemoStore::start(KEY, SECRET)
        .await
        .unwrap();
    let endpoint = other.endpoint();
    let h = Harness::start_with(
        move |s| s.allow_endpoints = vec![endpoint],
        Arc::new(SystemClock),
    )
    .await;
    let mut hd = tenant();
    hd.insert(
        "X-Endpoint",
        HeaderValue::from_str(&other.endpoint()).unwrap(),
    );
    let v: Value = h.get("/tools/buckets", hd).await.json().await.unwrap();
    assert_eq!(
        v["count"], 0,
        "the second store is empty: the request went there"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_parameters_are_validated() {
    let h = Harness::start().await;
    let cases = [
        ("/logs/operations?limit=abc", "'limit'"),
        ("/logs/operations?limit=0", "'limit'"),
        ("/logs/operations?limit=1001", "'limit'"),
        ("/logs/operations?min_duration_ms=-1", "'min_duration_ms'"),
        ("/logs/operations?min_duration_ms=NaN", "'min_duration_ms'"),
        ("/logs/operations?operation_type=FOO", "operation_type"),
        ("/logs/operations?status=maybe", "'status'"),
        ("/logs/operations?bucket=Not_A_Bucket", "'bucket'"),
    ];
    for (path, needle) in cases {
        let detail = error(&h, path, HeaderMap::new(), 400).await;
        assert!(detail.contains(needle), "{path}: {detail}");
    }
    let detail = error(&h, "/tools/list-all", tenant(), 400).await;
    assert!(detail.contains("'bucket'"), "{detail}");
    let detail = error(&h, "/tools/list-all?bucket=..", tenant(), 400).await;
    assert!(detail.contains("'bucket'"), "{detail}");
    assert_eq!(error(&h, "/nope", HeaderMap::new(), 404).await, "Not Found");
    let r = h.http.delete(h.url("/health")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["detail"], "Method Not Allowed");
    // Lower-case operation types are accepted.
    assert_eq!(
        h.get(
            "/logs/operations?operation_type=list_objects",
            HeaderMap::new()
        )
        .await
        .status(),
        200
    );
    // And the server is still serving.
    assert_eq!(h.json("/health").await["ok"], true);
}
