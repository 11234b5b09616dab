//! Item 4: keys and prefixes with `.`/`..` segments (and anything else a path-minded store
//! or proxy would normalise) reached another bucket than the one checked. Each is a 400
//! now, and the store shows nothing was read or written.

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

use super::{get, headers, now, put, rig, served};
use crate::hostile_logs;
use crate::support::{Harness, s3_client};

/// `s` as a query value.
fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Keys of `alpha`'s objects, reached through `logs` by a key that climbs out of it.
const ESCAPING_KEYS: [&str; 8] = [
    "../alpha/dir/obj-0000",
    "access/../../alpha/dir/obj-0000",
    "%2e%2e/alpha/dir/obj-0000",
    ".%2E/alpha/dir/obj-0000",
    "./../alpha/dir/obj-0000",
    "/alpha/dir/obj-0000",
    "access//../alpha/dir/obj-0000",
    "access/x\u{0}/../../alpha/dir/obj-0000",
];

const ESCAPING_PREFIXES: [&str; 5] = [
    "../alpha/",
    "access/../../alpha/",
    "%2E%2E/alpha/",
    "/alpha/",
    "access//",
];

async fn alpha_keys(h: &Harness) -> Vec<String> {
    let listed = s3_client(&h.store)
        .list_objects_v2()
        .bucket("alpha")
        .send()
        .await
        .unwrap();
    listed
        .contents()
        .iter()
        .map(|o| o.key().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_key_that_leaves_the_log_bucket_is_a_400_and_nothing_is_read() {
    let h = rig(|_| {}).await;
    let text = hostile_logs::distinct_buckets(3, now());
    put(
        &h,
        "logs",
        "access/2024-01-01-00-00-00-A",
        text.into_bytes(),
    )
    .await;
    let (status, ok) = get(
        &h,
        "/logs/access/read?key=access/2024-01-01-00-00-00-A",
        headers(),
    )
    .await;
    assert_eq!((status, ok["total_lines"].as_u64()), (200, Some(3)), "{ok}");
    let gets = served(&h, "GetObject");
    for key in ESCAPING_KEYS {
        let (status, v) = get(
            &h,
            &format!("/logs/access/read?key={}", enc(key)),
            headers(),
        )
        .await;
        assert_eq!(status, 400, "{key:?}: {v}");
        assert!(v["detail"].as_str().unwrap().contains("'key'"), "{v}");
    }
    assert_eq!(
        served(&h, "GetObject"),
        gets,
        "nothing was read from the store"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_or_metrics_prefix_that_leaves_its_bucket_is_a_400_and_nothing_is_touched() {
    let h = rig(|_| {}).await;
    let before = alpha_keys(&h).await;
    let (lists, gets, puts) = (
        served(&h, "ListObjectsV2"),
        served(&h, "GetObject"),
        served(&h, "PutObject"),
    );
    let with = |name: &'static str, value: &str| {
        let mut hd = headers();
        hd.insert(name, HeaderValue::from_str(value).unwrap());
        hd
    };
    for p in ESCAPING_PREFIXES {
        for path in [
            "/logs/access/files",
            "/logs/access/search",
            "/logs/access/request-metrics",
            "/metrics/top-ips",
        ] {
            let (status, v) = get(&h, path, with("X-Log-Prefix", p)).await;
            assert_eq!(status, 400, "X-Log-Prefix {p:?} on {path}: {v}");
            assert!(
                v["detail"].as_str().unwrap().contains("X-Log-Prefix"),
                "{v}"
            );
        }
        let r = h
            .http
            .post(h.url("/metrics/snapshot?source_bucket=alpha"))
            .headers(with("X-Metrics-Prefix", &format!("{p}pwned/")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "X-Metrics-Prefix {p:?}");
        let (status, _) = get(&h, "/metrics/sources", with("X-Metrics-Prefix", p)).await;
        assert_eq!(status, 400, "X-Metrics-Prefix {p:?} on /metrics/sources");
        let q = enc(p);
        let r = h
            .http
            .post(h.url(&format!(
                "/metrics/snapshot?source_bucket=alpha&source_prefix={q}"
            )))
            .headers(headers())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "source_prefix {p:?}");
        let tool = format!("/tools/list-all?bucket=alpha&prefix={q}");
        let (status, _) = get(&h, &tool, crate::support::tenant()).await;
        assert_eq!(status, 400, "{tool}");
    }
    assert_eq!(
        (
            served(&h, "ListObjectsV2"),
            served(&h, "GetObject"),
            served(&h, "PutObject")
        ),
        (lists, gets, puts),
        "the store saw no call"
    );
    assert_eq!(alpha_keys(&h).await, before, "nothing was written to alpha");
}

/// One JSON-RPC call to `/mcp`.
async fn mcp(h: &Harness, headers: HeaderMap, id: u64, method: &str, params: Value) -> Value {
    let resp = h
        .http
        .post(h.url("/mcp"))
        .headers(headers)
        .header("Accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
        .send()
        .await
        .unwrap();
    let text = resp.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON: {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mcp_log_reader_refuses_the_same_keys_and_reads_nothing() {
    let h = rig(|_| {}).await;
    let tenant = headers();
    let init = json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}});
    mcp(&h, tenant.clone(), 1, "initialize", init).await;
    let gets = served(&h, "GetObject");
    for (i, key) in ESCAPING_KEYS.iter().enumerate() {
        let args = json!({"name": "read_access_log", "arguments": {"key": key}});
        let v = mcp(&h, tenant.clone(), 2 + i as u64, "tools/call", args).await;
        let result = &v["result"];
        assert_eq!(result["isError"], true, "{key:?}: {v}");
        let text = result["content"][0]["text"].as_str().unwrap_or_default();
        assert!(text.contains("'key'"), "{key:?}: {text}");
    }
    assert_eq!(
        served(&h, "GetObject"),
        gets,
        "nothing was read from the store"
    );
}
