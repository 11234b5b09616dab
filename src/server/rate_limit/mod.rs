//! Per-client token buckets. A refused request is a 429 with `Retry-After`, counted in
//! `spacewatch_rate_limited_requests_total`, and never becomes an operation: this layer
//! sits outside the operation layer.
//!
//! Clients are keyed by [`client_ip`](super::client_ip) (the forwarded address behind a
//! trusted proxy; IPv6 by /64) — or by any [`LimitKey`], such as the admin-key failures'
//! (client, presented key). Memory is bounded: idle clients (full buckets) are swept
//! when the table reaches a threshold that doubles with its live size, so sweeping is
//! O(1) amortised; past [`MAX_CLIENTS`] live entries, new clients share one bucket.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use parking_lot::Mutex;

use super::AppState;
use super::client_ip::{limit_key, peer};
use super::error::ApiError;

/// Table size at which idle entries are first swept.
const SWEEP_AT: usize = 10_000;
/// Live clients tracked one by one; beyond, new clients share `OVERFLOW`'s bucket.
pub const MAX_CLIENTS: usize = 100_000;
/// What a limiter keys its buckets by.
pub trait LimitKey: Copy + Eq + Hash + std::fmt::Debug {
    /// The key of the shared bucket past [`MAX_CLIENTS`]: one no client has.
    const OVERFLOW: Self;
}

impl LimitKey for IpAddr {
    const OVERFLOW: Self = IpAddr::V6(Ipv6Addr::UNSPECIFIED);
}

#[derive(Debug)]
struct Table<K> {
    buckets: HashMap<K, (f64, Instant)>,
    sweep_at: usize,
}

/// Token buckets per client; `rps == 0` turns the limit off.
#[derive(Debug)]
pub struct RateLimiter<K = IpAddr> {
    rps: f64,
    burst: f64,
    table: Mutex<Table<K>>,
}

impl<K: LimitKey> RateLimiter<K> {
    pub fn new(rps: f64, burst: u32) -> Self {
        Self {
            rps,
            burst: f64::from(burst.max(1)),
            table: Mutex::new(Table {
                buckets: HashMap::new(),
                sweep_at: SWEEP_AT,
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.rps > 0.0
    }

    /// Takes a token for `client`, or says how long to wait for one.
    pub fn check(&self, client: K, now: Instant) -> Result<(), Duration> {
        self.take(client, now, true)
    }

    /// Whether `client` has a token, without taking it.
    pub fn peek(&self, client: K, now: Instant) -> Result<(), Duration> {
        self.take(client, now, false)
    }

    fn take(&self, client: K, now: Instant, consume: bool) -> Result<(), Duration> {
        if !self.enabled() {
            return Ok(());
        }
        let mut t = self.table.lock();
        if t.buckets.len() >= t.sweep_at {
            self.sweep(&mut t, now);
        }
        let key = if t.buckets.len() >= MAX_CLIENTS && !t.buckets.contains_key(&client) {
            K::OVERFLOW
        } else {
            client
        };
        let (tokens, at) = t.buckets.entry(key).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.rps).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            if consume {
                *tokens -= 1.0;
            }
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rps))
        }
    }

    /// Drops clients whose bucket has refilled (they are as if never seen), and sets the
    /// next sweep at twice what is left, so a table of busy clients is not rescanned on
    /// every request.
    fn sweep(&self, t: &mut Table<K>, now: Instant) {
        let (rps, burst) = (self.rps, self.burst);
        t.buckets.retain(|_, (tokens, at)| {
            *tokens + now.saturating_duration_since(*at).as_secs_f64() * rps < burst
        });
        t.sweep_at = (t.buckets.len() * 2).max(SWEEP_AT);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.table.lock().buckets.len()
    }
}

/// The rate-limit key of a request's client.
pub fn client_key(state: &AppState, req: &Request) -> IpAddr {
    limit_key(state.proxies.client(peer(req.extensions()), req.headers()))
}

pub(crate) fn too_many(wait: Duration, detail: &str) -> Response {
    let mut resp = ApiError::new(StatusCode::TOO_MANY_REQUESTS, detail).into_response();
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(http::header::RETRY_AFTER, v);
    }
    resp
}

/// Which limit a request is under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// The tool, access-log, snapshot, chat and MCP endpoints (`RATE_LIMIT_RPS`).
    Api,
    /// The gateway's own (`GATEWAY_RATE_LIMIT_RPS`, off by default).
    Gateway,
    /// An anonymous gateway request: the API's limit and the gateway's.
    Anonymous,
}

/// The 429 of a request over its limit, counted; `None` when it may go on.
pub fn rate_limited(state: &AppState, limit: Limit, req: &Request) -> Option<Response> {
    let limiters: &[(&RateLimiter, bool)] = match limit {
        Limit::Api => &[(&state.api_limiter, false)],
        Limit::Gateway => &[(&state.gateway_limiter, true)],
        Limit::Anonymous => &[(&state.api_limiter, false), (&state.gateway_limiter, true)],
    };
    let client = client_key(state, req);
    for (limiter, gateway) in limiters {
        if !limiter.enabled() {
            continue;
        }
        if let Err(wait) = limiter.check(client, Instant::now()) {
            state.counters.rate_limited(*gateway);
            return Some(too_many(wait, "Rate limit exceeded; slow down"));
        }
    }
    None
}

/// The API's limit as a middleware, for routes that are no single operation (`/mcp`).
pub async fn limit_api(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match rate_limited(&state, Limit::Api, &req) {
        Some(refused) => refused,
        None => next.run(req).await,
    }
}

#[cfg(test)]
mod tests;
