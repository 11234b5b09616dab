//! Heavy jobs under their limits: a tenant over its share is a 429, a full server a 503,
//! both after the short wait for a slot (nothing queues longer); a client that leaves gets
//! its request recorded as 499, and its work — a fetch, a parse on a blocking thread —
//! stops and gives its slot back.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::accesslog::jobs::WAIT;
use spacewatch::demo::{DemoStore, StoreOptions};
use spacewatch::telemetry::SystemClock;

use super::{get, headers, now, put, rig};
use crate::fault_proxy::{Fault, FaultProxy, rule};
use crate::hostile_logs::{gzip, line};
use crate::support::{Harness, KEY, SECRET, s3_client_as, settings_for};

const KEY2: &str = "SECONDKEY00000000002";
const SECRET2: &str = "second-secret-Lq81Ze";
/// The log object whose GET the proxy holds.
const SLOW: &str = "access/2024-01-01-00-00-00-SLOW";

async fn wait_until(what: &str, within: Duration, mut ok: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !ok() {
        assert!(started.elapsed() < within, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    started.elapsed()
}

fn tenant_b() -> HeaderMap {
    let mut h = crate::support::tenant_with(KEY2, SECRET2);
    h.insert("X-Log-Bucket", HeaderValue::from_static("logs-b"));
    h
}

/// Two accounts (`logs` is the first's, `logs-b` the second's), the store behind a proxy
/// that holds the GET of [`SLOW`], and a server allowing one heavy job.
async fn slow_rig() -> (Harness, FaultProxy) {
    let store = DemoStore::start_with(StoreOptions {
        users: vec![(KEY.into(), SECRET.into()), (KEY2.into(), SECRET2.into())],
        ..StoreOptions::single(KEY, SECRET)
    })
    .await
    .unwrap();
    let text = line_text(3);
    for (key, secret, bucket) in [(KEY, SECRET, "logs"), (KEY2, SECRET2, "logs-b")] {
        let c = s3_client_as(&store, key, secret);
        c.create_bucket().bucket(bucket).send().await.unwrap();
        c.put_object()
            .bucket(bucket)
            .key(SLOW)
            .body(text.clone().into_bytes().into())
            .send()
            .await
            .unwrap();
    }
    let hold = rule(
        &format!("GET /logs/{SLOW}"),
        Fault::Delay(Duration::from_secs(20)),
    );
    let proxy = FaultProxy::start(store.addr(), vec![hold]).await;
    let mut s = settings_for(&store);
    s.endpoint = Some(proxy.endpoint());
    s.knobs.access_log_jobs = 1;
    s.knobs.access_log_jobs_per_tenant = 1;
    (Harness::serve(store, s, Arc::new(SystemClock)).await, proxy)
}

fn line_text(n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        line(&mut text, "alpha", now() - i as i64, "192.0.2.1", "ua");
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_limits_answer_after_a_short_wait_and_a_client_that_leaves_frees_its_slot() {
    let (h, _proxy) = slow_rig().await;
    let h = Arc::new(h);
    let held = {
        let h = h.clone();
        tokio::spawn(async move { h.get("/logs/access/request-metrics", headers()).await })
    };
    wait_until("the first job to start", Duration::from_secs(5), || {
        h.state.logs.jobs.running() == 1
    })
    .await;
    for (who, hd, want) in [
        ("the same tenant", headers(), 429),
        ("another", tenant_b(), 503),
    ] {
        let started = Instant::now();
        let r = h.get("/logs/access/search", hd).await;
        let waited = started.elapsed();
        assert!(
            waited >= WAIT && waited < WAIT + Duration::from_secs(2),
            "{who}: answered after the wait for a slot, {waited:?}"
        );
        assert_eq!(r.status(), want, "{who}");
        assert_eq!(r.headers()["retry-after"], "1", "{who}");
        let v: Value = r.json().await.unwrap();
        let detail = v["detail"].as_str().unwrap();
        assert!(detail.contains("ACCESS_LOG_JOBS"), "{who}: {detail}");
    }
    let (status, _) = get(&h, "/logs/access/files", tenant_b()).await;
    assert_eq!(status, 200, "a listing is no heavy job");
    held.abort(); // the client leaves
    let freed = wait_until("the slot to be given back", Duration::from_secs(3), || {
        h.state.logs.jobs.running() == 0
    })
    .await;
    println!("slot given back {freed:?} after the client left");
    h.state.recorder.flush().await;
    let (_, ops) = get(
        &h,
        "/logs/operations?operation_type=QUERY_LOGS&limit=5",
        HeaderMap::new(),
    )
    .await;
    let left: Vec<&Value> = ops["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status_code"] == 499)
        .collect();
    assert_eq!(left.len(), 1, "the abandoned request is a 499: {ops}");
    let refused = ops["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status_code"] == 429 || o["status_code"] == 503);
    assert_eq!(refused.count(), 2, "{ops}");
}

/// `n` copies of a 150,000-line log object.
async fn big_objects(h: &Harness, n: usize) {
    let mut text = String::with_capacity(150_000 * 140);
    for i in 0..150_000 {
        line(&mut text, "alpha", now() - (i % 3600), "192.0.2.9", "ua");
    }
    let gz = gzip(text.as_bytes());
    for i in 0..n {
        put(
            h,
            "logs",
            &format!("access/2024-01-01-00-00-{i:02}-BIG.gz"),
            gz.clone(),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parse_stops_soon_after_its_client_leaves() {
    let h = Arc::new(rig(|_| {}).await);
    big_objects(&h, 4).await;
    // A whole search, to know how long the work takes here.
    let started = Instant::now();
    let (status, v) = get(&h, "/logs/access/search?contains=never-1", headers()).await;
    let whole = started.elapsed();
    assert_eq!(
        (status, v["coverage"]["lines"].as_u64()),
        (200, Some(600_000)),
        "{v}"
    );
    println!("a whole search: {whole:?}");
    // Another question (nothing cached), left a quarter of the way in.
    let left = {
        let h = h.clone();
        tokio::spawn(async move {
            h.get("/logs/access/search?contains=never-2", headers())
                .await
        })
    };
    tokio::time::sleep(whole / 4).await;
    assert_eq!(
        h.state.logs.jobs.running(),
        1,
        "the search is still at work"
    );
    left.abort();
    let stopped = wait_until("the parses to stop", whole, || {
        h.state.logs.jobs.running() == 0
    })
    .await;
    println!("stopped {stopped:?} after the client left");
    assert!(
        stopped < whole / 2,
        "stopped in {stopped:?}; the rest of the work would take ~{:?}",
        whole * 3 / 4
    );
}
