//! No secret — tenant secret, wrong secrets, admin key — reaches a log line, a metric or
//! a response.

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use spacewatch::config::Secret;
use spacewatch::telemetry::SystemClock;
use spacewatch::telemetry::log::LogFormat;

use crate::support::{Harness, KEY, SECRET, tenant, tenant_with};

const ADMIN: &str = "ADMIN-KEY-9f8e7d6c5b4a";
const WRONG_SECRET: &str = "WRONG-SECRET-Kx81vQ";
const WRONG_ADMIN: &str = "WRONG-ADMIN-Yt55pL";

async fn collect(h: &Harness, path: &str, headers: HeaderMap, out: &mut String) {
    let r = h.get(path, headers).await;
    for (k, v) in r.headers() {
        out.push_str(&format!("{k}: {}\n", v.to_str().unwrap_or("")));
    }
    out.push_str(&r.text().await.unwrap());
    out.push('\n');
}

async fn run(format: LogFormat) {
    let h = Harness::start_with(
        move |s| {
            s.api_key = Some(Secret::new(ADMIN));
            s.log_format = format;
            s.knobs.slow_operation_ms = 0.0;
        },
        Arc::new(SystemClock),
    )
    .await;
    let admin = |k: &str| {
        let mut hd = HeaderMap::new();
        hd.insert("X-API-Key", HeaderValue::from_str(k).unwrap());
        hd
    };
    let mut seen = String::new();
    let wrong = tenant_with(KEY, WRONG_SECRET);
    let mut spaced = tenant();
    spaced.insert(
        "X-Spaces-Secret",
        HeaderValue::from_str(&format!("{WRONG_SECRET} x")).unwrap(),
    );
    for (path, hd) in [
        ("/tools/buckets", tenant()),
        ("/tools/list-all?bucket=alpha", tenant()),
        ("/tools/buckets", wrong.clone()),
        ("/tools/list-all?bucket=alpha", wrong),
        ("/tools/list-all?bucket=no-such-bucket", tenant()),
        ("/tools/buckets", spaced),
        ("/metrics/operations", admin(WRONG_ADMIN)),
        ("/metrics/operations", admin(ADMIN)),
        ("/logs/operations?limit=1000", admin(ADMIN)),
        ("/stats", admin(ADMIN)),
        ("/health", HeaderMap::new()),
        ("/metrics", HeaderMap::new()),
    ] {
        collect(&h, path, hd, &mut seen).await;
    }
    let logs = h.flush_logs().await;
    // Three operations (two listings and a missing bucket); the wrong and malformed
    // secrets were refused before they became operations, so they log nothing.
    let ops = logs.lines().filter(|l| l.contains("STORAGE_OP")).count();
    assert_eq!(ops, 3, "the operations were logged:\n{logs}");
    for secret in [SECRET, WRONG_SECRET, ADMIN, WRONG_ADMIN] {
        assert!(!logs.contains(secret), "{secret} in the logs ({format:?})");
        assert!(
            !seen.contains(secret),
            "{secret} in a response ({format:?})"
        );
    }
    // The tenant appears only as its fingerprint.
    assert!(
        !logs.contains(KEY) && !seen.contains(KEY),
        "the access key leaked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_human_logs_or_responses() {
    run(LogFormat::Human).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_in_json_logs_or_responses() {
    run(LogFormat::Json).await;
}
