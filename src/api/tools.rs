//! Tenant tools: `/tools/buckets`, `/tools/list-all`.

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

/// The bucket named by `name`, recorded on the operation.
fn bucket_param(p: &Params, name: &str, fields: &OpFields) -> ApiResult<BucketName> {
    let raw = p.require(name)?;
    let bucket = BucketName::parse(raw)
        .ok_or_else(|| ApiError::bad_request(format!("'{name}' is not a valid bucket name")))?;
    fields.set_bucket(&bucket);
    Ok(bucket)
}

pub async fn buckets(
    State(state): State<AppState>,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Json<Value>> {
    state.counters.inc(AppEvent::ToolRequest);
    let tenant = tenant?;
    let buckets = tools::list_buckets(&tenant.client).await?;
    Ok(Json(json!({ "count": buckets.len(), "buckets": buckets })))
}

pub async fn list_all(
    State(state): State<AppState>,
    Extension(fields): Extension<OpFields>,
    params: Params,
    tenant: Result<Tenant, ApiError>,
) -> ApiResult<Json<Value>> {
    state.counters.inc(AppEvent::ToolRequest);
    let bucket = bucket_param(&params, "bucket", &fields)?;
    let tenant = tenant?;
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
