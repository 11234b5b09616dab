//! The streaming S3 gateway: `/s3/…` requests forwarded to the tenant's storage, signed
//! with the tenant's credentials.
//!
//! Bodies stream both ways (nothing buffers a whole object; memory stays flat for a
//! multi-GiB transfer). S3 headers cross, hop-by-hop headers do not. The S3 call is
//! recorded when its response body ends or is dropped; error responses (small) are read
//! to name the error, and their XML is passed on for S3 clients to parse. Every upstream
//! wait — for response headers, for the next piece of a body — gives up after
//! `S3_TIMEOUT_SEC` without progress; when the storage was waiting for upload bytes the
//! client did not send, the silence was the client's (408), not the storage's (504).
//!
//! Failures are [`StorageError`]s (a status and a secret-free text); the HTTP layer turns
//! them into JSON answers.

mod body;
mod chunked;
mod headers;
mod progress;
mod sign;
mod upstream;

use std::sync::Arc;

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, Method, Request, StatusCode};
use http_body_util::BodyExt;

pub use body::BodyStalled;
pub use sign::{Payload, SigningKeys, sign_request};
pub use upstream::{SendError, Upstream};

use self::body::{CallBody, CallInFlight};
use self::progress::{Progress, ProgressBody};
use super::{Account, BucketName, ObjectKey, StorageError};
use crate::telemetry::Recorder;
use crate::telemetry::operation::{CLIENT_CLOSED, ErrorText, Streamed};
use crate::telemetry::otel::spans::{Call, CallSpan};
use crate::telemetry::s3::S3Api;

/// Largest error body read to find the S3 error code.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// One request to forward.
pub struct Forward {
    pub api: S3Api,
    pub method: Method,
    pub bucket: Option<BucketName>,
    pub key: Option<ObjectKey>,
    /// Already encoded `name=value` pairs.
    pub query: Vec<String>,
    pub headers: http::HeaderMap,
    pub body: Body,
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
            uri.push_str(&self.query.join("&"));
        }
        uri
    }
}

fn bad_request(why: &str) -> StorageError {
    StorageError::new(StatusCode::BAD_REQUEST, why)
}

/// Forwards `f` to `account`'s endpoint, signed with its key (kept in `keys`), and
/// returns the response to stream back.
pub async fn forward(
    upstream: &Upstream,
    recorder: &Arc<Recorder>,
    (account, keys): (Account<'_>, &SigningKeys),
    f: Forward,
) -> Result<Response, StorageError> {
    let sha = f
        .headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok());
    let payload =
        Payload::from_header(sha).ok_or_else(|| bad_request("unknown x-amz-content-sha256"))?;
    let mut out_headers = headers::upstream_request(&f.headers);
    let uri = f.uri(account.endpoint);
    let body = match payload {
        Payload::Chunked => dechunked(f.body, &mut out_headers).await?,
        _ => f.body,
    };
    if f.method == Method::PUT && !out_headers.contains_key(http::header::CONTENT_LENGTH) {
        // A request with neither length nor `Transfer-Encoding` has an empty body (a
        // CopyObject, say); one streamed without a length cannot be sent to S3.
        let Some(n) = http_body::Body::size_hint(&body).exact() else {
            return Err(StorageError::new(
                StatusCode::LENGTH_REQUIRED,
                "PUT needs a Content-Length",
            ));
        };
        out_headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    let bytes_up = content_length(&out_headers);
    let (api, method, bucket) = (f.api, f.method, f.bucket);
    let progress = Progress::new();
    let body = Body::new(ProgressBody::new(body, progress.clone()));
    let req = build(
        method.clone(),
        &uri,
        body,
        (account, keys),
        out_headers,
        payload,
    )?;
    let started = progress.start();
    let span = CallSpan::start(&Call {
        api,
        method: method.as_str(),
        uri: &uri,
        region: Some(account.region),
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

/// Largest aws-chunked body of an empty object (a zero chunk and its trailers), read
/// whole to check it before anything is sent.
const MAX_EMPTY_CHUNKED: usize = 16 * 1024;

/// An `aws-chunked` body, decoded: the headers describe the plain bytes that go upstream.
async fn dechunked(body: Body, h: &mut http::HeaderMap) -> Result<Body, StorageError> {
    let header =
        |h: &http::HeaderMap, n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
    let decoded: u64 = header(h, "x-amz-decoded-content-length")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            StorageError::new(
                StatusCode::LENGTH_REQUIRED,
                "aws-chunked upload needs x-amz-decoded-content-length",
            )
        })?;
    let trailer = header(h, "x-amz-trailer");
    let encodings: Vec<String> = header(h, "content-encoding")
        .unwrap_or_default()
        .split(',')
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty() && e != "aws-chunked")
        .collect();
    for n in [
        "x-amz-decoded-content-length",
        "x-amz-trailer",
        "content-encoding",
    ] {
        h.remove(n);
    }
    if !encodings.is_empty() {
        let v = HeaderValue::from_str(&encodings.join(","))
            .map_err(|_| bad_request("bad Content-Encoding"))?;
        h.insert(http::header::CONTENT_ENCODING, v);
    }
    h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(decoded));
    let body = chunked::Dechunk::new(body, trailer.as_deref(), decoded);
    if decoded > 0 {
        return Ok(Body::new(body));
    }
    // With `Content-Length: 0` the upstream request may never poll its body, so the
    // trailer of an empty object is checked here, before anything is sent.
    http_body_util::Limited::new(body, MAX_EMPTY_CHUNKED)
        .collect()
        .await
        .map_err(
            |e| match e.downcast_ref::<axum::Error>().and_then(chunk_error) {
                Some(c) => bad_request(c.0),
                None => bad_request("aws-chunked body of an empty object is malformed"),
            },
        )?;
    Ok(Body::empty())
}

fn chunk_error(e: &axum::Error) -> Option<&chunked::ChunkError> {
    std::error::Error::source(e)?.downcast_ref::<chunked::ChunkError>()
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
    (account, keys): (Account<'_>, &SigningKeys),
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
    sign::sign_request(
        &mut req,
        account,
        keys,
        &payload,
        std::time::SystemTime::now(),
    )
    .map_err(|_| StorageError::new(StatusCode::INTERNAL_SERVER_ERROR, "signing failed"))?;
    Ok(req)
}

/// No response: record the call and answer 502/504 (or 499 when the client left).
fn failed(mut call: CallInFlight, e: SendError) -> StorageError {
    call.error = Some(e.as_str().to_string());
    call.finish(0);
    match e {
        SendError::BadBody(why) => bad_request(why),
        SendError::ClientBody => StorageError::new(
            StatusCode::from_u16(CLIENT_CLOSED).unwrap_or(StatusCode::BAD_REQUEST),
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
    let mut out = Response::new(Body::new(CallBody::new(incoming, call, idle)));
    *out.status_mut() = parts.status;
    *out.headers_mut() = headers::downstream_response(&parts.headers);
    out.extensions_mut().insert(Streamed);
    out
}

/// An S3 error: read its small XML body for the code, map the status, pass the body on.
/// The body is at most [`MAX_ERROR_BODY`] and read within `timeout`; whatever replaces
/// it, the length headers are the new body's (hyper sets them), never the upstream's.
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
    *out.status_mut() = mapped.status;
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
mod tests {
    use super::error_code;

    #[test]
    fn error_codes_are_read_from_xml() {
        let xml =
            b"<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>x</Message></Error>";
        assert_eq!(error_code(xml).as_deref(), Some("NoSuchKey"));
        assert_eq!(error_code(b"not xml"), None);
    }
}
