//! Every upstream error mapping, produced for real — wrong secret, unknown key, unknown
//! bucket, access denied, a stopped server, a server that never answers — through the
//! tools and the gateway. Each is one failed operation whose error text reaches
//! /logs/operations and the STORAGE_OP_ERROR line — except credentials the storage
//! rejects: those requests are refused (a 401 that says why) and are no operation.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::demo::StoreOptions;

use crate::support::{Harness, KEY, SECRET, s3_client_as, start_on_store, tenant, tenant_with};

const OTHER: (&str, &str) = ("OTHERKEY000000000001", "other-secret-111");
const LIMITED: (&str, &str) = ("LIMITEDKEY0000000002", "limited-secret-222");

/// Calls `path` and checks status, error text, the operation log and the log line.
async fn expect_error(h: &Harness, path: &str, headers: HeaderMap, status: u16, text: &str) {
    let before = h.state.recorder.total_recorded();
    let r = h.get(path, headers).await;
    assert_eq!(r.status().as_u16(), status, "{path}");
    let body = r.text().await.unwrap();
    assert!(
        body.contains(text) || path.starts_with("/s3/"),
        "{path}: {body}"
    );
    let logs = h.flush_logs().await;
    assert_eq!(
        h.state.recorder.total_recorded(),
        before + 1,
        "{path}: one operation"
    );
    let v = h.json("/logs/operations?limit=1").await;
    let e = &v["logs"][0];
    assert_eq!(e["status_code"], status, "{path}: {e}");
    assert_eq!(e["error"], text, "{path}");
    let line = logs.lines().last().unwrap_or_default();
    assert!(
        line.contains("[ERROR] STORAGE_OP_ERROR: ") && line.ends_with(&format!("error={text}")),
        "{path}: {line}"
    );
}

fn with(mut h: HeaderMap, name: &'static str, value: &str) -> HeaderMap {
    h.insert(name, HeaderValue::from_str(value).unwrap());
    h
}

/// Calls `path` with credentials the storage rejects: a 401 that says why, no
/// operation, no log line — only the refused counter moves.
async fn expect_refused(h: &Harness, path: &str, headers: HeaderMap, text: &str) {
    use spacewatch::telemetry::prom::Refusal;
    let before = h.state.recorder.total_recorded();
    let refused = h.state.counters.refused_count(Refusal::CredentialsInvalid);
    let logged = h.flush_logs().await.lines().count();
    let r = h.get(path, headers).await;
    assert_eq!(r.status().as_u16(), 401, "{path}");
    assert!(!r.headers().contains_key("x-operation-type"), "{path}");
    // The gateway answers S3 clients in S3 XML, the rest in JSON: the same text.
    let gateway = path.starts_with("/s3/");
    let body = r.text().await.unwrap();
    if gateway {
        assert!(body.contains("<Code>AccessDenied</Code>"), "{path}: {body}");
        assert!(
            body.contains(&format!("<Message>{text}</Message>")),
            "{path}: {body}"
        );
    } else {
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["detail"], text, "{path}");
    }
    let logs = h.flush_logs().await;
    assert_eq!(
        h.state.recorder.total_recorded(),
        before,
        "{path}: no operation"
    );
    assert_eq!(logs.lines().count(), logged, "{path}: no log line");
    assert_eq!(
        h.state.counters.refused_count(Refusal::CredentialsInvalid),
        refused + 1,
        "{path}: counted as refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credential_errors_are_401() {
    let h = Harness::start().await;
    let sig = "Invalid storage credentials: signature does not match (check X-Spaces-Secret)";
    let unknown = "Invalid storage credentials: unknown access key";
    let nobody = || tenant_with("NOSUCHKEY00000000000", "x");
    for path in [
        "/tools/buckets",
        "/tools/list-all?bucket=alpha",
        "/s3/",
        "/s3/alpha/dir/obj-0000",
    ] {
        expect_refused(&h, path, tenant_with(KEY, "wrong"), sig).await;
        expect_refused(&h, path, nobody(), unknown).await;
    }
}

async fn accounts() -> Harness {
    let mut o = StoreOptions::single(KEY, SECRET);
    o.users.push((OTHER.0.into(), OTHER.1.into()));
    o.users.push((LIMITED.0.into(), LIMITED.1.into()));
    o.restricted.push(LIMITED.0.into());
    let h = start_on_store(o, |_| {}).await;
    let other = s3_client_as(&h.store, OTHER.0, OTHER.1);
    other
        .create_bucket()
        .bucket("others-bucket")
        .send()
        .await
        .unwrap();
    other
        .put_object()
        .bucket("others-bucket")
        .key("k")
        .body(b"x".to_vec().into())
        .send()
        .await
        .unwrap();
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bucket_errors_404_and_403() {
    let h = accounts().await;
    // Not in the tenant's list and not existing: the probe says 404.
    expect_error(
        &h,
        "/tools/list-all?bucket=no-such-bucket",
        tenant(),
        404,
        "Bucket not found",
    )
    .await;
    // A key whose ListBuckets is denied may use its log bucket; the storage answers.
    let limited = |log: &str| with(tenant_with(LIMITED.0, LIMITED.1), "X-Log-Bucket", log);
    expect_error(
        &h,
        "/tools/list-all?bucket=missing-logs",
        limited("missing-logs"),
        404,
        "Bucket not found",
    )
    .await;
    expect_error(
        &h,
        "/s3/missing-logs?prefix=k",
        limited("missing-logs"),
        404,
        "Bucket not found",
    )
    .await;
    expect_error(
        &h,
        "/tools/list-all?bucket=others-bucket",
        limited("others-bucket"),
        403,
        "Access denied",
    )
    .await;
    expect_error(
        &h,
        "/s3/others-bucket/k",
        limited("others-bucket"),
        403,
        "Access denied",
    )
    .await;
    expect_error(
        &h,
        "/s3/others-bucket?prefix=a",
        limited("others-bucket"),
        403,
        "Access denied",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_server_is_502() {
    let h = Harness::start_with(
        |s| s.knobs.s3_timeout_sec = 5.0,
        Arc::new(spacewatch::telemetry::SystemClock),
    )
    .await;
    assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    h.store.stop();
    let text = "Cannot reach storage endpoint";
    expect_error(&h, "/tools/buckets", tenant(), 502, text).await;
    expect_error(&h, "/s3/", tenant(), 502, text).await;
    expect_error(&h, "/s3/alpha/dir/obj-0000", tenant(), 502, text).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_never_answers_is_504() {
    // Accepts connections and never says a word.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let h = Harness::start_with(
        move |s| {
            s.endpoint = Some(endpoint);
            s.knobs.s3_timeout_sec = 1.0;
        },
        Arc::new(spacewatch::telemetry::SystemClock),
    )
    .await;
    let text = "Storage request timed out";
    let started = std::time::Instant::now();
    expect_error(&h, "/tools/buckets", tenant(), 504, text).await;
    expect_error(&h, "/s3/", tenant(), 504, text).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the timeout knob bounds the wait"
    );
    let v: Value = h.json("/metrics/operations").await;
    assert!(
        v["s3_requests"]["by_api"]["ListBuckets"]["no_response"]
            .as_u64()
            .unwrap()
            >= 2
    );
}
