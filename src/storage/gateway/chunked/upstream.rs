//! How an aws-chunked upload goes on to the store: with a checksum trailer, framed again
//! with it ([`Reframe`]); without one, as the plain bytes and their length.

use axum::body::Body;
use http::HeaderValue;
use http_body_util::BodyExt;

use super::super::bad_request;
use super::{ChunkError, ChunkSigner, Dechunk, Reframe, encoded_len};
use crate::storage::StorageError;
use crate::storage::StorageErrorKind;

fn header(h: &http::HeaderMap, n: &str) -> Option<String> {
    h.get(n).and_then(|v| v.to_str().ok()).map(str::to_string)
}

/// The body to send for an aws-chunked upload, and whether it keeps its trailer (then
/// it is signed as `STREAMING-UNSIGNED-PAYLOAD-TRAILER`). `signer` checks the client's
/// chunk signatures. The headers are made to describe what is sent.
pub async fn upstream(
    body: Body,
    h: &mut http::HeaderMap,
    signer: Option<ChunkSigner>,
) -> Result<(Body, bool), StorageError> {
    let decoded: u64 = header(h, "x-amz-decoded-content-length")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            StorageError::new(
                StorageErrorKind::LengthRequired,
                "aws-chunked upload needs x-amz-decoded-content-length",
            )
        })?;
    let Some(trailer) = header(h, "x-amz-trailer").map(|t| t.trim().to_ascii_lowercase()) else {
        return plain(body, h, signer, decoded).await.map(|b| (b, false));
    };
    let Some(length) = encoded_len(decoded, &trailer) else {
        return Err(StorageError::new(
            StorageErrorKind::NotImplemented,
            "an aws-chunked trailer other than an S3 checksum cannot be forwarded",
        ));
    };
    h.insert(http::header::CONTENT_LENGTH, HeaderValue::from(length));
    let inner = Dechunk::new(body, Some(&trailer), decoded, signer);
    Ok((Body::new(Reframe::new(inner, &trailer)), true))
}

/// Largest aws-chunked body of an empty object (a zero chunk and its trailers), read
/// whole to check it before anything is sent.
const MAX_EMPTY_CHUNKED: usize = 16 * 1024;

/// An `aws-chunked` body, decoded: the headers describe the plain bytes that go upstream.
/// The plain bytes of an upload without a trailer.
async fn plain(
    body: Body,
    h: &mut http::HeaderMap,
    signer: Option<ChunkSigner>,
    decoded: u64,
) -> Result<Body, StorageError> {
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
    let body = Dechunk::new(body, None, decoded, signer);
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

fn chunk_error(e: &axum::Error) -> Option<&ChunkError> {
    std::error::Error::source(e)?.downcast_ref::<ChunkError>()
}
