//! The limits, against a real socket: a slow head, an idle keep-alive connection, the
//! connection cap and the drain deadline.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Limits, serve_with};

async fn start(limits: Limits) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let router = Router::new().route("/", get(|| async { "ok" })).route(
        "/slow",
        get(|| async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            "slow"
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_with(listener, router, limits, async {
        let _ = rx.await;
    }));
    (addr, tx)
}

fn limits() -> Limits {
    Limits {
        max_connections: 2,
        header_read_timeout: Duration::from_millis(300),
        keepalive_timeout: Duration::from_millis(900),
        drain: Duration::from_millis(500),
    }
}

/// Reads until the peer closes; returns what came and how long it took.
async fn until_closed(s: &mut TcpStream) -> (String, Duration) {
    let t = Instant::now();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    (String::from_utf8_lossy(&out).into_owned(), t.elapsed())
}

#[tokio::test]
async fn half_a_head_is_cut_off_at_the_header_timeout() {
    let (addr, _stop) = start(limits()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let (_, took) = until_closed(&mut s).await;
    assert!(took < Duration::from_millis(800), "closed after {took:?}");
}

#[tokio::test]
async fn an_idle_keepalive_connection_is_closed_and_a_busy_one_is_not() {
    let (addr, _stop) = start(limits()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    // A request that takes longer than the header timeout is not cut off.
    s.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 1024];
    let n = s.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
    // Then idle: closed after the keep-alive timeout, not the header timeout.
    let (_, idle) = until_closed(&mut s).await;
    assert!(
        idle > Duration::from_millis(600) && idle < Duration::from_millis(2000),
        "idle connection closed after {idle:?}"
    );
}

#[tokio::test]
async fn the_connection_cap_holds_the_next_client_back() {
    let (addr, _stop) = start(limits()).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = vec![0u8; 256];
        assert!(s.read(&mut buf).await.unwrap() > 0);
        held.push(s);
    }
    let mut third = TcpStream::connect(addr).await.unwrap();
    third
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 256];
    let waited = tokio::time::timeout(Duration::from_millis(300), third.read(&mut buf)).await;
    assert!(
        waited.is_err(),
        "a third connection was served over the cap"
    );
    drop(held);
    let n = tokio::time::timeout(Duration::from_secs(3), third.read(&mut buf))
        .await
        .expect("served once a slot freed")
        .unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
}

#[tokio::test]
async fn shutdown_drains_within_the_deadline() {
    let (addr, stop) = start(limits()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let t = Instant::now();
    stop.send(()).unwrap();
    let (text, _) = until_closed(&mut s).await;
    assert!(
        text.contains("slow"),
        "the request in flight finished: {text}"
    );
    assert!(t.elapsed() < Duration::from_millis(1500));
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener closed"
    );
}
