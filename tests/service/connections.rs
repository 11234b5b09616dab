//! Issue 18, item 9, with real sockets against the real server: a client that stops
//! reading a gateway GET releases it and its upstream connection (`WRITE_TIMEOUT_SEC`);
//! silent sockets cannot hold every connection slot (`MAX_CONNECTIONS_PER_IP`,
//! `FIRST_BYTE_TIMEOUT_SEC`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use spacewatch::telemetry::SystemClock;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::gateway::{data, gateway_client};
use crate::support::{Harness, KEY, SECRET};

async fn wait_until(what: &str, limit: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn addr(h: &Harness) -> SocketAddr {
    h.base.trim_start_matches("http://").parse().unwrap()
}

/// A connection to `h` from `127.0.0.last`.
async fn connect_from(h: &Harness, last: u8) -> TcpStream {
    let sock = TcpSocket::new_v4().unwrap();
    sock.bind(SocketAddr::from(([127, 0, 0, last], 0))).unwrap();
    sock.connect(addr(h)).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_a_download_releases_it_and_its_upstream() {
    let h = Harness::start_with(|s| s.knobs.write_timeout_sec = 1.0, Arc::new(SystemClock)).await;
    let size = 32 * 1024 * 1024;
    gateway_client(&h, KEY, SECRET)
        .put_object()
        .bucket("alpha")
        .key("stalled.bin")
        .body(data(size, 5).into())
        .send()
        .await
        .unwrap();
    h.state.recorder.flush().await;
    let recorded = h.state.recorder.total_recorded();
    let mut s = TcpStream::connect(addr(&h)).await.unwrap();
    let head = format!(
        "GET /s3/alpha/stalled.bin HTTP/1.1\r\nHost: x\r\nX-Spaces-Key: {KEY}\r\n\
         X-Spaces-Secret: {SECRET}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let during = h.store.open_connections();
    assert!(during > 0);
    // The client reads nothing more. Within the write timeout (and the time the socket
    // buffers take to fill) the download ends as a client that left, and the upstream
    // connection under it closes.
    let t = Instant::now();
    wait_until("the download to end", Duration::from_secs(10), || {
        h.state.recorder.total_recorded() > recorded
    })
    .await;
    wait_until(
        "the upstream connection to close",
        Duration::from_secs(5),
        || h.store.open_connections() < during,
    )
    .await;
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    h.state.recorder.flush().await;
    let v = h
        .json("/logs/operations?operation_type=GET_OBJECT&limit=1")
        .await;
    let op = &v["logs"][0];
    assert_eq!(op["status_code"], 499, "{op}");
    let sent = op["bytes_out"].as_u64().unwrap();
    assert!(sent > 0 && sent < size as u64, "a part was sent: {sent}");
    // And the server closed its side: what is buffered drains, then EOF.
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the connection was closed");
    assert!((rest.len() as u64) < size as u64);
}

async fn health_within(h: &Harness, limit: Duration) -> Result<u16, String> {
    let c = reqwest::Client::builder().timeout(limit).build().unwrap();
    match c.get(h.url("/health")).send().await {
        Ok(r) => Ok(r.status().as_u16()),
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sockets_of_one_address_cannot_take_every_connection() {
    let h = Harness::start_with(
        |s| {
            s.knobs.max_connections = 20;
            s.knobs.max_connections_per_ip = 8;
            s.knobs.first_byte_timeout_sec = 60.0;
        },
        Arc::new(SystemClock),
    )
    .await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(connect_from(&h, 3).await);
    }
    // Eight are held; the other twelve were closed at once.
    let mut closed = 0;
    for s in &mut idle {
        let mut b = [0u8; 1];
        if let Ok(Ok(0)) = tokio::time::timeout(Duration::from_millis(300), s.read(&mut b)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 12);
    assert_eq!(health_within(&h, Duration::from_secs(2)).await, Ok(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_that_say_nothing_are_closed_at_the_first_byte_timeout() {
    let h = Harness::start_with(
        |s| {
            s.knobs.max_connections = 20;
            s.knobs.max_connections_per_ip = 0;
            s.knobs.first_byte_timeout_sec = 1.0;
        },
        Arc::new(SystemClock),
    )
    .await;
    let mut idle = Vec::new();
    for _ in 0..20 {
        idle.push(connect_from(&h, 4).await);
    }
    // Every slot is taken: /health waits for one, which the first-byte timeout frees
    // (the keep-alive timeout, 75 s, would have held them).
    let t = Instant::now();
    assert_eq!(health_within(&h, Duration::from_secs(6)).await, Ok(200));
    let took = t.elapsed();
    assert!(
        took >= Duration::from_millis(500),
        "{took:?}: the slots were taken"
    );
    for s in &mut idle {
        let mut b = [0u8; 1];
        let r = tokio::time::timeout(Duration::from_secs(3), s.read(&mut b)).await;
        assert!(matches!(r, Ok(Ok(0)) | Ok(Err(_))), "closed: {r:?}");
    }
}
