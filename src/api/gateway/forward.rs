//! `/s3/…`: the gateway routes. `GET /s3/` lists buckets, `GET /s3/{bucket}` lists
//! objects (ListObjectsV2: `prefix`, `continuation-token`, `max-keys`, …), and
//! `GET`/`PUT`/`HEAD`/`DELETE /s3/{bucket}/{key…}` move objects. Credentials are verified
//! before the path or the query is looked at; a key that a path would normalise (a `.`
//! or `..` segment) is refused before any upstream call.

use axum::body::Body;
use axum::response::Response;
use http::request::Parts;
use http::{HeaderMap, Method};

use crate::percent::{SIGV4, encode};
use crate::server::AppState;
use crate::server::credentials::bucket_access;
use crate::server::error::{ApiError, ApiResult};
use crate::server::operation::OpFields;
use crate::server::query::Params;
use crate::storage::gateway::SigningKeys;
use crate::storage::gateway::{Forward, forward};
use crate::storage::{Account, ObjectKey};
use crate::telemetry::s3::S3Api;
use crate::tenant::Tenant;

/// ListObjectsV2 parameters passed through.
const LIST_PARAMS: [&str; 8] = [
    "list-type",
    "prefix",
    "delimiter",
    "continuation-token",
    "max-keys",
    "start-after",
    "encoding-type",
    "fetch-owner",
];

/// Object parameters passed through (a version, response header overrides).
fn object_param(name: &str) -> bool {
    name == "versionId" || name.starts_with("response-")
}

/// Keeps the allowed parameters, encoded; anything else (a sub-resource such as `acl`
/// or `uploads`) is refused rather than forwarded blind. `x-id`, which the AWS SDKs add
/// to name the operation and S3 ignores, is dropped.
fn query(p: &Params, allowed: impl Fn(&str) -> bool) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    for (k, v) in p.pairs().filter(|(k, _)| *k != "x-id") {
        if !allowed(k) {
            let shown = crate::telemetry::operation::bounded_text(k, 64);
            return Err(ApiError::bad_request(format!(
                "unsupported S3 request parameter '{shown}'"
            )));
        }
        out.push(format!("{}={}", encode(k, SIGV4), encode(v, SIGV4)));
    }
    Ok(out)
}

fn params(uri: &http::Uri) -> ApiResult<Params> {
    Ok(Params::parse(uri.query().unwrap_or(""))?)
}

/// The account requests are signed with, and its key cache.
fn signer(tenant: &Tenant) -> (Account<'_>, &SigningKeys) {
    (tenant.creds.account(), &tenant.signing)
}

/// `GET /s3/`: the tenant's buckets.
pub async fn list_buckets(
    state: &AppState,
    tenant: &Tenant,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let f = Forward {
        api: S3Api::ListBuckets,
        method: Method::GET,
        bucket: None,
        key: None,
        query: Vec::new(),
        headers,
        body: Body::empty(),
    };
    Ok(forward(&state.upstream, &state.recorder, signer(tenant), f).await?)
}

/// `GET /s3/{bucket}`: ListObjectsV2 of `bucket` (already percent-decoded).
pub async fn list_objects(
    state: &AppState,
    tenant: &Tenant,
    fields: &OpFields,
    bucket: &str,
    parts: Parts,
) -> ApiResult<Response> {
    let params = params(&parts.uri)?;
    let mut q = query(&params, |k| LIST_PARAMS.contains(&k))?;
    if params.get("list-type").is_none() {
        q.insert(0, "list-type=2".into());
    }
    let bucket = bucket_access(state, fields, tenant, ("bucket", bucket)).await?;
    let f = Forward {
        api: S3Api::ListObjectsV2,
        method: Method::GET,
        bucket: Some(bucket),
        key: None,
        query: q,
        headers: parts.headers,
        body: Body::empty(),
    };
    Ok(forward(&state.upstream, &state.recorder, signer(tenant), f).await?)
}

/// GET, PUT, HEAD and DELETE of one object (`bucket` and `key` percent-decoded).
pub async fn object(
    state: &AppState,
    tenant: &Tenant,
    fields: &OpFields,
    (bucket, key): (&str, &str),
    parts: Parts,
    body: Body,
) -> ApiResult<Response> {
    let (method, headers) = (parts.method, parts.headers);
    let key = ObjectKey::parse(key).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let q = query(&params(&parts.uri)?, object_param)?;
    let bucket = bucket_access(state, fields, tenant, ("bucket", bucket)).await?;
    let api = match method {
        Method::PUT => S3Api::PutObject,
        Method::HEAD => S3Api::HeadObject,
        Method::DELETE => S3Api::DeleteObject,
        _ => S3Api::GetObject,
    };
    let f = Forward {
        api,
        method,
        bucket: Some(bucket),
        key: Some(key),
        query: q,
        headers,
        body,
    };
    Ok(forward(&state.upstream, &state.recorder, signer(tenant), f).await?)
}
