//! Every example of the seed document, run against the server, returns what the seed says.

use std::sync::Arc;

use regex::Regex;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::telemetry::SystemClock;

use crate::support::{Harness, s3_client, tenant};

async fn traffic(h: &Harness) {
    s3_client(&h.store)
        .create_bucket()
        .bucket("my-bucket")
        .send()
        .await
        .unwrap();
    for path in [
        "/tools/buckets",
        "/tools/list-all?bucket=my-bucket",
        "/tools/list-all?bucket=alpha",
        "/tools/list-all?bucket=logs-bucket",
    ] {
        h.get(path, tenant()).await;
    }
}

fn admin() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("X-API-Key", HeaderValue::from_static("your_key"));
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_analytics_example() {
    // curl -H "X-API-Key: your_key" http://localhost:8000/metrics/operations
    let h = Harness::start_with(
        |s| s.api_key = Some(spacewatch::config::Secret::new("your_key")),
        Arc::new(SystemClock),
    )
    .await;
    traffic(&h).await;
    let v: Value = h
        .get("/metrics/operations", admin())
        .await
        .json()
        .await
        .unwrap();
    // "Current 5-minute metrics, 1-hour and 24-hour trends, per-bucket analytics,
    //  operation type breakdown"
    assert_eq!(v["current_5m"]["total_operations_5m"], 4);
    assert_eq!(v["trends"]["operations_last_1h"], 4);
    assert_eq!(v["trends"]["operations_last_24h"], 4);
    let my = &v["bucket_analytics"]["my-bucket"];
    for k in [
        "operation_count",
        "error_count",
        "error_rate",
        "bytes_transferred",
        "avg_latency_ms",
        "p95",
    ] {
        assert!(my[k].is_number(), "bucket_analytics.{k}");
    }
    assert_eq!(my["operation_count"], 1);
    let b = &v["current_5m"]["operation_breakdown"];
    assert_eq!(b["LIST_OBJECTS"]["request_count"], 3);
    assert_eq!(b["LIST_BUCKETS"]["request_count"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operation_log_examples() {
    let h = Harness::start_with(
        |s| s.api_key = Some(spacewatch::config::Secret::new("your_key")),
        Arc::new(SystemClock),
    )
    .await;
    traffic(&h).await;
    let get = |q: &'static str| {
        let h = &h;
        async move {
            let r = h.get(&format!("/logs/operations{q}"), admin()).await;
            assert_eq!(r.status(), 200, "{q}");
            r.json::<Value>().await.unwrap()
        }
    };
    // Get all operations
    assert_eq!(get("").await["count"], 4);
    // Filter by operation type
    let v = get("?operation_type=LIST_OBJECTS").await;
    assert_eq!(v["count"], 3);
    assert!(
        v["logs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["operation_type"] == "LIST_OBJECTS")
    );
    // Find slow operations (>1 second): nothing here is that slow.
    let v = get("?min_duration_ms=1000").await;
    assert_eq!(v["count"], 0);
    assert_eq!(get("?min_duration_ms=0").await["count"], 4);
    // Filter by bucket
    let v = get("?bucket=my-bucket").await;
    assert_eq!(v["count"], 1);
    assert_eq!(v["logs"][0]["bucket"], "my-bucket");
    // View recent operation logs (limit)
    let v = get("?limit=2").await;
    assert_eq!(v["logs"].as_array().unwrap().len(), 2);
    for k in [
        "timestamp",
        "operation_type",
        "method",
        "endpoint",
        "bucket",
        "status_code",
        "duration_ms",
        "bytes_transferred",
        "success",
        "request_id",
        "error",
    ] {
        assert!(v["logs"][0].get(k).is_some(), "log entry field {k}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_examples() {
    let h = Harness::start().await;
    traffic(&h).await;
    let v = h.json("/health").await;
    // jq '.storage_metrics | {p50, p95, p99}'
    let m = &v["storage_metrics"];
    for k in ["p50", "p95", "p99"] {
        assert!(m[k].as_f64().unwrap() > 0.0, "{k}");
    }
    assert_eq!(m["p95"], m["latency_p95_ms"]);
    // jq '.storage_metrics.error_rate_percent': logs-bucket does not exist, 1 of 4.
    assert_eq!(m["error_rate_percent"].as_f64().unwrap(), 25.0);
    assert_eq!(m["success_rate_percent"].as_f64().unwrap(), 75.0);
    for k in [
        "total_operations_5m",
        "error_operations_5m",
        "operations_per_second",
        "total_bytes_transferred_5m",
        "bytes_per_second",
        "latency_p50_ms",
        "latency_p99_ms",
        "avg_latency_ms",
        "operation_breakdown",
        "timestamp",
    ] {
        assert!(m.get(k).is_some(), "storage_metrics.{k}");
    }
    for k in [
        "ok",
        "status",
        "uptime_seconds",
        "version",
        "spaces_endpoint",
        "spaces_region",
        "api_key_protection",
        "agent_configured",
    ] {
        assert!(v.get(k).is_some(), "health.{k}");
    }
    assert_eq!(v["status"], "unhealthy", "25 % errors is over 10 %");
    // jq '.trends'
    let t = h.json("/metrics/operations").await;
    assert!(t["trends"]["window_1h"].is_object() && t["trends"]["window_24h"].is_object());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn monitoring_headers_example() {
    let h = Harness::start().await;
    let r = h.get("/tools/list-all?bucket=alpha", tenant()).await;
    let hd = r.headers();
    let dur = hd["x-request-duration-ms"].to_str().unwrap();
    assert!(Regex::new(r"^\d+\.\d{2}$").unwrap().is_match(dur), "{dur}");
    assert!(hd["x-request-id"].to_str().unwrap().starts_with("req-"));
    assert_eq!(hd["x-operation-type"], "LIST_OBJECTS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_lines_have_the_seed_format() {
    let h = Harness::start_with(|s| s.knobs.slow_operation_ms = 0.0, Arc::new(SystemClock)).await;
    h.get("/tools/list-all?bucket=alpha", tenant()).await;
    h.get("/tools/list-all?bucket=logs-bucket", tenant()).await;
    let text = h.flush_logs().await;
    let stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d";
    let ok = Regex::new(&format!(
        r"(?m)^{stamp} \[INFO\] STORAGE_OP: LIST_OBJECTS \| GET /tools/list-all \| status=200 \| duration=\d+\.\d\dms \| bytes=\d+ \| bucket=alpha$"
    )).unwrap();
    let slow = Regex::new(&format!(
        r"(?m)^{stamp} \[WARNING\] SLOW_OPERATION: LIST_OBJECTS - \d+\.\d\dms - bucket=alpha status=200$"
    )).unwrap();
    let err = Regex::new(&format!(
        r"(?m)^{stamp} \[ERROR\] STORAGE_OP_ERROR: LIST_OBJECTS \| GET /tools/list-all \| duration=\d+\.\d\dms \| error=Bucket not found$"
    )).unwrap();
    for (name, re) in [
        ("STORAGE_OP", ok),
        ("SLOW_OPERATION", slow),
        ("STORAGE_OP_ERROR", err),
    ] {
        assert_eq!(re.find_iter(&text).count(), 1, "{name} line in:\n{text}");
    }
}

/// `/logs/operations?bucket=` finds a verified tenant's failed requests by the bucket they
/// named — the seed's `Bucket not found` example — while the per-bucket figures and
/// labels count only buckets whose access passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_request_keeps_the_bucket_it_named() {
    let h = Harness::start().await;
    for path in [
        "/tools/list-all?bucket=no-such-bucket",
        "/s3/no-such-bucket/k",
    ] {
        assert_eq!(h.get(path, tenant()).await.status(), 404, "{path}");
    }
    let v = h.json("/logs/operations?bucket=no-such-bucket").await;
    assert_eq!(v["count"], 2, "{v}");
    for e in v["logs"].as_array().unwrap() {
        assert_eq!(e["bucket"], "no-such-bucket");
        assert_eq!(e["error"], "Bucket not found");
    }
    let ops = h.json("/metrics/operations").await;
    assert!(
        ops["bucket_analytics"].get("no-such-bucket").is_none(),
        "{ops}"
    );
    let metrics = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    assert!(!metrics.contains("no-such-bucket"), "no label for it");
    // Nobody's name is kept for nobody: a refused anonymous request names no bucket.
    let r = h
        .get("/tools/list-all?bucket=other-name", HeaderMap::new())
        .await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        h.json("/logs/operations?bucket=other-name").await["count"],
        0
    );
}
