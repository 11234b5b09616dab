//! Faults between SpaceWatch and a real store, made by the TCP fault proxy of
//! `fault_proxy`: the store down, slow, failing with a 5xx, resetting the connection in
//! the middle of a GET or PUT body, stalling after its headers; and a client that leaves
//! mid-body. Each, through the gateway and (where it applies) an SDK tool, must give the
//! right status, be recorded exactly once (total, /logs/operations, the log line), end
//! within its timeout, and — over a few hundred faulted requests — leave memory flat.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use spacewatch::demo::DemoStore;
use spacewatch::telemetry::SystemClock;

use crate::fault_proxy::{Fault, FaultProxy, Rule, rule};
use crate::gateway::data;
use crate::raw_http;
use crate::support::{Harness, KEY, SECRET, s3_client, settings_for, tenant};

/// `S3_TIMEOUT_SEC` of these tests: every wait on the store ends within it.
const TIMEOUT: Duration = Duration::from_secs(1);
/// The object faulted mid-body: large enough that no socket buffer holds it whole.
const BIG: usize = 4 * 1024 * 1024;
/// The upstream requests of the faulted gateway calls and of the tools' listing.
const GET_BIG: &str = "GET /alpha/big.bin";
const PUT_UP: &str = "PUT /alpha/up.bin";
/// `S3_TIMEOUT_SEC` where the SDK's retries (with their backoff) must fit in.
const SDK_TIMEOUT_SEC: f64 = 6.0;
const LIST_ALPHA: &str = "GET /alpha/?list-type=2";

/// A store holding `alpha` (`big.bin` and 20 small objects), the proxy in front of it
/// under `rules`, and SpaceWatch talking to the proxy. The tenant's credentials are
/// verified (and its bucket list cached) through the proxy before any fault.
async fn rig(rules: Vec<Rule>) -> (Harness, FaultProxy) {
    rig_with(rules, |_| {}).await
}

async fn rig_with(
    rules: Vec<Rule>,
    configure: impl FnOnce(&mut spacewatch::config::Settings),
) -> (Harness, FaultProxy) {
    let store = DemoStore::start(KEY, SECRET).await.expect("store starts");
    let s3 = s3_client(&store);
    s3.create_bucket().bucket("alpha").send().await.unwrap();
    s3.put_object()
        .bucket("alpha")
        .key("big.bin")
        .body(data(BIG, 3).into())
        .send()
        .await
        .unwrap();
    crate::support::put_many(&store, "alpha", 20).await;
    let proxy = FaultProxy::start(store.addr(), rules).await;
    let mut settings = settings_for(&store);
    settings.endpoint = Some(proxy.endpoint());
    settings.knobs.s3_timeout_sec = TIMEOUT.as_secs_f64();
    configure(&mut settings);
    let h = Harness::serve(store, settings, Arc::new(SystemClock)).await;
    assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    h.state.recorder.flush().await;
    (h, proxy)
}

async fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The figures before a faulted request, to compare after it.
struct Before {
    total: u64,
    error_lines: usize,
}

async fn before(h: &Harness) -> Before {
    let logs = h.flush_logs().await;
    Before {
        total: h.state.recorder.total_recorded(),
        error_lines: error_lines(&logs).len(),
    }
}

fn error_lines(logs: &str) -> Vec<&str> {
    logs.lines()
        .filter(|l| l.contains("STORAGE_OP_ERROR: "))
        .collect()
}

/// Waits for the one operation since `b`, then checks it was recorded exactly once, as
/// `status` with `error`, in the total, /logs/operations and one STORAGE_OP_ERROR line.
async fn recorded_once(h: &Harness, b: &Before, what: &str, status: u16, error: &str) -> Value {
    let total = || h.state.recorder.total_recorded();
    wait_until(what, TIMEOUT * 5, || total() > b.total).await;
    // A second record (a stream end after a drop, say) would come right after the first.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(total(), b.total + 1, "{what}: recorded exactly once");
    let logs = h.flush_logs().await;
    let lines = error_lines(&logs);
    assert_eq!(lines.len(), b.error_lines + 1, "{what}: one error line");
    let line = lines.last().unwrap();
    assert!(line.ends_with(&format!("error={error}")), "{what}: {line}");
    let v = h.json("/logs/operations?limit=1").await;
    let op = v["logs"][0].clone();
    assert_eq!(op["status_code"], status, "{what}: {op}");
    assert_eq!(op["error"], error, "{what}: {op}");
    op
}

fn elapsed_within(what: &str, started: Instant, min: Duration, max: Duration) {
    let took = started.elapsed();
    assert!(
        took >= min && took <= max,
        "{what}: took {took:?}, expected {min:?}..{max:?}"
    );
}

/// A JSON error answer of `status` whose detail is `detail`.
async fn json_error(r: reqwest::Response, what: &str, status: u16, detail: &str) {
    assert_eq!(r.status().as_u16(), status, "{what}");
    let v: Value = r.json().await.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(v["detail"], detail, "{what}");
}

const LIST_ALL: &str = "/tools/list-all?bucket=alpha";
const OBJECT: &str = "/s3/alpha/big.bin";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_down_is_502_within_the_retries() {
    // The SDK retries a refused connection with a backoff of up to a few seconds; with a
    // 1 s timeout that wait would end as a 504 first.
    let (h, proxy) = rig_with(Vec::new(), |s| s.knobs.s3_timeout_sec = SDK_TIMEOUT_SEC).await;
    proxy.stop();
    let text = "Cannot reach storage endpoint";
    for path in [OBJECT, LIST_ALL] {
        let b = before(&h).await;
        let started = Instant::now();
        let r = h.get(path, tenant()).await;
        json_error(r, path, 502, text).await;
        let limit = Duration::from_secs_f64(SDK_TIMEOUT_SEC);
        elapsed_within(path, started, Duration::ZERO, limit);
        recorded_once(&h, &b, path, 502, text).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_store_is_504_after_the_timeout() {
    let hold = Fault::Delay(TIMEOUT * 4);
    let (h, proxy) = rig(vec![rule(GET_BIG, hold.clone()), rule(LIST_ALPHA, hold)]).await;
    let text = "Storage request timed out";
    for path in [OBJECT, LIST_ALL] {
        let b = before(&h).await;
        let started = Instant::now();
        let r = h.get(path, tenant()).await;
        json_error(r, path, 504, text).await;
        elapsed_within(path, started, TIMEOUT, TIMEOUT * 3);
        recorded_once(&h, &b, path, 504, text).await;
    }
    // The held connections were given up, not left open.
    wait_until("held connections to close", TIMEOUT * 8, || {
        proxy.open() <= 2
    })
    .await;
    assert!(proxy.faults() >= 2);
}

/// An S3 error document of about `size` bytes.
fn s3_error(code: &str, size: usize) -> Vec<u8> {
    let head =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>");
    let tail = "</Message></Error>";
    let pad = "x".repeat(size.saturating_sub(head.len() + tail.len()));
    format!("{head}{pad}{tail}").into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_5xx_is_502_with_a_body_that_matches_its_length() {
    for (code, size) in [("SlowDown", 300), ("InternalError", 100 * 1024)] {
        let answer = Fault::Answer {
            status: if code == "SlowDown" { 503 } else { 500 },
            body: s3_error(code, size),
        };
        let rules = vec![rule(GET_BIG, answer.clone()), rule(LIST_ALPHA, answer)];
        // The SDK retries a 5xx with a backoff: the timeout leaves room for it.
        let (h, proxy) = rig_with(rules, |s| s.knobs.s3_timeout_sec = SDK_TIMEOUT_SEC).await;
        let what = format!("{code} of {size} bytes");
        let text = format!("Storage error: {code}");
        // The gateway: read off the wire, so the announced length is checked against
        // what was really sent.
        let b = before(&h).await;
        let addr = h.base.trim_start_matches("http://");
        let head = format!(
            "GET {OBJECT} HTTP/1.1\r\nHost: {addr}\r\nX-Spaces-Key: {KEY}\r\nX-Spaces-Secret: {SECRET}"
        );
        let r = raw_http::send(addr, head.as_bytes(), b"", TIMEOUT * 5)
            .await
            .unwrap_or_else(|| panic!("{what}: no answer"));
        assert_eq!(r.status, 502, "{what}");
        assert!(!r.truncated, "{what}: the whole announced body arrives");
        match r.detail() {
            Some(detail) => assert_eq!(detail, text, "{what}"),
            None => assert!(
                r.is_s3_xml() && r.text().contains(&format!("<Code>{code}</Code>")),
                "{what}: neither a JSON nor an S3 XML error: {:?}",
                &r.text()[..r.text().len().min(200)]
            ),
        }
        recorded_once(&h, &b, &what, 502, &text).await;
        // The SDK tool retries (the standard policy) and answers once.
        let b = before(&h).await;
        json_error(h.get(LIST_ALL, tenant()).await, &what, 502, &text).await;
        recorded_once(&h, &b, &what, 502, &text).await;
        assert!(
            proxy.faults() >= 2,
            "{what}: the store answered with the fault"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_mid_download_is_502() {
    let reset = |n| Fault::ResetResponseAfter(n);
    // Past the head and into the body: 256 KiB of the object, 1 KB of the listing. The
    // SDK retries a cut response with a backoff: the timeout leaves room for it.
    let rules = vec![
        rule(GET_BIG, reset(256 * 1024)),
        rule(LIST_ALPHA, reset(1000)),
    ];
    let (h, proxy) = rig_with(rules, |s| s.knobs.s3_timeout_sec = SDK_TIMEOUT_SEC).await;
    let b = before(&h).await;
    let started = Instant::now();
    let mut r = h.get(OBJECT, tenant()).await;
    assert_eq!(r.status(), 200, "the status line went out before the reset");
    let mut got = 0usize;
    let cut = loop {
        match r.chunk().await {
            Ok(Some(c)) => got += c.len(),
            Ok(None) => break false,
            Err(_) => break true,
        }
    };
    assert!(cut && got < BIG, "the client sees a cut body: {got} bytes");
    elapsed_within("reset GET", started, Duration::ZERO, TIMEOUT * 2);
    let op = recorded_once(&h, &b, "reset GET", 502, "upstream body failed mid-stream").await;
    assert!(op["bytes_out"].as_u64().unwrap() < BIG as u64, "{op}");
    let b = before(&h).await;
    let r = h.get(LIST_ALL, tenant()).await;
    assert_eq!(r.status(), 502, "tools: the listing was cut");
    let v: Value = r.json().await.unwrap();
    let detail = v["detail"].as_str().unwrap().to_string();
    recorded_once(&h, &b, "reset listing", 502, &detail).await;
    assert!(proxy.faults() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_mid_upload_is_502_and_stores_nothing() {
    let (h, proxy) = rig(vec![rule(PUT_UP, Fault::ResetRequestAfter(256 * 1024))]).await;
    let b = before(&h).await;
    let started = Instant::now();
    let r = h
        .http
        .put(h.url("/s3/alpha/up.bin"))
        .headers(tenant())
        .body(data(BIG, 5))
        .send()
        .await;
    // SpaceWatch answers while the client may still be sending: either it reads the 502
    // or its write fails first; what was recorded is the same.
    if let Ok(r) = r {
        json_error(r, "reset PUT", 502, "Storage request failed").await;
    }
    elapsed_within("reset PUT", started, Duration::ZERO, TIMEOUT * 3);
    recorded_once(&h, &b, "reset PUT", 502, "Storage request failed").await;
    assert_eq!(proxy.faults(), 1);
    let head = s3_client(&h.store)
        .head_object()
        .bucket("alpha")
        .key("up.bin")
        .send()
        .await;
    assert!(head.is_err(), "a cut upload stores nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stall_after_the_headers_is_504_within_the_timeout() {
    let stall = |n| Fault::StallResponseAfter(n);
    let (h, proxy) = rig(vec![
        rule(GET_BIG, stall(256 * 1024)),
        rule(LIST_ALPHA, stall(1000)),
    ])
    .await;
    let b = before(&h).await;
    let started = Instant::now();
    let mut r = h.get(OBJECT, tenant()).await;
    assert_eq!(r.status(), 200);
    let mut got = 0usize;
    let ended = tokio::time::timeout(TIMEOUT * 5, async {
        loop {
            match r.chunk().await {
                Ok(Some(c)) => got += c.len(),
                Ok(None) => return false,
                Err(_) => return true,
            }
        }
    })
    .await
    .expect("the client connection ends, it does not hang");
    assert!(ended && got < BIG, "a cut body: {got} bytes");
    elapsed_within("stalled GET", started, TIMEOUT, TIMEOUT * 3);
    recorded_once(
        &h,
        &b,
        "stalled GET",
        504,
        "upstream body stalled mid-stream",
    )
    .await;
    let b = before(&h).await;
    let started = Instant::now();
    let r = h.get(LIST_ALL, tenant()).await;
    json_error(r, "stalled listing", 504, "Storage request timed out").await;
    elapsed_within("stalled listing", started, TIMEOUT, TIMEOUT * 3);
    recorded_once(&h, &b, "stalled listing", 504, "Storage request timed out").await;
    wait_until("stalled connections to close", TIMEOUT * 8, || {
        proxy.open() <= 2
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_leaving_mid_download_is_499_and_frees_the_store_connection() {
    let (h, proxy) = rig(Vec::new()).await;
    let b = before(&h).await;
    let mut r = h.get(OBJECT, tenant()).await;
    assert_eq!(r.status(), 200);
    let first = r.chunk().await.unwrap().unwrap();
    assert!(!first.is_empty());
    let during = proxy.open();
    drop(r);
    let op = recorded_once(&h, &b, "client left", 499, "client closed the connection").await;
    let sent = op["bytes_out"].as_u64().unwrap();
    assert!(sent > 0 && sent < BIG as u64, "partial body: {sent}");
    wait_until("the store connection to close", TIMEOUT * 5, || {
        proxy.open() < during
    })
    .await;
}

/// Resident set size of this process, bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split(' ').nth(1).unwrap().parse().unwrap();
    pages * 4096
}

/// The faults of the memory test, one key (or listing prefix) each.
fn mixed_rules() -> Vec<Rule> {
    let big_error = || Fault::Answer {
        status: 500,
        body: s3_error("InternalError", 100 * 1024),
    };
    vec![
        rule(
            "GET /alpha/big.bin?versionId=reset",
            Fault::ResetResponseAfter(64 * 1024),
        ),
        rule(
            "GET /alpha/big.bin?versionId=stall",
            Fault::StallResponseAfter(64 * 1024),
        ),
        rule("GET /alpha/big.bin?versionId=error", big_error()),
        rule("prefix=slow", Fault::Delay(TIMEOUT * 2)),
        rule("PUT /alpha/up-", Fault::ResetRequestAfter(64 * 1024)),
    ]
}

/// One round of faulted requests — a reset download, a reset upload, a 5xx with a large
/// body, a client leaving mid-body, and (when `slow`) a stalled download and a tool on a
/// slow store — each checked for its status. (A tool meeting a 5xx or a reset retries
/// with a backoff of seconds: too slow to repeat hundreds of times.)
async fn faulted_round(h: &Harness, i: usize, slow: bool) {
    let status = |r: &reqwest::Response| r.status().as_u16();
    let mut r = h.get("/s3/alpha/big.bin?versionId=reset", tenant()).await;
    while let Ok(Some(_)) = r.chunk().await {}
    let put = h.http.put(h.url(&format!("/s3/alpha/up-{i}.bin")));
    if let Ok(r) = put
        .headers(tenant())
        .body(vec![7u8; 256 * 1024])
        .send()
        .await
    {
        assert_eq!(status(&r), 502);
    }
    let r = h.get("/s3/alpha/big.bin?versionId=error", tenant()).await;
    assert_eq!(status(&r), 502);
    let _ = r.bytes().await.unwrap();
    let mut r = h.get(OBJECT, tenant()).await;
    assert_eq!(status(&r), 200);
    let _ = r.chunk().await;
    drop(r);
    if slow {
        let mut r = h.get("/s3/alpha/big.bin?versionId=stall", tenant()).await;
        while let Ok(Some(_)) = r.chunk().await {}
        let r = h
            .get("/tools/list-all?bucket=alpha&prefix=slow", tenant())
            .await;
        assert_eq!(status(&r), 504);
    }
}

/// `rounds` rounds on `workers` concurrent clients; every tenth round is slow.
async fn faulted_rounds(h: &Arc<Harness>, first: usize, rounds: usize, workers: usize) {
    let mut tasks = Vec::new();
    for w in 0..workers {
        let h = h.clone();
        tasks.push(tokio::spawn(async move {
            for i in (first + w..first + rounds).step_by(workers) {
                faulted_round(&h, i, i % 10 == 0).await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("a round failed");
    }
}

/// Runs in a child process of its own (the test re-runs its binary on just itself), so
/// the RSS measured is this test's and not that of the tests running alongside.
///
/// The bound: after a warm-up of 100 rounds (pools, caches, the allocator's arenas and
/// the recent-operation journal — capped at 200 entries here — are at their working
/// size), 300 more rounds (1,260 faulted requests) may add at most 8 MiB of RSS.
/// A leak of anything a faulted request holds — its connection (tens of KiB of buffers),
/// an error body (100 KiB), a stalled stream — would add far more than that (1,260 ×
/// 64 KiB ≈ 80 MiB); 8 MiB leaves room for the allocator's fragmentation, which is not
/// a leak and levels off. Besides RSS, no task, store connection or proxied connection
/// may be left over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_stays_flat_under_faults() {
    const CHILD: &str = "SPACEWATCH_FAULTS_MEMORY_CHILD";
    if std::env::var_os(CHILD).is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["faults::memory_stays_flat_under_faults", "--exact"])
            .args(["--nocapture", "--include-ignored", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .expect("the test binary runs");
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "the measuring child failed:\n{text}");
        assert!(text.contains("1 passed"), "the child ran the test:\n{text}");
        let figures = text.lines().filter_map(|l| l.split_once("memory: "));
        figures.for_each(|(_, f)| eprintln!("memory: {f}"));
        return;
    }
    let (h, proxy) = rig_with(mixed_rules(), |s| s.knobs.max_operations_log = 200).await;
    let h = Arc::new(h);
    let workers = 12;
    faulted_rounds(&h, 0, 100, workers).await;
    let settle = || tokio::time::sleep(TIMEOUT * 2);
    settle().await;
    let metrics = tokio::runtime::Handle::current().metrics();
    let (rss0, tasks0) = (rss(), metrics.num_alive_tasks());
    let (store0, ops0) = (
        h.store.open_connections(),
        h.state.recorder.total_recorded(),
    );
    let started = Instant::now();
    faulted_rounds(&h, 100, 300, workers).await;
    let took = started.elapsed();
    settle().await;
    let (rss1, tasks1) = (rss(), metrics.num_alive_tasks());
    let faulted = h.state.recorder.total_recorded() - ops0;
    println!(
        "memory: {faulted} operations in {took:?}; RSS {:.1} MiB -> {:.1} MiB ({:+.2} MiB); \
         tasks {tasks0} -> {tasks1}; proxy faults {}",
        rss0 as f64 / 1048576.0,
        rss1 as f64 / 1048576.0,
        (rss1 as f64 - rss0 as f64) / 1048576.0,
        proxy.faults()
    );
    // 4 operations a round, two more every tenth round.
    assert_eq!(
        faulted,
        300 * 4 + 30 * 2,
        "every faulted request recorded once"
    );
    assert!(rss1 <= rss0 + 8 * 1024 * 1024, "RSS grew {rss0} -> {rss1}");
    // Pooled connections are tasks too: a few more or fewer, never one per request.
    assert!(
        tasks1 <= tasks0 + 2 * workers,
        "tasks left running: {tasks0} -> {tasks1}"
    );
    assert!(
        h.store.open_connections() <= store0,
        "store connections left open"
    );
    assert_eq!(h.state.recorder.recent_len(), 200);
}
