//! The accept loop: one task per connection, under the limits that keep a hostile or
//! broken client from holding the server.
//!
//! - **Connection cap** (`MAX_CONNECTIONS`): at the cap the loop stops accepting until a
//!   connection closes; further clients wait in the kernel's backlog, as with nginx's
//!   `worker_connections`.
//! - **Idle keep-alive timeout** (`KEEPALIVE_TIMEOUT_SEC`): hyper's header-read timer,
//!   which hyper starts whenever a connection waits for a request — a new connection or
//!   a kept-alive one after its response — so a connection idle that long is closed.
//! - **Header-read timeout** (`HEADER_READ_TIMEOUT_SEC`): once the first byte of a request
//!   arrived, its whole head must arrive within this time (`conn::Guarded`): a client
//!   that sends half its headers cannot hold the connection.
//! - **Drain deadline** (`SHUTDOWN_DRAIN_SEC`): on shutdown the listener closes, open
//!   connections finish their requests, and whatever is still open at the deadline is
//!   dropped.
//!
//! Every connection gets `TCP_NODELAY`: a streamed response goes out as head and body in
//! separate writes, and with Nagle on the body would wait for the client's delayed ACK
//! (40 ms on Linux) on every response.

mod conn;

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

/// The connection limits (flags and environment variables of `serve`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub keepalive_timeout: Duration,
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            keepalive_timeout: Duration::from_secs(75),
            drain: Duration::from_secs(30),
        }
    }
}

impl From<&crate::config::Knobs> for Limits {
    fn from(k: &crate::config::Knobs) -> Self {
        Self {
            max_connections: k.max_connections,
            header_read_timeout: Duration::from_secs_f64(k.header_read_timeout_sec),
            keepalive_timeout: Duration::from_secs_f64(k.keepalive_timeout_sec),
            drain: Duration::from_secs_f64(k.shutdown_drain_sec),
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
        let _ = stream.set_nodelay(true);
        let state = conn::ConnState::new(limits.header_read_timeout);
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
            drop(permit);
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
