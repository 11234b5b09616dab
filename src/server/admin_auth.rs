//! `X-API-Key` on the admin endpoints when `APP_API_KEY` is set, and the optional bearer
//! token on `/metrics` (`METRICS_AUTH=bearer`).
//!
//! Keys are compared as SHA-256 digests with a constant-time equality, so neither the
//! content nor the length of the configured key leaks through timing. Failed attempts are
//! limited per client: a client that got `ADMIN_KEY_FAILURE_BURST` keys wrong (10 by
//! default) gets 429 on every admin request (right key or not) until its bucket refills,
//! one attempt per [`FAILURE_REFILL`] — guessing a key costs time, not just requests.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AppState;
use super::error::ApiError;
use super::rate_limit::{RateLimiter, client_key, too_many};
use crate::config::MetricsAuth;
use crate::telemetry::prom::Refusal;

/// One more attempt is allowed every this long.
pub const FAILURE_REFILL: Duration = Duration::from_secs(6);

/// The limiter of failed attempts: `burst` wrong keys, then one per [`FAILURE_REFILL`].
pub fn failure_limiter(burst: u32) -> RateLimiter {
    RateLimiter::new(1.0 / FAILURE_REFILL.as_secs_f64(), burst)
}

/// Whether `given` equals `expected`, in constant time.
pub fn keys_match(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

/// Checks `given` against the admin key for the client of `req`: `None` when it may go
/// on, else the answer.
fn check(state: &AppState, req: &Request, given: &str, refused: &str) -> Option<Response> {
    let expected = state.settings.api_key.as_ref()?;
    let client = client_key(state, req);
    let now = Instant::now();
    if let Err(wait) = state.admin_failures.peek(client, now) {
        state.counters.refused(Refusal::AdminKey);
        return Some(too_many(wait, "Too many wrong keys from this client; wait"));
    }
    if keys_match(given, expected.expose()) {
        return None;
    }
    let _ = state.admin_failures.check(client, now);
    state.counters.refused(Refusal::AdminKey);
    Some(ApiError::unauthorized(refused).into_response())
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
