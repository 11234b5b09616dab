//! Tenant tools: buckets, listings and storage analysis, and credential validation.
//! Credentials come first (the `Claimed` extractor, or [`ToolRequest`]'s `Verified`), then
//! the query string; every tool that names a bucket checks the tenant may use it before
//! anything else.

use axum::Json;
use axum::extract::{Extension, FromRequestParts, State};
use http::request::Parts;
use serde_json::{Value, json};

use super::tenant_bucket::op_fields;
use crate::server::AppState;
use crate::server::credentials::{Claimed, Verified, bucket_access, settle};
use crate::server::error::{ApiError, ApiResult};
use crate::server::operation::OpFields;
use crate::server::query::Params;
use crate::storage::{BucketName, listing};
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

pub async fn buckets(
    Claimed(tenant): Claimed,
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
) -> ApiResult<Json<Value>> {
    let buckets = verified_list(&state, &fields, &tenant).await?;
    state.counters.inc(AppEvent::ToolRequest);
    Ok(Json(json!({ "count": buckets.len(), "buckets": buckets })))
}

pub async fn validate_credentials(
    Claimed(tenant): Claimed,
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
) -> ApiResult<Json<Value>> {
    let buckets = verified_list(&state, &fields, &tenant).await?;
    Ok(Json(json!({
        "valid": true,
        "fingerprint": tenant.fingerprint.to_string(),
        "endpoint": tenant.creds.endpoint,
        "region": tenant.creds.region,
        "bucket_count": buckets.len(),
    })))
}

pub async fn list_all(
    ToolRequest {
        tenant,
        params,
        bucket,
    }: ToolRequest,
) -> ApiResult<Json<Value>> {
    let prefix = params.get("prefix");
    let listing = listing::list_all(&tenant.client, &bucket, prefix, LIST_ALL_KEEP).await?;
    Ok(Json(json!({
        "bucket": bucket.as_str(),
        "prefix": prefix.unwrap_or(""),
        "count": listing.count,
        "total_bytes": listing.total_bytes,
        "returned": listing.objects.len(),
        "truncated": listing.count > listing.objects.len() as u64,
        "objects": listing.objects,
    })))
}

pub async fn storage_summary(
    ToolRequest {
        tenant,
        params,
        bucket,
    }: ToolRequest,
) -> ApiResult<Json<Value>> {
    let prefix = params.get("prefix");
    let listing = listing::list_all(&tenant.client, &bucket, prefix, 0).await?;
    let average = listing.total_bytes.checked_div(listing.count).unwrap_or(0);
    Ok(Json(json!({
        "bucket": bucket.as_str(),
        "prefix": prefix.unwrap_or(""),
        "object_count": listing.count,
        "total_bytes": listing.total_bytes,
        "total_size_human": listing::human_bytes(listing.total_bytes),
        "average_object_bytes": average,
    })))
}

pub async fn top_largest(
    ToolRequest {
        tenant,
        params,
        bucket,
    }: ToolRequest,
) -> ApiResult<Json<Value>> {
    let limit = params.int("limit", 1..=50, 10)? as usize;
    let prefix = params.get("prefix");
    let (objects, seen) = listing::top_largest(&tenant.client, &bucket, prefix, limit).await?;
    Ok(Json(json!({
        "bucket": bucket.as_str(),
        "prefix": prefix.unwrap_or(""),
        "limit": limit,
        "scanned": seen,
        "objects": objects.iter().map(with_human_size).collect::<Vec<_>>(),
    })))
}

pub async fn recent_objects(
    ToolRequest {
        tenant,
        params,
        bucket,
    }: ToolRequest,
) -> ApiResult<Json<Value>> {
    let limit = params.int("limit", 1..=200, 20)? as usize;
    let prefix = params.get("prefix");
    let (objects, seen) = listing::recent_objects(&tenant.client, &bucket, prefix, limit).await?;
    Ok(Json(json!({
        "bucket": bucket.as_str(),
        "prefix": prefix.unwrap_or(""),
        "limit": limit,
        "scanned": seen,
        "objects": objects,
    })))
}

fn with_human_size(o: &listing::ObjectInfo) -> Value {
    let mut v = json!(o);
    if let Value::Object(m) = &mut v {
        m.insert("size_human".into(), listing::human_bytes(o.size).into());
    }
    v
}
