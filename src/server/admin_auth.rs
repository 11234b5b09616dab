//! `X-API-Key` on the admin endpoints when `APP_API_KEY` is set, and the optional bearer
//! token on `/metrics` (`METRICS_AUTH=bearer`).
//!
//! Keys are compared as SHA-256 digests with a constant-time equality, so neither the
//! content nor the length of the configured key leaks through timing. The right key is
//! never refused. Failures are limited per client *and presented key*: a client that
//! sent the same wrong key `ADMIN_KEY_FAILURE_BURST` times (10 by default) gets 429 for
//! that key until its bucket refills, one attempt per [`FAILURE_REFILL`]. Keyed by the
//! client alone, the limit locked out everyone behind one address — the admin with the
//! right key too, after anyone's ten wrong ones (issue 18). Guessing many different keys
//! is no faster for it than it was for a client with addresses to spare: what makes
//! guessing hopeless is the key's length (at least 16 characters, `APP_API_KEY`).

use std::net::{IpAddr, Ipv6Addr};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AppState;
use super::error::ApiError;
use super::rate_limit::{LimitKey, RateLimiter, client_key, too_many};
use crate::config::MetricsAuth;
use crate::telemetry::prom::Refusal;

/// One more attempt is allowed every this long.
pub const FAILURE_REFILL: Duration = Duration::from_secs(6);

/// One wrong attempt's key: the client, and the SHA-256 of the key it presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attempt {
    client: IpAddr,
    key: [u8; 32],
}

impl LimitKey for Attempt {
    const OVERFLOW: Self = Attempt {
        client: IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        key: [0; 32],
    };
}

/// The limiter of failed attempts: `burst` wrong tries of one key from one client, then
/// one per [`FAILURE_REFILL`].
pub fn failure_limiter(burst: u32) -> RateLimiter<Attempt> {
    RateLimiter::new(1.0 / FAILURE_REFILL.as_secs_f64(), burst)
}

/// Whether `given` equals `expected`, in constant time.
pub fn keys_match(given: &str, expected: &str) -> bool {
    digest(given).ct_eq(&digest(expected)).into()
}

fn digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

/// Checks `given` against the admin key for the client of `req`: `None` when it may go
/// on, else the answer. The right key always goes on; a wrong one is a 401, or a 429
/// once this client sent it too often.
fn check(state: &AppState, req: &Request, given: &str, refused: &str) -> Option<Response> {
    let expected = state.settings.api_key.as_ref()?;
    if keys_match(given, expected.expose()) {
        return None;
    }
    state.counters.refused(Refusal::AdminKey);
    let attempt = Attempt {
        client: client_key(state, req),
        key: digest(given),
    };
    match state.admin_failures.check(attempt, Instant::now()) {
        Ok(()) => Some(ApiError::unauthorized(refused).into_response()),
        Err(wait) => Some(too_many(
            wait,
            "Too many tries of this wrong key from this client; wait",
        )),
    }
}

/// The admin middleware: 401 unless the key matches (or no key is configured).
pub async fn require_admin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let given = header(&req, "x-api-key").unwrap_or("").to_string();
    let msg = "Invalid or missing API key (send it in X-API-Key)";
    match check(&state, &req, &given, msg) {
        Some(refused) => refused,
        None => next.run(req).await,
    }
}

/// `/metrics` with `METRICS_AUTH=bearer`: `Authorization: Bearer <APP_API_KEY>`.
pub async fn require_metrics_auth(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if state.settings.metrics_auth == MetricsAuth::None {
        return next.run(req).await;
    }
    let given = header(&req, "authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .trim()
        .to_string();
    let msg = "/metrics needs Authorization: Bearer <APP_API_KEY> (METRICS_AUTH=bearer)";
    match check(&state, &req, &given, msg) {
        Some(mut refused) => {
            if refused.status() == http::StatusCode::UNAUTHORIZED {
                refused.headers_mut().insert(
                    http::header::WWW_AUTHENTICATE,
                    http::HeaderValue::from_static("Bearer realm=\"spacewatch\""),
                );
            }
            refused
        }
        None => next.run(req).await,
    }
}

fn header<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers().get(name).and_then(|v| v.to_str().ok())
}

#[cfg(test)]
mod tests;
