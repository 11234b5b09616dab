//! Storage failures: what kind of failure it was, and a readable, secret-free text. The
//! kind is all the HTTP layer needs; its one mapping to a status is in `server/error.rs`.
//!
//! | upstream                                  | kind             | text                          |
//! |-------------------------------------------|------------------|-------------------------------|
//! | NoSuchBucket                              | `BucketNotFound` | Bucket not found              |
//! | NoSuchKey                                 | `ObjectNotFound` | Object not found              |
//! | NotFound (HEAD requests), a bare 404      | `NotFound`       | Not found                     |
//! | AccessDenied, AllAccessDisabled, a bare 403 | `AccessDenied` | Access denied                 |
//! | InvalidAccessKeyId (NotSignedUp), SignatureDoesNotMatch | `BadCredentials` | Invalid storage credentials … |
//! | another 4xx (a failed precondition, …)    | `Refused(status)`| Storage error: `<code>`       |
//! | connection refused / reset                | `Unreachable`    | Cannot reach storage endpoint |
//! | timeout (`S3_TIMEOUT_SEC`)                | `Timeout`        | Storage request timed out     |
//! | anything else, a 5xx                      | `Failed`         | Storage error: `<code>`       |
//!
//! The text is built from the error *code* only, never from the upstream message, so
//! nothing the server echoes back (string-to-sign, headers) can leak into logs.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

/// What kind of failure a storage call had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageErrorKind {
    BucketNotFound,
    ObjectNotFound,
    /// A 404 without a code (HEAD requests have no error body).
    NotFound,
    AccessDenied,
    /// The tenant's key is unknown or its secret does not sign.
    BadCredentials,
    /// The store answered another 4xx (this status): the client's answer, not an outage.
    Refused(u16),
    /// The store failed (a 5xx, an unknown code, an unreadable answer).
    Failed,
    Unreachable,
    Timeout,
    /// The gateway cannot send this request as it is (a malformed header or body).
    BadRequest,
    /// A signed upload's chunk signature does not match.
    ChunkSignatureMismatch,
    /// The body does not match its declared `x-amz-content-sha256`.
    DigestMismatch,
    /// The body does not match its declared S3 checksum.
    ChecksumMismatch,
    /// An aws-chunked upload without its decoded length.
    LengthRequired,
    /// A request that cannot be forwarded faithfully (an aws-chunked trailer other than a
    /// checksum).
    NotImplemented,
    /// The client stopped sending the request body.
    ClientStalled,
    /// The client closed the connection mid-upload.
    ClientLeft,
    /// The gateway itself failed (signing).
    Internal,
}

/// A failed storage call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    pub kind: StorageErrorKind,
    pub message: String,
}

impl StorageError {
    pub fn new(kind: StorageErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
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
                Self::new(Kind::Failed, "Unreadable response from storage")
            }
            _ => Self::failed(),
        }
    }

    pub fn timeout() -> Self {
        Self::new(Kind::Timeout, "Storage request timed out")
    }

    pub fn unreachable() -> Self {
        Self::new(Kind::Unreachable, "Cannot reach storage endpoint")
    }

    pub fn failed() -> Self {
        Self::new(Kind::Failed, "Storage request failed")
    }

    /// From an S3 error response (code from its XML body, if any, and HTTP status), for
    /// the gateway: the codes of the table are mapped; other 4xx keep their status (a
    /// failed precondition is the client's answer, not an outage); 5xx are failures.
    pub fn from_response(code: Option<&str>, http_status: u16) -> Self {
        let mapped = matches!(
            code,
            Some("NoSuchBucket" | "NoSuchKey" | "NotFound" | "AccessDenied" | "AllAccessDisabled")
                | Some("InvalidAccessKeyId" | "NotSignedUp" | "SignatureDoesNotMatch")
        );
        if mapped || code.is_none() && matches!(http_status, 403 | 404) {
            return from_code(code, http_status);
        }
        if !(400..500).contains(&http_status) {
            return from_code(code.or(Some("InternalError")), http_status);
        }
        let text = match code {
            Some(c) => format!("Storage error: {}", safe_code(c)),
            None => http::StatusCode::from_u16(http_status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Client error")
                .to_string(),
        };
        Self::new(Kind::Refused(http_status), text)
    }
}

use StorageErrorKind as Kind;

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
    match code {
        Some("NoSuchBucket") => StorageError::new(Kind::BucketNotFound, "Bucket not found"),
        Some("NoSuchKey") => StorageError::new(Kind::ObjectNotFound, "Object not found"),
        // HeadBucket/HeadObject have no error body; the SDK calls their 404 "NotFound".
        Some("NotFound") => StorageError::new(Kind::NotFound, "Not found"),
        Some("AccessDenied" | "AllAccessDisabled") => {
            StorageError::new(Kind::AccessDenied, "Access denied")
        }
        Some("InvalidAccessKeyId" | "NotSignedUp") => StorageError::new(
            Kind::BadCredentials,
            "Invalid storage credentials: unknown access key",
        ),
        Some("SignatureDoesNotMatch") => StorageError::new(
            Kind::BadCredentials,
            "Invalid storage credentials: signature does not match (check X-Spaces-Secret)",
        ),
        Some(code) => {
            StorageError::new(Kind::Failed, format!("Storage error: {}", safe_code(code)))
        }
        None => match http_status {
            404 => StorageError::new(Kind::NotFound, "Not found"),
            403 => StorageError::new(Kind::AccessDenied, "Access denied"),
            s => StorageError::new(Kind::Failed, format!("Storage returned HTTP {s}")),
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
