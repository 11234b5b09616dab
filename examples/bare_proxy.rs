//! The floor of the gateway's stack: a plain hyper reverse proxy (hyper's HTTP/1 server,
//! hyper-util's pooled client) with none of SpaceWatch's work — no routing, middleware,
//! tenant, signing, recording or logging. `scripts/bench-gateway.sh` measures it beside
//! nginx and the gateway (`HYPER_FLOOR=1`) to show how much of the gateway's CPU per
//! request the HTTP stack itself costs, and what the runtime layout changes:
//!
//!   bare_proxy --port P --upstream http://127.0.0.1:S
//!              [--layout multi|per-core|paired|axum] [--threads N]
//!
//! `multi` is tokio's multi-thread runtime (as `spacewatch serve` runs); `per-core` is
//! one current-thread runtime per thread, each with its own `SO_REUSEPORT` listener and
//! its own upstream pool, so a request never leaves the thread that accepted it;
//! `paired` gives each client connection its own upstream connection, driven in the
//! same task; `axum` (with `LAYERS=N` no-op `from_fn` layers, default 4) puts the multi
//! layout behind an axum `Router` served as spacewatch serves it, to price the
//! framework's shape.

use std::convert::Infallible;
use std::net::SocketAddr;

use http::{Request, Response, Uri};
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpSocket;

type Body = BoxBody<Bytes, hyper::Error>;
type Upstream = Client<HttpConnector, Incoming>;

#[derive(Clone, Copy)]
enum Layout {
    Multi,
    PerCore,
    Paired,
    Axum,
}

struct Args {
    port: u16,
    upstream: String,
    layout: Layout,
    threads: usize,
}

fn args() -> Args {
    let mut a = Args {
        port: 0,
        upstream: String::new(),
        layout: Layout::Multi,
        threads: 2,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--port" => a.port = value.parse().expect("--port"),
            "--upstream" => a.upstream = value,
            "--layout" => {
                a.layout = match value.as_str() {
                    "multi" => Layout::Multi,
                    "per-core" => Layout::PerCore,
                    "paired" => Layout::Paired,
                    "axum" => Layout::Axum,
                    other => panic!("unknown layout {other}"),
                }
            }
            "--threads" => a.threads = value.parse().expect("--threads"),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

async fn proxy(
    client: Upstream,
    upstream: &'static str,
    mut req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
    let uri: Uri = format!("{upstream}{path}").parse().expect("uri");
    *req.uri_mut() = uri;
    req.headers_mut().remove(http::header::HOST);
    Ok(match client.request(req).await {
        Ok(resp) => resp.map(|b| b.boxed()),
        Err(_) => bad_gateway(),
    })
}

fn bad_gateway() -> Response<Body> {
    Response::builder()
        .status(502)
        .body(http_body_util::Empty::new().map_err(|n| match n {}).boxed())
        .expect("502")
}

/// The upstream pool: more idle connections than any benchmark has clients.
fn pool<B>() -> Client<HttpConnector, B>
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
{
    Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(256)
        .build_http()
}

fn listener(port: u16) -> tokio::net::TcpListener {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_reuseaddr(true).expect("reuseaddr");
    socket.set_reuseport(true).expect("reuseport");
    socket
        .bind(SocketAddr::from(([127, 0, 0, 1], port)))
        .expect("bind");
    socket.listen(1024).expect("listen")
}

async fn serve(port: u16, upstream: &'static str) {
    let listener = listener(port);
    let client: Upstream = pool();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let client = client.clone();
        tokio::spawn(async move {
            let svc = service_fn(move |req| proxy(client.clone(), upstream, req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// `paired`: each client connection owns one upstream connection, driven inside the
/// client connection's own task (no pool, no hand-off to a connection task).
async fn serve_paired(port: u16, upstream: &'static str) {
    let listener = listener(port);
    let authority = upstream.trim_start_matches("http://").to_string();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let authority = authority.clone();
        tokio::spawn(async move {
            let Ok(up) = tokio::net::TcpStream::connect(&authority).await else {
                return;
            };
            let _ = up.set_nodelay(true);
            let Ok((send, conn)) = hyper::client::conn::http1::handshake(TokioIo::new(up)).await
            else {
                return;
            };
            let send = std::sync::Arc::new(tokio::sync::Mutex::new(send));
            let svc = service_fn(move |mut req: Request<Incoming>| {
                let send = send.clone();
                async move {
                    let path = req.uri().path_and_query().map_or("/", |p| p.as_str());
                    *req.uri_mut() = path.parse().expect("uri");
                    let mut s = send.lock().await;
                    let r = s.send_request(req).await;
                    Ok::<_, Infallible>(match r {
                        Ok(resp) => resp.map(|b| b.boxed()),
                        Err(_) => bad_gateway(),
                    })
                }
            });
            let server = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = server => {}
                _ = conn => {}
            }
        });
    }
}

async fn noop(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    next.run(req).await
}

/// `axum`: the multi layout's proxy behind an axum `Router` (the route
/// `/{bucket}/{*key}`) and `LAYERS` no-op `from_fn` middlewares (default 4), served by
/// hyper-util's auto (HTTP/1 + h2c) builder as spacewatch serves its router.
async fn serve_axum(port: u16, upstream: &'static str) {
    use axum::middleware::from_fn;
    let listener = listener(port);
    let client: Client<HttpConnector, axum::body::Body> = pool();
    let router = axum::Router::new().route(
        "/{bucket}/{*key}",
        axum::routing::get(move |req: axum::extract::Request| {
            let client = client.clone();
            async move {
                let (parts, body) = req.into_parts();
                let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                let mut out = Request::new(body);
                *out.uri_mut() = format!("{upstream}{path}").parse().expect("uri");
                match client.request(out).await {
                    Ok(resp) => resp.map(axum::body::Body::new),
                    Err(_) => {
                        let mut r = axum::response::Response::new(axum::body::Body::empty());
                        *r.status_mut() = http::StatusCode::BAD_GATEWAY;
                        r
                    }
                }
            }
        }),
    );
    let layers: usize = std::env::var("LAYERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let mut router = router;
    for _ in 0..layers {
        router = router.layer(from_fn(noop));
    }
    let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = hyper_util::service::TowerToHyperService::new(router.clone());
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), svc)
            .into_owned();
        tokio::spawn(conn);
    }
}

fn multi_thread(threads: usize, server: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(server);
}

fn main() {
    let a = args();
    let upstream: &'static str = Box::leak(a.upstream.into_boxed_str());
    match a.layout {
        Layout::Multi => multi_thread(a.threads, serve(a.port, upstream)),
        Layout::Paired => multi_thread(a.threads, serve_paired(a.port, upstream)),
        Layout::Axum => multi_thread(a.threads, serve_axum(a.port, upstream)),
        Layout::PerCore => per_core(a.threads, a.port, upstream),
    }
}

/// One current-thread runtime per thread, each serving its own `SO_REUSEPORT` listener.
fn per_core(threads: usize, port: u16, upstream: &'static str) {
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime")
                    .block_on(serve(port, upstream));
            })
        })
        .collect();
    for w in workers {
        let _ = w.join();
    }
}
