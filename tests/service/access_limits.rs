//! Who may read what, and how often: `/metrics` behind a bearer token, the bucket label
//! dropped, wrong admin keys limited per client and key (the right key never locked out),
//! and clients told apart behind a trusted proxy (IPv6 by /64).

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::config::{MetricsAuth, Secret};
use spacewatch::telemetry::SystemClock;

use crate::support::{Harness, tenant};

const ADMIN: &str = "admin-key-0123456789abcdef";

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(*k, HeaderValue::from_str(v).unwrap());
    }
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_can_require_the_bearer_token() {
    let h = Harness::start_with(
        |s| {
            s.api_key = Some(Secret::new(ADMIN));
            s.metrics_auth = MetricsAuth::Bearer;
        },
        Arc::new(SystemClock),
    )
    .await;
    let r = h.get("/metrics", HeaderMap::new()).await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer realm=\"spacewatch\""
    );
    let wrong = headers(&[("Authorization", "Bearer not-the-key")]);
    assert_eq!(h.get("/metrics", wrong).await.status(), 401);
    let right = headers(&[("Authorization", &format!("Bearer {ADMIN}"))]);
    let r = h.get("/metrics", right).await;
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("spacewatch_build_info"));
    // The rest of the public surface stays public.
    assert_eq!(h.get("/health", HeaderMap::new()).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_bucket_labels_zero_drops_the_bucket_label() {
    let h = Harness::start_with(|s| s.knobs.max_bucket_labels = 0, Arc::new(SystemClock)).await;
    assert_eq!(
        h.get("/tools/list-all?bucket=alpha", tenant())
            .await
            .status(),
        200
    );
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.contains("bucket=\""), "a bucket label was exported");
    assert!(
        text.contains("spacewatch_operations_total{"),
        "the rest is there"
    );
    // The admin analytics still see the bucket.
    let v = h.json("/metrics/operations").await;
    assert_eq!(v["bucket_analytics"]["alpha"]["operation_count"], 1);
}

/// Issue 18, item 8: wrong keys are limited per client *and presented key*; the right key
/// is never locked out, not even from the address that sent the wrong ones (behind one
/// proxy, every client may be that address).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_admin_keys_are_limited_but_the_right_key_is_never_locked_out() {
    let h = Harness::start_with(
        |s| {
            s.api_key = Some(Secret::new(ADMIN));
            s.trusted_proxies = vec!["127.0.0.1".into()];
        },
        Arc::new(SystemClock),
    )
    .await;
    let from = |xff: &'static str, k: &str| headers(&[("X-API-Key", k), ("X-Forwarded-For", xff)]);
    let client = "198.51.100.7";
    // Twelve different wrong keys: each a 401; then the right key passes.
    for i in 0..12 {
        let r = h.get("/stats", from(client, &format!("guess-{i}"))).await;
        assert_eq!(r.status(), 401, "guess {i}");
    }
    assert_eq!(h.get("/stats", from(client, ADMIN)).await.status(), 200);
    // One wrong key sent over and over: ten 401s, then 429 for that key only.
    for i in 0..10 {
        let r = h.get("/stats", from(client, "stale-key")).await;
        assert_eq!(r.status(), 401, "try {i}");
    }
    let r = h.get("/stats", from(client, "stale-key")).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    let v: Value = r.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().contains("wrong key"), "{v}");
    assert_eq!(
        h.get("/stats", from(client, ADMIN)).await.status(),
        200,
        "the right key, from the same client, right after"
    );
    // Another client with the same stale key has its own bucket.
    let r = h.get("/stats", from("198.51.100.8", "stale-key")).await;
    assert_eq!(r.status(), 401);
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let s = crate::support::parse_metrics(&text);
    let refused = crate::support::metric_sum(
        &s,
        "spacewatch_refused_requests_total",
        &[("reason", "admin_key")],
    );
    assert_eq!(
        refused,
        12.0 + 11.0 + 1.0,
        "every refused attempt, counted once"
    );
}

async fn statuses(h: &Harness, xff: &'static str) -> u16 {
    let mut hd = tenant();
    hd.insert("X-Forwarded-For", HeaderValue::from_static(xff));
    h.get("/tools/buckets", hd).await.status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_clients_are_told_apart_only_behind_a_trusted_proxy() {
    let limited = |trust: bool| {
        move |s: &mut spacewatch::config::Settings| {
            s.knobs.rate_limit_rps = 0.01;
            s.knobs.rate_limit_burst = 2;
            if trust {
                s.trusted_proxies = vec!["127.0.0.1".into()];
            }
        }
    };
    // Behind the trusted proxy: each forwarded client has its own bucket; the addresses
    // of one IPv6 /64 share one.
    let h = Harness::start_with(limited(true), Arc::new(SystemClock)).await;
    for xff in ["203.0.113.1", "203.0.113.2", "2001:db8:0:1::1"] {
        assert_eq!(statuses(&h, xff).await, 200);
        assert_eq!(statuses(&h, xff).await, 200);
    }
    assert_eq!(statuses(&h, "203.0.113.1").await, 429);
    assert_eq!(statuses(&h, "2001:db8:0:1::ffff").await, 429, "same /64");
    assert_eq!(statuses(&h, "2001:db8:0:2::1").await, 200, "another /64");
    // Without trust, the header is ignored: every request is the peer's.
    let h = Harness::start_with(limited(false), Arc::new(SystemClock)).await;
    assert_eq!(statuses(&h, "203.0.113.1").await, 200);
    assert_eq!(statuses(&h, "203.0.113.2").await, 200);
    assert_eq!(statuses(&h, "203.0.113.3").await, 429);
}
