//! `/s3/…`: the gateway routes. `GET /s3/` lists buckets, `GET /s3/{bucket}` lists
//! objects (ListObjectsV2: `prefix`, `continuation-token`, `max-keys`, …), and
//! `GET`/`PUT`/`HEAD`/`DELETE /s3/{bucket}/{key…}` move objects.

use axum::body::Body;
use axum::extract::{Extension, Path, Request, State};
use axum::response::Response;
use http::{HeaderMap, Method};

use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::operation::OpFields;
use crate::server::query::Params;
use crate::storage::BucketName;
use crate::storage::gateway::{Forward, encode_query, forward};
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

fn bucket_of(raw: &str, fields: &OpFields) -> ApiResult<BucketName> {
    let b =
        BucketName::parse(raw).ok_or_else(|| ApiError::bad_request("not a valid bucket name"))?;
    fields.set_bucket(&b);
    Ok(b)
}

/// Keeps the allowed parameters, encoded; anything else (a sub-resource such as `acl`
/// or `uploads`) is refused rather than forwarded blind. `x-id`, which the AWS SDKs add
/// to name the operation and S3 ignores, is dropped.
fn query(p: &Params, allowed: impl Fn(&str) -> bool) -> ApiResult<Vec<String>> {
    let mut out = Vec::new();
    for (k, v) in p.pairs().filter(|(k, _)| *k != "x-id") {
        if !allowed(k) {
            return Err(ApiError::bad_request(format!(
                "unsupported S3 request parameter '{k}'"
            )));
        }
        out.push(format!("{}={}", encode_query(k), encode_query(v)));
    }
    Ok(out)
}

pub async fn list_buckets(
    State(state): State<AppState>,
    headers: HeaderMap,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Response> {
    let tenant = tenant?;
    let f = Forward {
        api: S3Api::ListBuckets,
        method: Method::GET,
        bucket: None,
        key: None,
        query: Vec::new(),
        headers,
        body: Body::empty(),
    };
    forward(&state.upstream, &state.recorder, &tenant, f).await
}

pub async fn list_objects(
    State(state): State<AppState>,
    Path(bucket): Path<String>,
    Extension(fields): Extension<OpFields>,
    params: Params,
    headers: HeaderMap,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Response> {
    let bucket = bucket_of(&bucket, &fields)?;
    let mut q = query(&params, |k| LIST_PARAMS.contains(&k))?;
    if params.get("list-type").is_none() {
        q.insert(0, "list-type=2".into());
    }
    let tenant = tenant?;
    state
        .access
        .check(&tenant, &bucket, &state.counters)
        .await?;
    let f = Forward {
        api: S3Api::ListObjectsV2,
        method: Method::GET,
        bucket: Some(bucket),
        key: None,
        query: q,
        headers,
        body: Body::empty(),
    };
    forward(&state.upstream, &state.recorder, &tenant, f).await
}

/// GET, PUT, HEAD and DELETE of one object.
pub async fn object(
    State(state): State<AppState>,
    Path((bucket, key)): Path<(String, String)>,
    Extension(fields): Extension<OpFields>,
    params: Params,
    tenant: Result<Tenant, ApiError>,
    req: Request,
) -> ApiResult<Response> {
    let (parts, body) = req.into_parts();
    let (method, headers) = (parts.method, parts.headers);
    let bucket = bucket_of(&bucket, &fields)?;
    if key.is_empty() || key.len() > 1024 {
        return Err(ApiError::bad_request("object keys are 1 to 1024 bytes"));
    }
    let q = query(&params, object_param)?;
    let tenant = tenant?;
    state
        .access
        .check(&tenant, &bucket, &state.counters)
        .await?;
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
    forward(&state.upstream, &state.recorder, &tenant, f).await
}
