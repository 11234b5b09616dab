//! Tenant tools: buckets, listings and storage analysis, and credential validation.
//! Credentials come first (the `Claimed` extractor, or [`ToolRequest`]'s `Verified`), then
//! the query string; every tool that names a bucket checks the tenant may use it before
//! anything else.

use axum::Json;
use axum::extract::{Extension, FromRequestParts, State};
use http::request::Parts;
use serde::Serialize;

use super::tenant_bucket::op_fields;
use crate::server::AppState;
use crate::server::credentials::{Claimed, Verified, bucket_access, settle};
use crate::server::error::{ApiError, ApiResult};
use crate::server::operation::OpFields;
use crate::server::query::Params;
use crate::storage::{BucketName, KeyPrefix, listing};
use crate::telemetry::prom::AppEvent;
use crate::tenant::Tenant;

/// Objects returned by `/tools/list-all` (the rest are counted).
const LIST_ALL_KEEP: usize = 200;

/// The prologue of the tools that read a bucket, as one extractor: the tenant verified,
/// the request counted, its query parsed, and the bucket it names (`bucket`) checked for
/// access and attributed to the operation.
pub struct ToolRequest {
    pub tenant: Tenant,
    pub params: Params,
    pub bucket: BucketName,
}

impl FromRequestParts<AppState> for ToolRequest {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let Verified(tenant) = Verified::from_request_parts(parts, state).await?;
        let fields = op_fields(parts)?;
        state.counters.inc(AppEvent::ToolRequest);
        let params = Params::parse(parts.uri.query().unwrap_or(""))?;
        let raw = params.require("bucket")?;
        let bucket = bucket_access(state, &fields, &tenant, ("bucket", raw)).await?;
        Ok(Self {
            tenant,
            params,
            bucket,
        })
    }
}

/// `prefix`, checked as a key prefix.
fn prefix(params: &Params) -> ApiResult<Option<KeyPrefix>> {
    params
        .get("prefix")
        .map(KeyPrefix::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("'prefix': {e}")))
}

/// Lists the tenant's buckets; the listing itself verifies the credentials.
async fn verified_list(
    state: &AppState,
    fields: &OpFields,
    tenant: &Tenant,
) -> ApiResult<Vec<listing::BucketInfo>> {
    let listed = state.access.list(tenant, &state.counters).await;
    settle(fields, tenant, &listed);
    Ok(listed?)
}

/// `GET /tools/buckets`.
#[derive(Debug, Serialize)]
pub struct Buckets {
    pub count: usize,
    pub buckets: Vec<listing::BucketInfo>,
}

pub async fn buckets(
    Claimed(tenant): Claimed,
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
) -> ApiResult<Json<Buckets>> {
    let buckets = verified_list(&state, &fields, &tenant).await?;
    state.counters.inc(AppEvent::ToolRequest);
    Ok(Json(Buckets {
        count: buckets.len(),
        buckets,
    }))
}

/// `POST /validate-credentials`: the credentials worked.
#[derive(Debug, Serialize)]
pub struct Validation {
    pub valid: bool,
    pub fingerprint: String,
    pub endpoint: String,
    pub region: String,
    pub bucket_count: usize,
}

pub async fn validate_credentials(
    Claimed(tenant): Claimed,
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
) -> ApiResult<Json<Validation>> {
    let buckets = verified_list(&state, &fields, &tenant).await?;
    Ok(Json(Validation {
        valid: true,
        fingerprint: tenant.fingerprint.to_string(),
        endpoint: tenant.creds.endpoint.clone(),
        region: tenant.creds.region.clone(),
        bucket_count: buckets.len(),
    }))
}

/// `GET /tools/list-all`: the first objects, and the count and bytes of all.
#[derive(Debug, Serialize)]
pub struct ListAll {
    pub bucket: String,
    pub prefix: String,
    pub count: u64,
    pub total_bytes: u64,
    pub returned: usize,
    pub truncated: bool,
    pub objects: Vec<listing::ObjectInfo>,
}

pub async fn list_all(
    ToolRequest {
        tenant,
        params,
        bucket,
    }: ToolRequest,
) -> ApiResult<Json<ListAll>> {
    let prefix = prefix(&params)?;
    let prefix = prefix.as_ref();
    let listing = listing::list_all(&tenant.client, &bucket, prefix, LIST_ALL_KEEP).await?;
    Ok(Json(ListAll {
        bucket: bucket.as_str().to_string(),
        prefix: prefix.map_or("", KeyPrefix::as_str).to_string(),
        count: listing.count,
        total_bytes: listing.total_bytes,
        returned: listing.objects.len(),
        truncated: listing.count > listing.objects.len() as u64,
        objects: listing.objects,
    }))
}

/// `GET /tools/storage-summary`.
#[derive(Debug, Serialize)]
pub struct StorageSummary {
    pub bucket: String,
    pub prefix: String,
    pub object_count: u64,
    pub total_bytes: u64,
    pub total_size_human: String,
    pub average_object_bytes: u64,
}

pub async fn storage_summary(
    ToolRequest {
        tenant,
        params,
        bucket,
    }: ToolRequest,
) -> ApiResult<Json<StorageSummary>> {
    let prefix = prefix(&params)?;
    let prefix = prefix.as_ref();
    let listing = listing::list_all(&tenant.client, &bucket, prefix, 0).await?;
    let average = listing.total_bytes.checked_div(listing.count).unwrap_or(0);
    Ok(Json(StorageSummary {
        bucket: bucket.as_str().to_string(),
        prefix: prefix.map_or("", KeyPrefix::as_str).to_string(),
        object_count: listing.count,
        total_bytes: listing.total_bytes,
        total_size_human: listing::human_bytes(listing.total_bytes),
        average_object_bytes: average,
    }))
}

/// `GET /tools/top-largest` and `/tools/recent-objects`: the first `limit` objects of
/// the `scanned` ones, in the tool's order.
#[derive(Debug, Serialize)]
pub struct Ranked<O> {
    pub bucket: String,
    pub prefix: String,
    pub limit: usize,
    pub scanned: u64,
    pub objects: Vec<O>,
}

impl<O> Ranked<O> {
    fn new(
        bucket: &BucketName,
        prefix: Option<&KeyPrefix>,
        limit: usize,
        scanned: u64,
        objects: impl IntoIterator<Item = O>,
    ) -> Self {
        Self {
            bucket: bucket.as_str().to_string(),
            prefix: prefix.map_or("", KeyPrefix::as_str).to_string(),
            limit,
            scanned,
            objects: objects.into_iter().collect(),
        }
    }
}

/// An object with its size for people (`12.3 MiB`).
#[derive(Debug, Serialize)]
pub struct SizedObject {
    #[serde(flatten)]
    pub object: listing::ObjectInfo,
    pub size_human: String,
}

pub async fn top_largest(
    ToolRequest {
        tenant,
        params,
        bucket,
    }: ToolRequest,
) -> ApiResult<Json<Ranked<SizedObject>>> {
    let limit = params.int("limit", 1..=50, 10)? as usize;
    let prefix = prefix(&params)?;
    let prefix = prefix.as_ref();
    let (objects, seen) = listing::top_largest(&tenant.client, &bucket, prefix, limit).await?;
    let objects = objects.into_iter().map(|object| SizedObject {
        size_human: listing::human_bytes(object.size),
        object,
    });
    Ok(Json(Ranked::new(&bucket, prefix, limit, seen, objects)))
}

pub async fn recent_objects(
    ToolRequest {
        tenant,
        params,
        bucket,
    }: ToolRequest,
) -> ApiResult<Json<Ranked<listing::ObjectInfo>>> {
    let limit = params.int("limit", 1..=200, 20)? as usize;
    let prefix = prefix(&params)?;
    let prefix = prefix.as_ref();
    let (objects, seen) = listing::recent_objects(&tenant.client, &bucket, prefix, limit).await?;
    Ok(Json(Ranked::new(&bucket, prefix, limit, seen, objects)))
}
