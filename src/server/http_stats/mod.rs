//! The Mission Control recording layer: one [`Exchange`] per HTTP response, on every
//! route — pages, `/health`, `/metrics`, admin, storage, 404s — into
//! [`HttpStats`](crate::mission::HttpStats).
//!
//! It is the outermost layer, applied with `Router::layer` after routing, so the
//! request carries its [`MatchedPath`](axum::extract::MatchedPath) (the route template, never the raw path; none
//! for a request no route matched). The latency is from the request entering the layer
//! to the response head leaving it — for a streamed gateway body, the time to the head.
//! A request whose client went away before the head was ready is not counted. The
//! client is who the rate limits see ([`client_ip`](super::client_ip)): the peer, or the
//! address a trusted proxy forwarded, IPv6 by its /64.

use std::time::Instant;

use axum::extract::Request;
use axum::response::Response;

use super::AppState;
use super::client_ip::{limit_key, peer};
use super::stages::Unrouted;
use crate::mission::Exchange;
use crate::telemetry::HttpMethod;

/// The stage: records the exchange of `req` with `inner`, the rest of the stack, under
/// its route template — or none when no route matched or the response says no route
/// answered ([`Unrouted`]: the router's 404 and 405, counted as `<unmatched>`). It is no
/// middleware of its own: the
/// application (`api::app`) runs it and the request context as one, because every
/// `from_fn` layer adds CPU to each request (`examples/bare_proxy.rs --layout axum`,
/// `LAYERS=0/4/8` measures it), and the gateway's dispatch calls it directly.
pub async fn around<F>(
    state: &AppState,
    route: Option<&str>,
    req: Request,
    inner: impl FnOnce(Request) -> F,
) -> Response
where
    F: Future<Output = Response>,
{
    let method = HttpMethod::from(req.method());
    let client = limit_key(state.proxies.client(peer(req.extensions()), req.headers()));
    let start = Instant::now();
    let resp = inner(req).await;
    let route = route.filter(|_| resp.extensions().get::<Unrouted>().is_none());
    state.http_stats.record(&Exchange {
        route,
        method,
        status: resp.status().as_u16(),
        latency: start.elapsed(),
        client,
    });
    resp
}

#[cfg(test)]
mod tests;
