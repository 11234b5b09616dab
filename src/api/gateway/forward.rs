//! Stage 8 of a gateway request: the request forwarded to the store as the client sent
//! it — its method, the object it names, every query parameter, every header but the
//! signature's ([`crate::storage::gateway`] re-signs it) — or refused with an S3 error
//! before anything is sent.
//!
//! Before forwarding: the bucket and key are checked (a name S3 would refuse, a key
//! with a `.`/`..` segment that a path would normalise), and a tenant's access to the
//! bucket is settled — in its bucket list, or reachable with its own credentials
//! (HeadBucket, then remembered); the store decides, never a stale list. A bucket the
//! tenant creates or deletes through the gateway is usable, or gone, at once.

use axum::body::Body;
use axum::response::Response;
use http::StatusCode;
use http::request::Parts;

use super::auth::Caller;
use super::error::S3Error;
use super::routes::Route;
use crate::percent::{self, SIGV4};
use crate::server::AppState;
use crate::server::operation::OpFields;
use crate::storage::gateway::{BodyCheck, ChunkSigner, Forward, Signer, forward};
use crate::storage::{BucketName, ObjectKey};
use crate::telemetry::s3::S3Api;

/// Longest query string forwarded.
const MAX_QUERY: usize = 16 * 1024;

/// The presigned query's own parameters: the signature, not the request.
const PRESIGN: [&str; 7] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Date",
    "X-Amz-Expires",
    "X-Amz-SignedHeaders",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
];

/// A path parameter percent-decoded (as UTF-8, as axum's `Path` decodes it).
pub(super) fn decoded(name: &str, raw: &str) -> Result<String, S3Error> {
    String::from_utf8(percent::decode_lenient(raw).into_owned())
        .map_err(|_| S3Error::invalid_argument(format!("Invalid URL: Invalid UTF-8 in `{name}`")))
}

/// The query to send: each parameter encoded as SigV4 wants it, in the client's order,
/// without the presigned signature's own.
fn query(raw: &str, presigned: bool) -> Result<String, S3Error> {
    if raw.len() > MAX_QUERY {
        return Err(S3Error::invalid_argument(format!(
            "the query string is longer than {MAX_QUERY} bytes"
        )));
    }
    let mut out = String::with_capacity(raw.len());
    for pair in raw.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (pair, None),
        };
        if presigned && PRESIGN.contains(&k) {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        percent::encode_into(&mut out, &percent::decode_lenient(k), SIGV4);
        if let Some(v) = v {
            out.push('=');
            percent::encode_into(&mut out, &percent::decode_lenient(v), SIGV4);
        }
    }
    Ok(out)
}

/// The request, forwarded; the store's answer, streamed back.
pub async fn handle(
    state: &AppState,
    route: &Route<'_>,
    api: S3Api,
    caller: Caller,
    fields: &OpFields,
    parts: Parts,
    body: Body,
) -> Result<Response, S3Error> {
    if let (Some(raw), Some(_)) = (route.bucket, caller.tenant()) {
        fields.name_bucket(&String::from_utf8_lossy(&crate::percent::decode_lenient(
            raw,
        )));
    }
    let bucket = match route.bucket {
        Some(raw) => Some(BucketName::parse(&decoded("bucket", raw)?).ok_or_else(|| {
            S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidBucketName",
                "'bucket' is not a valid bucket name",
            )
        })?),
        None => None,
    };
    let key = match route.key {
        Some(raw) => Some(ObjectKey::parse(&decoded("key", raw)?)?),
        None => None,
    };
    let presigned = matches!(&caller, Caller::Signed(s) if s.claim.expires.is_some());
    let query = query(parts.uri.query().unwrap_or(""), presigned)?;
    if api == S3Api::PostObject && !matches!(caller, Caller::Anonymous) {
        // Its form is signed with the client's key: re-signing it would mean rewriting
        // the form's policy and signature fields.
        return Err(S3Error::not_implemented(
            "a signed browser-form upload (POST Object) cannot be re-signed by the gateway; \
             use PutObject or a presigned PUT",
        ));
    }
    if let (Some(tenant), Some(b)) = (caller.tenant(), &bucket)
        && api != S3Api::CreateBucket
    {
        state.access.check(tenant, b, &state.counters).await?;
        fields.set_bucket(b);
    }
    let mut headers = parts.headers;
    let check = match &caller {
        Caller::Signed(s) => {
            headers.remove("x-amz-security-token");
            let hash = s.claim.payload_hash.as_str();
            match hash.strip_prefix("STREAMING-AWS4-HMAC-SHA256-PAYLOAD") {
                Some(rest) => BodyCheck::Chunks(Box::new(ChunkSigner::new(
                    s.key.clone(),
                    &s.claim.amz_date,
                    &s.claim.scope(),
                    &s.claim.signature,
                    rest == "-TRAILER",
                ))),
                None if hash.len() == 64 => BodyCheck::Sha256,
                None => BodyCheck::None,
            }
        }
        _ => BodyCheck::None,
    };
    let default_endpoint;
    let signer = match caller.tenant() {
        Some(t) => Signer::Account(t.creds.account(), &t.signing),
        None => {
            fields.admit(Some(crate::telemetry::Fingerprint::ANONYMOUS));
            default_endpoint = state.default_endpoint();
            Signer::Anonymous {
                endpoint: &default_endpoint,
            }
        }
    };
    let f = Forward {
        api,
        method: parts.method,
        bucket: bucket.clone(),
        key,
        query,
        headers,
        body,
        check,
    };
    let resp = forward(&state.upstream, &state.recorder, signer, f).await?;
    if let (Some(tenant), Some(b)) = (caller.tenant(), &bucket)
        && resp.status().is_success()
    {
        match api {
            S3Api::CreateBucket => {
                state.access.remember(tenant, b);
                fields.set_bucket(b);
            }
            S3Api::DeleteBucket => state.access.forget(tenant, b),
            _ => {}
        }
    }
    Ok(resp)
}

#[cfg(test)]
mod tests;
