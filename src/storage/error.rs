//! Upstream failures mapped to an HTTP status and a readable, secret-free text.
//!
//! | upstream                                  | status | text                          |
//! |-------------------------------------------|--------|-------------------------------|
//! | NoSuchBucket                              | 404    | Bucket not found              |
//! | NoSuchKey                                 | 404    | Object not found              |
//! | NotFound (HEAD requests)                  | 404    | Not found                     |
//! | AccessDenied                              | 403    | Access denied                 |
//! | InvalidAccessKeyId (NotSignedUp), SignatureDoesNotMatch | 401 | Invalid storage credentials … |
//! | connection refused / reset                | 502    | Cannot reach storage endpoint |
//! | timeout (`S3_TIMEOUT_SEC`)                | 504    | Storage request timed out     |
//! | anything else                             | 502    | Storage error: `<code>`       |
//!
//! The text is built from the error *code* only, never from the upstream message, so
//! nothing the server echoes back (string-to-sign, headers) can leak into logs.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use http::StatusCode;

/// A failed storage call, ready to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    pub status: StatusCode,
    pub message: String,
}

impl StorageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// Classifies an SDK error.
    pub fn from_sdk<E, R>(err: &SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata,
        R: HttpStatus,
    {
        match err {
            SdkError::ServiceError(se) => from_code(se.err().code(), se.raw().http_status()),
            SdkError::TimeoutError(_) => Self::timeout(),
            SdkError::DispatchFailure(df) if df.is_timeout() => Self::timeout(),
            SdkError::DispatchFailure(_) => Self::unreachable(),
            SdkError::ResponseError(_) => {
                Self::new(StatusCode::BAD_GATEWAY, "Unreadable response from storage")
            }
            _ => Self::failed(),
        }
    }

    pub fn timeout() -> Self {
        Self::new(StatusCode::GATEWAY_TIMEOUT, "Storage request timed out")
    }

    pub fn unreachable() -> Self {
        Self::new(StatusCode::BAD_GATEWAY, "Cannot reach storage endpoint")
    }

    pub fn failed() -> Self {
        Self::new(StatusCode::BAD_GATEWAY, "Storage request failed")
    }

    /// From an S3 error response (code from its XML body, if any, and HTTP status), for
    /// the gateway: the codes of the table are mapped; other 4xx keep their status (a
    /// failed precondition is the client's answer, not an outage); 5xx become 502.
    pub fn from_response(code: Option<&str>, http_status: u16) -> Self {
        let mapped = matches!(
            code,
            Some("NoSuchBucket" | "NoSuchKey" | "NotFound" | "AccessDenied" | "AllAccessDisabled")
                | Some("InvalidAccessKeyId" | "NotSignedUp" | "SignatureDoesNotMatch")
        );
        if mapped || code.is_none() && matches!(http_status, 403 | 404) {
            return from_code(code, http_status);
        }
        let status = StatusCode::from_u16(http_status).unwrap_or(StatusCode::BAD_GATEWAY);
        if status.is_server_error() || !status.is_client_error() {
            return from_code(code.or(Some("InternalError")), http_status);
        }
        let text = match code {
            Some(c) => format!("Storage error: {}", safe_code(c)),
            None => status
                .canonical_reason()
                .unwrap_or("Client error")
                .to_string(),
        };
        Self::new(status, text)
    }
}

/// Access to the HTTP status of a raw response, whatever its type.
pub trait HttpStatus {
    fn http_status(&self) -> u16;
}

impl HttpStatus for aws_sdk_s3::config::http::HttpResponse {
    fn http_status(&self) -> u16 {
        self.status().as_u16()
    }
}

fn from_code(code: Option<&str>, http_status: u16) -> StorageError {
    use StatusCode as S;
    match code {
        Some("NoSuchBucket") => StorageError::new(S::NOT_FOUND, "Bucket not found"),
        Some("NoSuchKey") => StorageError::new(S::NOT_FOUND, "Object not found"),
        // HeadBucket/HeadObject have no error body; the SDK calls their 404 "NotFound".
        Some("NotFound") => StorageError::new(S::NOT_FOUND, "Not found"),
        Some("AccessDenied" | "AllAccessDisabled") => {
            StorageError::new(S::FORBIDDEN, "Access denied")
        }
        Some("InvalidAccessKeyId") => StorageError::new(
            S::UNAUTHORIZED,
            "Invalid storage credentials: unknown access key",
        ),
        Some("SignatureDoesNotMatch") => StorageError::new(
            S::UNAUTHORIZED,
            "Invalid storage credentials: signature does not match (check X-Spaces-Secret)",
        ),
        Some(code) => StorageError::new(
            S::BAD_GATEWAY,
            format!("Storage error: {}", safe_code(code)),
        ),
        None => match http_status {
            404 => StorageError::new(S::NOT_FOUND, "Not found"),
            403 => StorageError::new(S::FORBIDDEN, "Access denied"),
            s => StorageError::new(S::BAD_GATEWAY, format!("Storage returned HTTP {s}")),
        },
    }
}

/// Error codes are identifiers; anything else is not repeated.
fn safe_code(code: &str) -> &str {
    if code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.') {
        code
    } else {
        "unrecognised"
    }
}

impl std::fmt::Display for StorageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StorageError {}
