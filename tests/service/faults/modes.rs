//! One test per fault: its status, a single record, its time bound.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::*;
use crate::fault_proxy::{Fault, rule};
use crate::raw_http;

/// The upstream requests the faults are set on: the download, an upload, the listing.
const GET_BIG: &str = "GET /alpha/big.bin";
const PUT_UP: &str = "PUT /alpha/up.bin";
const LIST_ALPHA: &str = "GET /alpha/?list-type=2";

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
    let idle = proxy.open();
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
        proxy.open() <= idle
    })
    .await;
    assert!(proxy.faults() >= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_5xx_crosses_the_gateway_whole_and_is_502_from_the_tools() {
    for (code, size) in [("SlowDown", 300), ("InternalError", 100 * 1024)] {
        let status = if code == "SlowDown" { 503 } else { 500 };
        let answer = Fault::Answer {
            status,
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
        // The gateway passes the store's answer on as it came (an S3 client retries a
        // 503 SlowDown); an error body too large to read whole becomes its own 502.
        let passed = size <= 64 * 1024;
        let want = if passed { status } else { 502 };
        assert_eq!(r.status, want, "{what}");
        assert!(!r.truncated, "{what}: the whole announced body arrives");
        assert!(r.is_s3_xml(), "{what}: an S3 client can read it");
        if passed {
            assert!(r.text().contains(&format!("<Code>{code}</Code>")), "{what}");
            assert_eq!(
                r.text().len(),
                s3_error(code, size).len(),
                "{what}: byte for byte"
            );
        } else {
            let said = format!("<Message>{text}</Message>");
            assert!(r.text().contains(&said), "{what}: {}", r.text());
        }
        recorded_once(&h, &b, &what, want, &text).await;
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
    let idle = proxy.open();
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
        proxy.open() <= idle
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
