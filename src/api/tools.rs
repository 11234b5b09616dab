//! Tenant tools: buckets, listings and storage analysis, and credential validation.
//! Every tool that names a bucket checks the tenant may use it first.

use axum::Json;
use axum::extract::{Extension, State};
use serde_json::{Value, json};

use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::operation::OpFields;
use crate::server::query::Params;
use crate::storage::{BucketName, tools};
use crate::telemetry::prom::AppEvent;
use crate::tenant::Tenant;

/// Objects returned by `/tools/list-all` (the rest are counted).
const LIST_ALL_KEEP: usize = 200;

/// The bucket named by `?bucket=`, recorded on the operation.
fn bucket_param(p: &Params, fields: &OpFields) -> ApiResult<BucketName> {
    let raw = p.require("bucket")?;
    let bucket = BucketName::parse(raw)
        .ok_or_else(|| ApiError::bad_request("'bucket' is not a valid bucket name"))?;
    fields.set_bucket(&bucket);
    Ok(bucket)
}

/// A tool request: counted, its bucket parsed and recorded, the tenant's access checked.
async fn tool_request(
    state: &AppState,
    params: &Params,
    fields: &OpFields,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<(Tenant, BucketName)> {
    state.counters.inc(AppEvent::ToolRequest);
    let bucket = bucket_param(params, fields)?;
    let tenant = tenant?;
    state
        .access
        .check(&tenant, &bucket, &state.counters)
        .await?;
    Ok((tenant, bucket))
}

pub async fn buckets(
    State(state): State<AppState>,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Json<Value>> {
    state.counters.inc(AppEvent::ToolRequest);
    let tenant = tenant?;
    let buckets = state.access.list(&tenant, &state.counters).await?;
    Ok(Json(json!({ "count": buckets.len(), "buckets": buckets })))
}

pub async fn validate_credentials(
    State(state): State<AppState>,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant?;
    let buckets = state.access.list(&tenant, &state.counters).await?;
    Ok(Json(json!({
        "valid": true,
        "fingerprint": tenant.fingerprint.to_string(),
        "endpoint": tenant.creds.endpoint,
        "region": tenant.creds.region,
        "bucket_count": buckets.len(),
    })))
}

pub async fn list_all(
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
    params: Params,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Json<Value>> {
    let (tenant, bucket) = tool_request(&state, &params, &fields, tenant).await?;
    let prefix = params.get("prefix");
    let listing = tools::list_all(&tenant.client, &bucket, prefix, LIST_ALL_KEEP).await?;
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
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
    params: Params,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Json<Value>> {
    let (tenant, bucket) = tool_request(&state, &params, &fields, tenant).await?;
    let prefix = params.get("prefix");
    let listing = tools::list_all(&tenant.client, &bucket, prefix, 0).await?;
    let average = listing.total_bytes.checked_div(listing.count).unwrap_or(0);
    Ok(Json(json!({
        "bucket": bucket.as_str(),
        "prefix": prefix.unwrap_or(""),
        "object_count": listing.count,
        "total_bytes": listing.total_bytes,
        "total_size_human": tools::human_bytes(listing.total_bytes),
        "average_object_bytes": average,
    })))
}

pub async fn top_largest(
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
    params: Params,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Json<Value>> {
    let limit = params.int("limit", 1..=50, 10)? as usize;
    let (tenant, bucket) = tool_request(&state, &params, &fields, tenant).await?;
    let prefix = params.get("prefix");
    let (objects, seen) = tools::top_largest(&tenant.client, &bucket, prefix, limit).await?;
    Ok(Json(json!({
        "bucket": bucket.as_str(),
        "prefix": prefix.unwrap_or(""),
        "limit": limit,
        "scanned": seen,
        "objects": objects.iter().map(with_human_size).collect::<Vec<_>>(),
    })))
}

pub async fn recent_objects(
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
    params: Params,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Json<Value>> {
    let limit = params.int("limit", 1..=200, 20)? as usize;
    let (tenant, bucket) = tool_request(&state, &params, &fields, tenant).await?;
    let prefix = params.get("prefix");
    let (objects, seen) = tools::recent_objects(&tenant.client, &bucket, prefix, limit).await?;
    Ok(Json(json!({
        "bucket": bucket.as_str(),
        "prefix": prefix.unwrap_or(""),
        "limit": limit,
        "scanned": seen,
        "objects": objects,
    })))
}

fn with_human_size(o: &tools::ObjectInfo) -> Value {
    let mut v = json!(o);
    if let Value::Object(m) = &mut v {
        m.insert("size_human".into(), tools::human_bytes(o.size).into());
    }
    v
}
