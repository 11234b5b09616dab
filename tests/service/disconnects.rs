//! A client that goes away mid-body: the operation is recorded (499), the upstream
//! connection is closed, nothing is left running, and a cut upload commits nothing.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::gateway::{data, gateway_client};
use crate::support::{Harness, KEY, SECRET, s3_client, tenant};

async fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn last_op(h: &Harness, kind: &str) -> Value {
    h.state.recorder.flush().await;
    let v = h
        .json(&format!("/logs/operations?operation_type={kind}&limit=1"))
        .await;
    v["logs"][0].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_abandoned_mid_body_is_recorded_and_closes_upstream() {
    let h = Harness::start().await;
    let size = 32 * 1024 * 1024;
    gateway_client(&h, KEY, SECRET)
        .put_object()
        .bucket("alpha")
        .key("big.bin")
        .body(data(size, 9).into())
        .send()
        .await
        .unwrap();
    let resp = h.get("/s3/alpha/big.bin", tenant()).await;
    assert_eq!(resp.status(), 200);
    let mut resp = resp;
    let first = resp.chunk().await.unwrap().unwrap();
    assert!(!first.is_empty());
    let during = h.store.open_connections();
    drop(resp); // the client goes away
    wait_until("the operation to end", || {
        h.state.recorder.total_recorded() >= 2
    })
    .await;
    let op = last_op(&h, "GET_OBJECT").await;
    wait_until("the upstream connection to close", || {
        h.store.open_connections() < during
    })
    .await;
    assert_eq!(op["status_code"], 499, "{op}");
    assert_eq!(op["error"], "client closed the connection");
    let sent = op["bytes_out"].as_u64().unwrap();
    assert!(sent > 0 && sent < size as u64, "partial body: {sent}");
    // The S3 call was recorded too, with what it downloaded before the cut.
    let m = h.json("/metrics/operations").await;
    let get = &m["s3_requests"]["by_api"]["GetObject"];
    assert_eq!(get["requests"], 1);
    assert!(get["bytes_downloaded"].as_u64().unwrap() < size as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_cut_mid_body_commits_nothing() {
    let h = Harness::start().await;
    // Warm the tenant's bucket list so the cut happens while forwarding.
    assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    let before = h.store.open_connections();
    let addr = h.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "PUT /s3/alpha/cut.bin HTTP/1.1\r\nHost: {addr}\r\nX-Spaces-Key: {KEY}\r\nX-Spaces-Secret: {SECRET}\r\nContent-Length: {}\r\n\r\n",
        10 * 1024 * 1024
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    sock.write_all(&vec![b'x'; 1024 * 1024]).await.unwrap();
    sock.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    drop(sock);
    wait_until("the upload to be recorded", || {
        h.state.recorder.total_recorded() >= 2
    })
    .await;
    let op = last_op(&h, "PUT_OBJECT").await;
    assert_eq!(op["status_code"], 499, "{op}");
    wait_until("upstream connections to close", || {
        h.store.open_connections() <= before
    })
    .await;
    let head = s3_client(&h.store)
        .head_object()
        .bucket("alpha")
        .key("cut.bin")
        .send()
        .await;
    assert!(
        head.is_err(),
        "a truncated upload must not create the object"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_upload_outlasts_the_timeout_while_it_progresses() {
    use tokio::io::AsyncReadExt;
    let h = Harness::start_with(
        |s| s.knobs.s3_timeout_sec = 1.0,
        std::sync::Arc::new(spacewatch::telemetry::SystemClock),
    )
    .await;
    assert_eq!(h.get("/tools/buckets", tenant()).await.status(), 200);
    let addr = h.base.trim_start_matches("http://").to_string();
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let chunks = 10;
    let head = format!(
        "PUT /s3/alpha/slow.bin HTTP/1.1\r\nHost: {addr}\r\nX-Spaces-Key: {KEY}\r\nX-Spaces-Secret: {SECRET}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        chunks * 1000
    );
    sock.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    for _ in 0..chunks {
        sock.write_all(&[b'z'; 1000]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let mut answer = String::new();
    sock.read_to_string(&mut answer).await.unwrap();
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "took longer than the 1 s timeout"
    );
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let stored = s3_client(&h.store)
        .head_object()
        .bucket("alpha")
        .key("slow.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(stored.content_length(), Some(chunks as i64 * 1000));
    // FirstByteLatency counts from the complete request, not from its first byte.
    let m = h.json("/metrics/operations").await;
    let fb = m["s3_requests"]["by_api"]["PutObject"]["first_byte_latency_ms"]["avg"]
        .as_f64()
        .unwrap();
    assert!(fb < 1000.0, "first byte {fb} ms");
}
