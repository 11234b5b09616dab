//! Faults between SpaceWatch and a real store, made by the TCP fault proxy of
//! `fault_proxy`: the store down, slow, failing with a 5xx, resetting the connection in
//! the middle of a GET or PUT body, stalling after its headers; and a client that leaves
//! mid-body. Each, through the gateway and (where it applies) an SDK tool, must give the
//! right status, be recorded exactly once (total, /logs/operations, the log line), end
//! within its timeout, and — over a few hundred faulted requests — leave memory flat.

mod memory;
mod modes;

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use spacewatch::demo::DemoStore;
use spacewatch::telemetry::SystemClock;

use crate::fault_proxy::{FaultProxy, Rule};
use crate::gateway::data;
use crate::support::{Harness, KEY, SECRET, s3_client, settings_for, tenant};

/// `S3_TIMEOUT_SEC` of these tests: every wait on the store ends within it.
const TIMEOUT: Duration = Duration::from_secs(1);
/// `S3_TIMEOUT_SEC` where the SDK's retries (with their backoff) must fit in.
const SDK_TIMEOUT_SEC: f64 = 6.0;
/// The object faulted mid-body: large enough that no socket buffer holds it whole.
const BIG: usize = 4 * 1024 * 1024;
/// What SpaceWatch is asked: a download of the big object, a tool's listing.
const OBJECT: &str = "/s3/alpha/big.bin";
const LIST_ALL: &str = "/tools/list-all?bucket=alpha";

/// A store holding `alpha` (`big.bin` and 20 small objects), the proxy in front of it
/// under `rules`, and SpaceWatch talking to the proxy. The tenant's credentials are
/// verified (and its bucket list cached) through the proxy before any fault.
pub(super) async fn rig(rules: Vec<Rule>) -> (Harness, FaultProxy) {
    rig_with(rules, |_| {}).await
}

pub(super) async fn rig_with(
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

pub(super) async fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The figures before a faulted request, to compare after it.
pub(super) struct Before {
    total: u64,
    error_lines: usize,
}

pub(super) async fn before(h: &Harness) -> Before {
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
pub(super) async fn recorded_once(
    h: &Harness,
    b: &Before,
    what: &str,
    status: u16,
    error: &str,
) -> Value {
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

pub(super) fn elapsed_within(what: &str, started: Instant, min: Duration, max: Duration) {
    let took = started.elapsed();
    assert!(
        took >= min && took <= max,
        "{what}: took {took:?}, expected {min:?}..{max:?}"
    );
}

/// An error answer of `status` that says `detail`: JSON `{"detail"}`, or S3 XML
/// (`<Message>`) from the gateway.
pub(super) async fn json_error(r: reqwest::Response, what: &str, status: u16, detail: &str) {
    assert_eq!(r.status().as_u16(), status, "{what}");
    let xml = r
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/xml"));
    let text = r.text().await.unwrap_or_else(|e| panic!("{what}: {e}"));
    if xml {
        let message = format!("<Message>{detail}</Message>");
        assert!(text.contains(&message), "{what}: {text}");
        return;
    }
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"));
    assert_eq!(v["detail"], detail, "{what}");
}

/// An S3 error document of about `size` bytes.
pub(super) fn s3_error(code: &str, size: usize) -> Vec<u8> {
    let head =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>");
    let tail = "</Message></Error>";
    let pad = "x".repeat(size.saturating_sub(head.len() + tail.len()));
    format!("{head}{pad}{tail}").into_bytes()
}
