//! `X-API-Key` on the admin endpoints, when `APP_API_KEY` is set.
//!
//! Keys are compared as SHA-256 digests with a constant-time equality, so neither the
//! content nor the length of the configured key leaks through timing.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AppState;
use super::error::ApiError;

/// Whether `given` equals `expected`, in constant time.
pub fn keys_match(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

/// The middleware: 401 unless the key matches (or no key is configured).
pub async fn require_admin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(expected) = &state.settings.api_key {
        let given = req
            .headers()
            .get("x-api-key")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !keys_match(given, expected.expose()) {
            return ApiError::unauthorized("Invalid or missing API key (send it in X-API-Key)")
                .into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::keys_match;

    #[test]
    fn only_the_exact_key_matches() {
        assert!(keys_match("s3cret-key", "s3cret-key"));
        assert!(!keys_match("s3cret-kez", "s3cret-key"));
        assert!(!keys_match("", "s3cret-key"));
        assert!(!keys_match("s3cret-key ", "s3cret-key"));
    }
}
