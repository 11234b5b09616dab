//! Conservation: N mixed operations, some failing, are counted exactly N times in
//! /metrics, /metrics/operations, /logs/operations and the log lines — per type and status.
//! Requests refused before they became operations (no credentials, credentials the storage
//! rejected) are counted once as refused, and nowhere else.

use std::collections::BTreeMap;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use crate::support::{Harness, metric_sum, parse_metrics, put_many, tenant, tenant_with};

struct Call {
    path: &'static str,
    headers: HeaderMap,
    op: &'static str,
    status: u16,
    /// The refusal reason of a request that is no operation.
    refused: Option<&'static str>,
}

fn plan() -> Vec<Call> {
    let ok = tenant();
    let wrong = tenant_with(crate::support::KEY, "not-the-secret");
    let mut no_secret = HeaderMap::new();
    no_secret.insert("X-Spaces-Key", HeaderValue::from_static("K"));
    let c = |path, headers: &HeaderMap, op, status| Call {
        path,
        headers: headers.clone(),
        op,
        status,
        refused: match status {
            401 => Some("credentials_invalid"),
            400 if headers.get("X-Spaces-Secret").is_none() => Some("credentials_missing"),
            _ => None,
        },
    };
    vec![
        c("/tools/buckets", &ok, "LIST_BUCKETS", 200),
        c("/tools/list-all?bucket=alpha", &ok, "LIST_OBJECTS", 200),
        c(
            "/tools/list-all?bucket=beta&prefix=dir/",
            &ok,
            "LIST_OBJECTS",
            200,
        ),
        c("/tools/list-all?bucket=gamma", &ok, "LIST_OBJECTS", 200),
        c(
            "/tools/list-all?bucket=no-such-bucket",
            &ok,
            "LIST_OBJECTS",
            404,
        ),
        c("/tools/buckets", &wrong, "LIST_BUCKETS", 401),
        c("/tools/list-all?bucket=alpha", &wrong, "LIST_OBJECTS", 401),
        c("/tools/buckets", &no_secret, "LIST_BUCKETS", 400),
        c("/tools/list-all?bucket=Bad_Name", &ok, "LIST_OBJECTS", 400),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_is_counted_once_everywhere() {
    let h = Harness::start().await;
    put_many(&h.store, "beta", 250).await;
    let mut truth: BTreeMap<(&str, u16), u64> = BTreeMap::new();
    let mut refused: BTreeMap<&str, u64> = BTreeMap::new();
    let rounds = 7;
    for _ in 0..rounds {
        for call in plan() {
            let resp = h.get(call.path, call.headers.clone()).await;
            assert_eq!(resp.status().as_u16(), call.status, "{}", call.path);
            assert_eq!(
                resp.headers().contains_key("x-operation-type"),
                call.refused.is_none(),
                "{}: only operations carry X-Operation-Type",
                call.path
            );
            match call.refused {
                Some(why) => *refused.entry(why).or_default() += 1,
                None => *truth.entry((call.op, call.status)).or_default() += 1,
            }
        }
    }
    let n: u64 = truth.values().sum();
    let errors: u64 = truth
        .iter()
        .filter(|((_, s), _)| *s >= 400)
        .map(|(_, c)| c)
        .sum();
    assert_eq!(n, rounds * 6);
    assert_eq!(refused.values().sum::<u64>(), rounds * 3);
    let log_text = h.flush_logs().await;

    check_prometheus(&h, &truth).await;
    check_refused(&h, &refused).await;
    check_operations(&h, &truth, n, errors).await;
    check_logs(&h, &truth, n, errors).await;
    let lines = log_text
        .lines()
        .filter(|l| l.contains("] STORAGE_OP: ") || l.contains("] STORAGE_OP_ERROR: "))
        .count() as u64;
    assert_eq!(lines, n, "one log line per operation");
    let error_lines = log_text
        .lines()
        .filter(|l| l.contains("[ERROR] STORAGE_OP_ERROR: "))
        .count();
    assert_eq!(error_lines as u64, errors);
}

fn class(status: u16) -> &'static str {
    match status {
        200..=299 => "2xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

async fn check_prometheus(h: &Harness, truth: &BTreeMap<(&str, u16), u64>) {
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    let mut by_class: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for ((op, status), c) in truth {
        *by_class.entry((op, class(*status))).or_default() += c;
    }
    for op in ["LIST_BUCKETS", "LIST_OBJECTS"] {
        for cls in ["2xx", "3xx", "4xx", "5xx"] {
            let got = metric_sum(
                &samples,
                "spacewatch_operations_total",
                &[("operation", op), ("status_class", cls)],
            );
            let want = by_class.get(&(op, cls)).copied().unwrap_or(0);
            assert_eq!(got as u64, want, "{op} {cls}");
        }
        let per_op: u64 = truth
            .iter()
            .filter(|((o, _), _)| o == &op)
            .map(|(_, c)| c)
            .sum();
        let count = metric_sum(
            &samples,
            "spacewatch_operation_duration_seconds_count",
            &[("operation", op)],
        );
        assert_eq!(count as u64, per_op, "{op} histogram count");
    }
    // Page loads and scrapes are not operations.
    let all = metric_sum(&samples, "spacewatch_operations_total", &[]);
    assert_eq!(all as u64, truth.values().sum::<u64>());
    // Only the successful buckets got a label; the failing names folded into __other__.
    let alpha = metric_sum(
        &samples,
        "spacewatch_bucket_operations_total",
        &[("bucket", "alpha")],
    );
    assert_eq!(
        alpha as u64, 7,
        "7 ok; the 7 with a wrong secret never reached alpha"
    );
    let other = metric_sum(
        &samples,
        "spacewatch_bucket_operations_total",
        &[("bucket", "__other__")],
    );
    assert_eq!(
        other as u64, 0,
        "a bucket that failed access is not attributed"
    );
    assert!(
        !text.contains("no-such-bucket"),
        "a failing bucket name became a label"
    );
}

async fn check_refused(h: &Harness, refused: &BTreeMap<&str, u64>) {
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    for why in ["credentials_missing", "credentials_invalid", "admin_key"] {
        let got = metric_sum(
            &samples,
            "spacewatch_refused_requests_total",
            &[("reason", why)],
        );
        assert_eq!(got as u64, refused.get(why).copied().unwrap_or(0), "{why}");
    }
}

async fn check_operations(h: &Harness, truth: &BTreeMap<(&str, u16), u64>, n: u64, errors: u64) {
    let v = h.json("/metrics/operations").await;
    let cur = &v["current_5m"];
    assert_eq!(cur["total_operations_5m"], n);
    assert_eq!(cur["error_operations_5m"], errors);
    assert_eq!(v["trends"]["operations_last_1h"], n);
    assert_eq!(v["trends"]["operations_last_24h"], n);
    assert_eq!(v["total_operations_tracked"], n);
    let rate = cur["error_rate_percent"].as_f64().unwrap();
    assert!((rate - errors as f64 * 100.0 / n as f64).abs() < 1e-3);
    for op in ["LIST_BUCKETS", "LIST_OBJECTS"] {
        let want: u64 = truth
            .iter()
            .filter(|((o, _), _)| o == &op)
            .map(|(_, c)| c)
            .sum();
        let want_err: u64 = truth
            .iter()
            .filter(|((o, s), _)| o == &op && *s >= 400)
            .map(|(_, c)| c)
            .sum();
        let b = &cur["operation_breakdown"][op];
        assert_eq!(b["request_count"], want, "{op}");
        assert_eq!(b["error_count"], want_err, "{op}");
    }
    let health = h.json("/health").await;
    assert_eq!(health["storage_metrics"]["total_operations_5m"], n);
    assert_eq!(
        health["status"], "unhealthy",
        "error rate is far above 10 %"
    );
}

async fn check_logs(h: &Harness, truth: &BTreeMap<(&str, u16), u64>, n: u64, errors: u64) {
    let v = h.json("/logs/operations?limit=1000").await;
    assert_eq!(v["count"], n);
    let logs = v["logs"].as_array().unwrap();
    let mut seen: BTreeMap<(String, u16), u64> = BTreeMap::new();
    for e in logs {
        let key = (
            e["operation_type"].as_str().unwrap().to_string(),
            e["status_code"].as_u64().unwrap() as u16,
        );
        *seen.entry(key).or_default() += 1;
    }
    let want: BTreeMap<(String, u16), u64> = truth
        .iter()
        .map(|((o, s), c)| ((o.to_string(), *s), *c))
        .collect();
    assert_eq!(seen, want);
    let errs = h.json("/logs/operations?limit=1000&status=error").await;
    assert_eq!(errs["count"], errors);
    let ok = h.json("/logs/operations?limit=1000&status=ok").await;
    assert_eq!(ok["count"], n - errors);
    let lb = h
        .json("/logs/operations?limit=1000&operation_type=LIST_BUCKETS")
        .await;
    let want_lb: u64 = truth
        .iter()
        .filter(|((o, _), _)| *o == "LIST_BUCKETS")
        .map(|(_, c)| c)
        .sum();
    assert_eq!(lb["count"], want_lb);
    let alpha = h.json("/logs/operations?bucket=alpha&limit=1000").await;
    assert_eq!(alpha["count"], 7, "7 ok; wrong secrets are no operations");
    let newest: Vec<&Value> = logs.iter().take(2).collect();
    assert!(
        newest[0]["timestamp"].as_str() >= newest[1]["timestamp"].as_str(),
        "newest first"
    );
    let nf = logs.iter().find(|e| e["status_code"] == 404).unwrap();
    assert_eq!(nf["error"], "Bucket not found");
    // Access failed: the record names the bucket, no figure counts it.
    assert_eq!(nf["bucket"], "no-such-bucket");
    let ops = h.json("/metrics/operations").await;
    assert!(
        ops["bucket_analytics"].get("no-such-bucket").is_none(),
        "access failed: no bucket attributed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_walks_every_page() {
    let h = Harness::start().await;
    put_many(&h.store, "beta", 1205).await;
    let v: Value = h
        .get("/tools/list-all?bucket=beta", tenant())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["count"], 1205, "more than one ListObjectsV2 page of 1000");
    assert_eq!(v["returned"], 200);
    assert_eq!(v["truncated"], true);
    let bytes: u64 = (0..1205u64).map(|i| 100 + i).sum();
    assert_eq!(v["total_bytes"], bytes);
    assert_eq!(v["objects"].as_array().unwrap().len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_request_is_never_an_operation() {
    let h = Harness::start_with(
        |s| {
            s.knobs.rate_limit_rps = 0.5;
            s.knobs.rate_limit_burst = 3;
        },
        std::sync::Arc::new(spacewatch::telemetry::SystemClock),
    )
    .await;
    let mut served = 0;
    let mut limited = 0;
    for _ in 0..8 {
        let r = h.get("/tools/buckets", tenant()).await;
        match r.status().as_u16() {
            200 => served += 1,
            429 => {
                limited += 1;
                assert!(r.headers().contains_key("retry-after"));
                assert!(!r.headers().contains_key("x-operation-type"));
                let body: Value = r.json().await.unwrap();
                assert!(body["detail"].as_str().unwrap().contains("Rate limit"));
            }
            s => panic!("unexpected {s}"),
        }
    }
    assert_eq!(served, 3);
    assert_eq!(limited, 5);
    let v = h.json("/metrics/operations").await;
    assert_eq!(v["current_5m"]["total_operations_5m"], 3);
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let s = parse_metrics(&text);
    assert_eq!(
        metric_sum(
            &s,
            "spacewatch_rate_limited_requests_total",
            &[("scope", "api")]
        ),
        5.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_rate_limited_request_is_never_an_operation() {
    let h = Harness::start_with(
        |s| {
            s.knobs.gateway_rate_limit_rps = 0.5;
            s.knobs.gateway_rate_limit_burst = 3;
        },
        std::sync::Arc::new(spacewatch::telemetry::SystemClock),
    )
    .await;
    let (mut served, mut limited) = (0, 0);
    // Bucket listings, object listings and object reads share the one gateway bucket.
    for path in ["/s3/", "/s3/alpha", "/s3/alpha/nope.txt"].repeat(3) {
        let r = h.get(path, tenant()).await;
        match r.status().as_u16() {
            200 | 404 => served += 1,
            429 => {
                limited += 1;
                assert!(r.headers().contains_key("retry-after"));
                assert!(!r.headers().contains_key("x-operation-type"));
                // An S3 client reads the refusal as S3's own throttling error.
                let body = r.text().await.unwrap();
                assert!(body.contains("<Code>SlowDown</Code>"), "{body}");
                assert!(body.contains("Rate limit"), "{body}");
            }
            s => panic!("unexpected {s} for {path}"),
        }
    }
    assert_eq!((served, limited), (3, 6));
    // The API's own limit is another bucket: a tool call is still served.
    assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    let v = h.json("/metrics/operations").await;
    assert_eq!(v["current_5m"]["total_operations_5m"], 4);
    let text = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    let s = parse_metrics(&text);
    let scope = |scope| {
        metric_sum(
            &s,
            "spacewatch_rate_limited_requests_total",
            &[("scope", scope)],
        )
    };
    assert_eq!((scope("gateway"), scope("api")), (6.0, 0.0));
}
