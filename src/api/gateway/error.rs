//! The gateway's own answers, as S3 clients read them: an S3 XML `<Error>` with a code
//! from S3's list and the status S3 gives it. Every refusal the gateway makes itself
//! (before or instead of the store) is one of these; the store's own errors pass
//! through untouched.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

use crate::server::error::{ApiError, ErrorText};
use crate::storage::sigv4::verify::VerifyError;
use crate::storage::{KeyError, StorageError, StorageErrorKind as K};
use crate::telemetry::operation::bounded_text;
use crate::tenant::sealed::SealError;
use crate::tenant::{AccessError, CredentialError};

/// Longest message text put in an answer.
const MAX_MESSAGE: usize = 512;

/// An S3 error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Error {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl S3Error {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: bounded_text(&message.into(), MAX_MESSAGE),
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    pub fn not_implemented(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_IMPLEMENTED, "NotImplemented", message)
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDenied", message)
    }

    /// The S3 code S3 uses for a status, for answers made elsewhere (a 429 of the rate
    /// limit, a 500 of the panic guard) that reach an S3 client.
    pub fn for_status(status: StatusCode, message: String) -> Self {
        let code = match status.as_u16() {
            400 => "InvalidRequest",
            401 | 403 => "AccessDenied",
            404 => "NoSuchKey",
            405 => "MethodNotAllowed",
            408 => "RequestTimeout",
            411 => "MissingContentLength",
            413 => "EntityTooLarge",
            429 | 503 => "SlowDown",
            499 => "RequestCanceled",
            501 => "NotImplemented",
            502 => "BadGateway",
            504 => "GatewayTimeout",
            _ => "InternalError",
        };
        Self::new(status, code, message)
    }
}

/// `&`, `<` and `>` escaped: XML text content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

impl IntoResponse for S3Error {
    fn into_response(self) -> Response {
        let body = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{}</Code><Message>{}</Message></Error>",
            self.code,
            escape(&self.message)
        );
        let mut resp = Response::new(Body::from(body));
        *resp.status_mut() = self.status;
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
        resp.extensions_mut().insert(ErrorText(self.message));
        resp
    }
}

impl From<VerifyError> for S3Error {
    fn from(e: VerifyError) -> Self {
        let (status, code) = match &e {
            VerifyError::Malformed(_) => (StatusCode::BAD_REQUEST, "AuthorizationHeaderMalformed"),
            VerifyError::Unsupported => (StatusCode::BAD_REQUEST, "InvalidRequest"),
            VerifyError::Mismatch => (StatusCode::FORBIDDEN, "SignatureDoesNotMatch"),
            VerifyError::Skewed => (StatusCode::FORBIDDEN, "RequestTimeTooSkewed"),
            VerifyError::Expired => (StatusCode::FORBIDDEN, "AccessDenied"),
        };
        Self::new(status, code, e.to_string())
    }
}

impl From<SealError> for S3Error {
    fn from(e: SealError) -> Self {
        match e {
            SealError::Expired => Self::new(StatusCode::BAD_REQUEST, "ExpiredToken", e.to_string()),
            SealError::Invalid | SealError::BadKey => {
                Self::new(StatusCode::FORBIDDEN, "InvalidToken", e.to_string())
            }
        }
    }
}

impl From<AccessError> for S3Error {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::BucketNotFound => {
                Self::new(StatusCode::NOT_FOUND, "NoSuchBucket", e.to_string())
            }
            AccessError::BucketForbidden => Self::access_denied(e.to_string()),
            AccessError::Credentials(s) | AccessError::Storage(s) => s.into(),
        }
    }
}

impl From<StorageError> for S3Error {
    /// A body refused on its way keeps S3's code for why; the rest by status.
    fn from(e: StorageError) -> Self {
        let code = match e.kind {
            K::ChunkSignatureMismatch => Some((StatusCode::FORBIDDEN, "SignatureDoesNotMatch")),
            K::DigestMismatch => Some((StatusCode::BAD_REQUEST, "XAmzContentSHA256Mismatch")),
            K::ChecksumMismatch => Some((StatusCode::BAD_REQUEST, "BadDigest")),
            _ => None,
        };
        match code {
            Some((status, code)) => Self::new(status, code, e.message),
            None => {
                let api = ApiError::from(e);
                Self::for_status(api.status, api.detail)
            }
        }
    }
}

impl From<CredentialError> for S3Error {
    fn from(e: CredentialError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", e.to_string())
    }
}

impl From<KeyError> for S3Error {
    fn from(e: KeyError) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", e.to_string())
    }
}

/// An error answer made by the stages the gateway shares with the rest of the server (a
/// JSON `{"detail"}`), as the S3 XML error an S3 client can read; other answers as
/// they are.
pub async fn as_s3_error(resp: Response) -> Response {
    let status = resp.status();
    let json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || !json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let detail = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["detail"].as_str().map(str::to_string))
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_string());
    let mut out = S3Error::for_status(status, detail).into_response();
    for (k, v) in &parts.headers {
        if k != header::CONTENT_TYPE && k != header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out.extensions_mut().extend(parts.extensions);
    out
}
