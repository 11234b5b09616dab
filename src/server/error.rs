//! The one error type of the HTTP API: a status and a readable `detail`, rendered as
//! `{"detail": "..."}`. The detail is also attached to the response as [`ErrorText`] so
//! the operation layer can record it without parsing the body. Domain errors (storage,
//! tenant access) become `ApiError`s here, at the top, so the layers below never know
//! about HTTP answers.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;

use crate::agent::tools::{ToolError, ToolErrorKind};
use crate::storage::{StorageError, StorageErrorKind};
use crate::telemetry::operation::CLIENT_CLOSED;
pub use crate::telemetry::operation::ErrorText;
use crate::telemetry::operation::bounded_text;
use crate::tenant::{AccessError, CredentialError};

/// Longest `detail` answered: enough for any message of ours, and a bound on what an
/// error can echo of the request.
const MAX_DETAIL: usize = 512;

/// An error answered to the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub detail: String,
    /// Seconds for a `Retry-After` header (a 429 or 503 that will pass).
    pub retry_after: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        let detail: String = detail.into();
        let detail = if detail.len() > MAX_DETAIL {
            bounded_text(&detail, MAX_DETAIL)
        } else {
            detail
        };
        Self {
            status,
            detail,
            retry_after: None,
        }
    }

    /// The same error, saying when to try again.
    pub fn retry_after(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, detail)
    }

    pub fn bad_gateway(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, detail)
    }

    pub fn service_unavailable(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, detail)
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, detail)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.detail)
    }
}

impl std::error::Error for ApiError {}

/// The body of every error answer.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub detail: &'a str,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(ErrorBody {
            detail: &self.detail,
        });
        let mut resp = (self.status, body).into_response();
        if let Some(s) = self.retry_after {
            resp.headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(s));
        }
        resp.extensions_mut().insert(ErrorText(self.detail));
        resp
    }
}

/// The one mapping of a storage failure's kind to the HTTP status answered for it (the
/// gateway's S3 errors start from it too).
pub fn storage_status(kind: StorageErrorKind) -> StatusCode {
    use StorageErrorKind as K;
    match kind {
        K::BucketNotFound | K::ObjectNotFound | K::NotFound => StatusCode::NOT_FOUND,
        K::AccessDenied => StatusCode::FORBIDDEN,
        K::BadCredentials => StatusCode::UNAUTHORIZED,
        K::Refused(status) => StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
        K::Failed | K::Unreachable => StatusCode::BAD_GATEWAY,
        K::Timeout => StatusCode::GATEWAY_TIMEOUT,
        K::BadRequest | K::ChunkSignatureMismatch | K::DigestMismatch | K::ChecksumMismatch => {
            StatusCode::BAD_REQUEST
        }
        K::LengthRequired => StatusCode::LENGTH_REQUIRED,
        K::NotImplemented => StatusCode::NOT_IMPLEMENTED,
        K::ClientStalled => StatusCode::REQUEST_TIMEOUT,
        K::ClientLeft => StatusCode::from_u16(CLIENT_CLOSED).unwrap_or(StatusCode::BAD_REQUEST),
        K::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        ApiError::new(storage_status(e.kind), e.message)
    }
}

impl From<ToolError> for ApiError {
    fn from(e: ToolError) -> Self {
        let status = match e.kind {
            ToolErrorKind::Status(status) => status,
            ToolErrorKind::Storage(kind) => storage_status(kind),
        };
        ApiError::new(status, e.message)
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::Credentials(e) | AccessError::Storage(e) => e.into(),
            AccessError::BucketNotFound => ApiError::not_found(e.to_string()),
            AccessError::BucketForbidden => ApiError::forbidden(e.to_string()),
        }
    }
}

impl From<CredentialError> for ApiError {
    fn from(e: CredentialError) -> Self {
        ApiError::bad_request(e.to_string())
    }
}

impl From<crate::accesslog::LogError> for ApiError {
    fn from(e: crate::accesslog::LogError) -> Self {
        use crate::accesslog::LogError as L;
        use crate::accesslog::jobs::Busy;
        match e {
            L::NotConfigured(m) => ApiError::bad_request(m),
            L::BadInput(m) => ApiError::bad_request(m),
            L::Key(k) => ApiError::bad_request(k.to_string()),
            L::Busy(b @ Busy::Tenant) => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, b.to_string()).retry_after(1)
            }
            L::Busy(b @ Busy::Server) => {
                ApiError::service_unavailable(b.to_string()).retry_after(1)
            }
            L::TooLarge { .. } => ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
            L::NotFound => ApiError::not_found(e.to_string()),
            L::Storage(s) => s.into(),
        }
    }
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests;
