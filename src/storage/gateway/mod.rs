//! The streaming S3 gateway's way upstream: a request forwarded to the store as the
//! client sent it, signed again with the tenant's credentials (or not at all, for an
//! anonymous client), and its answer streamed back.
//!
//! Bodies stream both ways (nothing buffers a whole object; memory stays flat for a
//! multi-GiB transfer). A body the client signed is checked on the way — its declared
//! SHA-256 (`digest`), or each aws-chunked chunk's signature ([`chunked`]) — and one
//! that fails is cut before its end, so the store never completes the upload. The
//! store's answer crosses unchanged, errors included (their small XML is read to name
//! the error for the record, then passed on byte for byte). The S3 call is recorded
//! when its response body ends or is dropped. Every upstream wait — for response
//! headers, for the next piece of a body — gives up after `S3_TIMEOUT_SEC` without
//! progress; when the storage was waiting for upload bytes the client did not send, the
//! silence was the client's (408), not the storage's (504).
//!
//! Failures without an answer from the store are [`StorageError`]s.

mod body;
pub mod chunked;
mod digest;
mod headers;
mod progress;
mod upstream;

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, Method, Request};
use http_body::Body as _;
use http_body_util::BodyExt;

pub use super::sigv4::{Payload, SigningKeys, sign_request};
pub use body::BodyStalled;
pub use chunked::ChunkSigner;
pub use upstream::{SendError, Upstream};

use self::body::{CallInFlight, call_body};
use self::progress::{Progress, progress_body};
use super::{Account, BucketName, ObjectKey, StorageError, StorageErrorKind};
use crate::telemetry::Recorder;
use crate::telemetry::operation::{ErrorText, Streamed};
use crate::telemetry::otel::spans::{Call, CallSpan};
use crate::telemetry::s3::S3Api;

/// Largest error body read to find the S3 error code.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// How the client's body is checked on its way.
pub enum BodyCheck {
    /// Passed as it is (its hash, if declared, is the store's to check).
    None,
    /// Its declared SHA-256 (`x-amz-content-sha256`) is checked here too.
    Sha256,
    /// Each aws-chunked chunk's signature is checked.
    Chunks(Box<ChunkSigner>),
}

/// Who signs the upstream request.
pub enum Signer<'a> {
    /// The tenant's account, with its signing-key cache.
    Account(Account<'a>, &'a SigningKeys),
    /// Nobody: an anonymous request goes unsigned to `endpoint`.
    Anonymous { endpoint: &'a str },
}

impl Signer<'_> {
    fn endpoint(&self) -> &str {
        match self {
            Self::Account(a, _) => a.endpoint,
            Self::Anonymous { endpoint } => endpoint,
        }
    }

    fn region(&self) -> Option<&str> {
        match self {
            Self::Account(a, _) => Some(a.region),
            Self::Anonymous { .. } => None,
        }
    }
}

/// One request to forward.
pub struct Forward {
    pub api: S3Api,
    pub method: Method,
    pub bucket: Option<BucketName>,
    pub key: Option<ObjectKey>,
    /// The query to send: the client's parameters, encoded (`name=value&…`).
    pub query: String,
    pub headers: http::HeaderMap,
    pub body: Body,
    pub check: BodyCheck,
}

impl Forward {
    fn uri(&self, endpoint: &str) -> String {
        let mut uri = endpoint.trim_end_matches('/').to_string();
        uri.push('/');
        if let Some(b) = &self.bucket {
            uri.push_str(b.as_str());
            if let Some(k) = &self.key {
                uri.push('/');
                crate::percent::encode_into(
                    &mut uri,
                    k.as_str().as_bytes(),
                    crate::percent::S3_PATH,
                );
            }
        }
        if !self.query.is_empty() {
            uri.push('?');
            uri.push_str(&self.query);
        }
        uri
    }
}

/// A request the gateway cannot send as it is; a body that failed one of its checks
/// keeps the kind of check (the client's protocol has a code for each).
fn bad_request(why: &str) -> StorageError {
    use chunked::{CHECKSUM_MISMATCH, SIGNATURE_MISMATCH};
    let kind = match why {
        SIGNATURE_MISMATCH => StorageErrorKind::ChunkSignatureMismatch,
        digest::MISMATCH => StorageErrorKind::DigestMismatch,
        CHECKSUM_MISMATCH => StorageErrorKind::ChecksumMismatch,
        _ => StorageErrorKind::BadRequest,
    };
    StorageError::new(kind, why)
}

/// Forwards `f`, signed by `signer`, and returns the response to stream back.
pub async fn forward(
    upstream: &Upstream,
    recorder: &Arc<Recorder>,
    signer: Signer<'_>,
    f: Forward,
) -> Result<Response, StorageError> {
    let sha = f
        .headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok());
    let mut payload =
        Payload::from_header(sha).ok_or_else(|| bad_request("unknown x-amz-content-sha256"))?;
    let mut out_headers = headers::upstream_request(&f.headers);
    let uri = f.uri(signer.endpoint());
    let body = match (payload.clone(), f.check) {
        (Payload::Chunked, check) => {
            let signer = match check {
                BodyCheck::Chunks(s) => Some(*s),
                _ => None,
            };
            let (body, trailer) = chunked::upstream(f.body, &mut out_headers, signer).await?;
            if trailer {
                payload = Payload::Trailer;
            }
            body
        }
        (Payload::Hashed(hash), BodyCheck::Sha256) => checked(f.body, &hash, &out_headers)?,
        (_, _) => f.body,
    };
    if f.method == Method::PUT
        && !out_headers.contains_key(http::header::CONTENT_LENGTH)
        && let Some(n) = http_body::Body::size_hint(&body).exact()
    {
        // A request with neither length nor `Transfer-Encoding` has an empty body (a
        // CopyObject, say). One streamed without a length goes on so, chunked: the store
        // decides (S3 answers 411 MissingContentLength).
        out_headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    // BytesUploaded counts the object's bytes, not an aws-chunked framing of them.
    let bytes_up = out_headers
        .get("x-amz-decoded-content-length")
        .and_then(|v| v.to_str().ok()?.parse().ok())
        .unwrap_or_else(|| content_length(&out_headers));
    let (api, method, bucket) = (f.api, f.method, f.bucket);
    let progress = Progress::new();
    let body = progress_body(body, progress.clone());
    let region = signer.region().map(str::to_string);
    let req = build(method.clone(), &uri, body, &signer, out_headers, payload)?;
    let started = progress.start();
    let span = CallSpan::start(&Call {
        api,
        method: method.as_str(),
        uri: &uri,
        region: region.as_deref(),
    });
    let mut call = CallInFlight {
        recorder: recorder.clone(),
        api,
        bucket: bucket.as_ref().map(BucketName::as_arc),
        status: None,
        started,
        first_byte: None,
        bytes_up,
        span,
        request_id: None,
        error: None,
    };
    let resp = match upstream.send(req, &progress).await {
        Ok(r) => r,
        Err(e) => return Err(failed(call, e)),
    };
    call.status = Some(resp.status().as_u16());
    if call.span.is_enabled() {
        call.request_id = resp
            .headers()
            .get("x-amz-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
    }
    // CloudWatch FirstByteLatency: from the complete request to the response.
    call.first_byte = Some(progress.complete_at().elapsed());
    if resp.status().is_client_error() || resp.status().is_server_error() {
        return error_response(resp, call, upstream.timeout()).await;
    }
    Ok(stream_response(resp, call, upstream.timeout()))
}

fn content_length(h: &http::HeaderMap) -> u64 {
    h.get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn build(
    method: Method,
    uri: &str,
    body: Body,
    signer: &Signer<'_>,
    headers: http::HeaderMap,
    payload: Payload,
) -> Result<Request<Body>, StorageError> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .body(body)
        .map_err(|_| bad_request("cannot build the storage request"))?;
    *req.headers_mut() = headers;
    if let Some(host) = req.uri().authority().map(|a| a.as_str().to_string()) {
        let v = HeaderValue::from_maybe_shared(bytes::Bytes::from(host))
            .map_err(|_| bad_request("bad endpoint host"))?;
        req.headers_mut().insert(http::header::HOST, v);
    }
    if let Signer::Account(account, keys) = signer {
        sign_request(
            &mut req,
            *account,
            keys,
            &payload,
            std::time::SystemTime::now(),
        )
        .map_err(|_| StorageError::new(StorageErrorKind::Internal, "signing failed"))?;
    }
    Ok(req)
}

/// A body checked against its declared SHA-256 (`hash`, lower-case hex).
fn checked(body: Body, hash: &str, h: &http::HeaderMap) -> Result<Body, StorageError> {
    let length = h
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    // A request that came without a body (no length, no transfer coding: the server
    // knows, and `h` has lost its hop-by-hop headers) is an empty one.
    let Some(length) = length.or(body.is_end_stream().then_some(0)) else {
        // Streamed without a length: checked at its end.
        return digest::sha256_checked(body, hash, None)
            .ok_or_else(|| bad_request("unknown x-amz-content-sha256"));
    };
    if length == 0 {
        // An empty upload may never be polled: its hash is checked here.
        const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        return match hash == EMPTY {
            true => Ok(body),
            false => Err(bad_request(digest::MISMATCH)),
        };
    }
    digest::sha256_checked(body, hash, Some(length))
        .ok_or_else(|| bad_request("unknown x-amz-content-sha256"))
}

/// No response: record the call and answer 502/504 (or 499 when the client left).
fn failed(mut call: CallInFlight, e: SendError) -> StorageError {
    call.error = Some(e.as_str().to_string());
    call.finish(0);
    match e {
        SendError::BadBody(why) => bad_request(why),
        SendError::ClientBody => StorageError::new(
            StorageErrorKind::ClientLeft,
            "client closed the connection mid-upload",
        ),
        other => StorageError::from(other),
    }
}

/// A success (or 304): headers across, body streamed, recorded at its end.
fn stream_response(
    resp: http::Response<hyper::body::Incoming>,
    call: CallInFlight,
    idle: std::time::Duration,
) -> Response {
    let (parts, incoming) = resp.into_parts();
    let mut out = Response::new(Body::new(call_body(incoming, call, idle)));
    *out.status_mut() = parts.status;
    *out.headers_mut() = headers::downstream_response(&parts.headers);
    out.extensions_mut().insert(Streamed);
    out
}

/// An S3 error: read its small XML body for the code (named in the record's error
/// text), and pass status, headers and body on unchanged. The body is at most
/// [`MAX_ERROR_BODY`] and read within `timeout`.
/// A body that cannot be passed on whole (larger than that, stalled, cut) is not passed
/// on at all: the answer is then SpaceWatch's own error (`Err`, a JSON answer), because
/// an empty or partial body under the store's `Content-Type` is no error a client can read.
async fn error_response(
    resp: http::Response<hyper::body::Incoming>,
    call: CallInFlight,
    timeout: std::time::Duration,
) -> Result<Response, StorageError> {
    let (parts, incoming) = resp.into_parts();
    let limited = http_body_util::Limited::new(incoming, MAX_ERROR_BODY);
    let body = match tokio::time::timeout(timeout, limited.collect()).await {
        Ok(Ok(collected)) => Some(collected.to_bytes()),
        _ => None,
    };
    call.finish(body.as_ref().map_or(0, |b| b.len() as u64));
    let code = body.as_deref().and_then(error_code);
    let mapped = StorageError::from_response(code.as_deref(), parts.status.as_u16());
    let Some(body) = body else {
        return Err(mapped);
    };
    let mut out = Response::new(Body::from(body));
    *out.status_mut() = parts.status;
    let mut h = headers::downstream_response(&parts.headers);
    h.remove(http::header::CONTENT_LENGTH);
    *out.headers_mut() = h;
    out.extensions_mut().insert(ErrorText(mapped.message));
    Ok(out)
}

/// The `<Code>` of an S3 XML error body.
pub fn error_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let end = text[start..].find("</Code>")? + start;
    Some(text[start..end].trim().to_string())
}

#[cfg(test)]
mod tests;
