//! The accept loop: one task per connection, under the limits that keep a hostile or
//! broken client from holding the server.
//!
//! - **Connection cap** (`MAX_CONNECTIONS`): at the cap the loop stops accepting until a
//!   connection closes; further clients wait in the kernel's backlog, as with nginx's
//!   `worker_connections`.
//! - **Per-address cap** (`MAX_CONNECTIONS_PER_IP`, `per_ip`): one address holds at
//!   most this many; a further connection from it is closed at once.
//! - **First-byte timeout** (`FIRST_BYTE_TIMEOUT_SEC`): a new connection that sends
//!   nothing is closed then, so silent sockets cannot hold the slots for the keep-alive
//!   time.
//! - **Idle keep-alive timeout** (`KEEPALIVE_TIMEOUT_SEC`): hyper's header-read timer,
//!   which hyper starts whenever a connection waits for a request — a new connection or
//!   a kept-alive one after its response — so a connection idle that long is closed.
//! - **Header-read timeout** (`HEADER_READ_TIMEOUT_SEC`): once the first byte of a request
//!   arrived, its whole head must arrive within this time (`conn::Guarded`): a client
//!   that sends half its headers cannot hold the connection.
//! - **Write timeout** (`WRITE_TIMEOUT_SEC`): a response the client takes none of for
//!   this long ends the connection, and the response (a gateway body and its upstream
//!   connection) is dropped: a client that stops reading cannot hold either.
//! - **Drain deadline** (`SHUTDOWN_DRAIN_SEC`): on shutdown the listener closes, open
//!   connections finish their requests, and whatever is still open at the deadline is
//!   dropped.
//!
//! Every connection gets `TCP_NODELAY`: a streamed response goes out as head and body in
//! separate writes, and with Nagle on the body would wait for the client's delayed ACK
//! (40 ms on Linux) on every response.

mod conn;
mod per_ip;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use super::client_ip::TrustedProxies;

/// The connection limits (flags and environment variables of `serve`).
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_connections: usize,
    /// Open connections per client address (0: no cap); `trusted` ones are exempt.
    pub max_per_ip: usize,
    pub trusted: TrustedProxies,
    pub first_byte_timeout: Duration,
    pub header_read_timeout: Duration,
    pub write_timeout: Duration,
    pub keepalive_timeout: Duration,
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            max_per_ip: 256,
            trusted: TrustedProxies::default(),
            first_byte_timeout: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            keepalive_timeout: Duration::from_secs(75),
            drain: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// The limits the knobs set, with `trusted` exempt from the per-address cap.
    pub fn new(k: &crate::config::Knobs, trusted: TrustedProxies) -> Self {
        let secs = Duration::from_secs_f64;
        Self {
            max_connections: k.max_connections,
            max_per_ip: k.max_connections_per_ip,
            trusted,
            first_byte_timeout: secs(k.first_byte_timeout_sec),
            header_read_timeout: secs(k.header_read_timeout_sec),
            write_timeout: secs(k.write_timeout_sec),
            keepalive_timeout: secs(k.keepalive_timeout_sec),
            drain: secs(k.shutdown_drain_sec),
        }
    }

    fn timeouts(&self) -> conn::Timeouts {
        conn::Timeouts {
            header: self.header_read_timeout,
            first_byte: self.first_byte_timeout,
            write: self.write_timeout,
        }
    }
}

/// What `serve` serves: the application (`api::app::App`), or (in tests) any
/// axum router.
pub trait AppService:
    tower::Service<
        http::Request<Incoming>,
        Response = axum::response::Response,
        Error = std::convert::Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> AppService for S where
    S: tower::Service<
            http::Request<Incoming>,
            Response = axum::response::Response,
            Error = std::convert::Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// Serves `router` with the default limits until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    router: impl AppService,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, router, Limits::default(), shutdown).await
}

/// Serves `router` under `limits` until `shutdown` resolves, then drains open
/// connections for at most `limits.drain`.
pub async fn serve_with(
    listener: TcpListener,
    router: impl AppService,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let per_ip = per_ip::PerIp::new(limits.max_per_ip, limits.trusted.clone());
    let graceful = GracefulShutdown::new();
    let builder = builder(&limits);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            r = listener.accept() => match r {
                Ok(s) => s,
                Err(_) => {
                    // Out of descriptors or a connection reset before accept: back off.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = per_ip.admit(remote.ip()) else {
            // This address holds all of its connections: this one is closed unserved.
            continue;
        };
        let _ = stream.set_nodelay(true);
        let state = conn::ConnState::new(limits.timeouts());
        let io = TokioIo::new(conn::Guarded::new(stream, state.clone()));
        let started = state.clone();
        let service = router
            .clone()
            .map_request(move |mut req: http::Request<Incoming>| {
                req.extensions_mut().insert(ConnectInfo(remote));
                started.request_started();
                req
            })
            .map_response(move |resp| conn::finish_with(resp, state.clone()));
        let connection = builder
            .serve_connection_with_upgrades(io, TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop((permit, slot));
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {},
        () = tokio::time::sleep(limits.drain) => {},
    }
    Ok(())
}

fn builder(limits: &Limits) -> auto::Builder<TokioExecutor> {
    let mut b = auto::Builder::new(TokioExecutor::new());
    b.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.keepalive_timeout);
    b.http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(20)))
        .keep_alive_timeout(Duration::from_secs(20))
        .max_concurrent_streams(256);
    b
}

#[cfg(test)]
mod tests;

/// The peer address of a request served by [`serve`] (axum's `ConnectInfo`).
pub type Peer = ConnectInfo<SocketAddr>;
