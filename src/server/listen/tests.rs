//! The limits, against a real socket: a slow head, a silent new connection, an idle
//! keep-alive connection, a client that stops reading, the connection caps (overall and
//! per address) and the drain deadline.

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::get;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::{Limits, serve_with};
use crate::server::client_ip::{Cidr, TrustedProxies};

/// Set when the endless body of `/endless` is dropped.
type Dropped = std::sync::Arc<std::sync::atomic::AtomicBool>;

/// A body that never ends (64 KiB chunks), and marks when it is dropped.
struct Endless(Dropped);

impl http_body::Body for Endless {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, Self::Error>>> {
        let chunk = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(chunk))))
    }
}

impl Drop for Endless {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

async fn start(limits: Limits) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    start_with(limits, Dropped::default()).await
}

async fn start_with(
    limits: Limits,
    dropped: Dropped,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let router = Router::new()
        .route("/", get(|| async { "ok" }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                "slow"
            }),
        )
        .route(
            "/endless",
            get(move || {
                let d = dropped.clone();
                async move { axum::body::Body::new(Endless(d)) }
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
        max_per_ip: 0,
        trusted: TrustedProxies::default(),
        first_byte_timeout: Duration::from_millis(400),
        header_read_timeout: Duration::from_millis(300),
        write_timeout: Duration::from_millis(400),
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

#[tokio::test]
async fn a_connection_that_says_nothing_is_closed_at_the_first_byte_timeout() {
    let (addr, _stop) = start(limits()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    let (text, took) = until_closed(&mut s).await;
    assert!(text.is_empty(), "{text}");
    // The first-byte timeout (0.4 s), not the keep-alive timeout (0.9 s).
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_millis(800),
        "closed after {took:?}"
    );
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off_and_its_response_dropped() {
    let dropped = Dropped::default();
    let (addr, _stop) = start_with(limits(), dropped.clone()).await;
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /endless HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // A reader that keeps reading is never cut off: 1.2 s of steady reading.
    let mut buf = vec![0u8; 64 * 1024];
    let t = Instant::now();
    let mut got = 0usize;
    while t.elapsed() < Duration::from_millis(1200) {
        got += s.read(&mut buf).await.unwrap();
    }
    assert!(got > 1 << 20, "{got} bytes");
    assert!(!dropped.load(std::sync::atomic::Ordering::SeqCst));
    // Then it stops reading: the socket buffers fill, and the write timeout ends it.
    let t = Instant::now();
    while !dropped.load(std::sync::atomic::Ordering::SeqCst) {
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "the response was not dropped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
}

#[tokio::test]
async fn one_address_holds_at_most_its_share_of_connections() {
    let mut l = limits();
    l.max_connections = 10;
    l.max_per_ip = 2;
    l.first_byte_timeout = Duration::from_secs(30);
    let (addr, _stop) = start(l.clone()).await;
    let from = |last: u8| async move {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        sock.bind(std::net::SocketAddr::from(([127, 0, 0, last], 0)))
            .unwrap();
        sock.connect(addr).await.unwrap()
    };
    let held = [from(1).await, from(1).await];
    // A third from the same address is closed at once, unserved.
    let mut third = from(1).await;
    let (text, took) = until_closed(&mut third).await;
    assert!(
        text.is_empty() && took < Duration::from_millis(500),
        "{took:?}"
    );
    // Another address is served.
    let mut other = from(2).await;
    other
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 256];
    let n = other.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
    // Once one closes, the address has room again.
    drop(held);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = from(1).await;
    again
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let n = again.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));

    // A trusted proxy is exempt: every client behind it is its address.
    l.trusted = TrustedProxies::new(vec![Cidr::parse("127.0.0.3").unwrap()]);
    let (addr, _stop) = start(l).await;
    let mut conns = Vec::new();
    for _ in 0..4 {
        let sock = tokio::net::TcpSocket::new_v4().unwrap();
        sock.bind(std::net::SocketAddr::from(([127, 0, 0, 3], 0)))
            .unwrap();
        let mut s = sock.connect(addr).await.unwrap();
        s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let n = s.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).contains("200 OK"));
        conns.push(s);
    }
}
