//! Per-client-IP token buckets. A refused request is a 429 with `Retry-After`, counted in
//! `spacewatch_rate_limited_requests_total`, and never becomes an operation: this layer
//! sits outside the operation layer.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode};
use parking_lot::Mutex;

use super::AppState;
use super::error::ApiError;

/// Entries kept before idle clients are swept out.
const SWEEP_AT: usize = 10_000;

/// Token buckets per client IP; `rps == 0` turns the limit off.
#[derive(Debug)]
pub struct RateLimiter {
    rps: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(rps: f64, burst: u32) -> Self {
        Self {
            rps,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.rps > 0.0
    }

    /// Takes a token for `ip`, or says how long to wait for one.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        if !self.enabled() {
            return Ok(());
        }
        let mut map = self.buckets.lock();
        if map.len() >= SWEEP_AT {
            let (rps, burst) = (self.rps, self.burst);
            map.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * rps < burst
            });
        }
        let (tokens, at) = map.entry(ip).or_insert((self.burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * self.rps).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rps))
        }
    }
}

fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

fn too_many(wait: Duration) -> Response {
    let mut resp = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Rate limit exceeded; slow down",
    )
    .into_response();
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        resp.headers_mut().insert(http::header::RETRY_AFTER, v);
    }
    resp
}

/// The limit of the tool, access-log, snapshot and chat endpoints.
pub async fn limit_api(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match state.api_limiter.check(client_ip(&req), Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            state.counters.rate_limited(false);
            too_many(wait)
        }
    }
}

/// The gateway's own limit (off by default).
pub async fn limit_gateway(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match state.gateway_limiter.check(client_ip(&req), Instant::now()) {
        Ok(()) => next.run(req).await,
        Err(wait) => {
            state.counters.rate_limited(true);
            too_many(wait)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_refill() {
        let l = RateLimiter::new(2.0, 3);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let t0 = Instant::now();
        assert!((0..3).all(|_| l.check(ip, t0).is_ok()));
        let wait = l.check(ip, t0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-9);
        assert!(l.check(ip, t0 + Duration::from_millis(500)).is_ok());
        assert!(
            l.check("10.0.0.2".parse().unwrap(), t0).is_ok(),
            "other clients are separate"
        );
    }

    #[test]
    fn zero_rate_is_off() {
        let l = RateLimiter::new(0.0, 1);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        assert!((0..1000).all(|_| l.check(ip, Instant::now()).is_ok()));
    }
}
