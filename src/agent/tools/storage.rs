//! Storage tools: buckets, a capped listing, recent objects, a summary, the largest.

use serde_json::{Value, json};

use super::{Args, ToolEnv, ToolError, ToolOutput};
use crate::storage::listing::{self, ObjectInfo, human_bytes};

pub async fn list_buckets(env: &ToolEnv<'_>) -> Result<ToolOutput, ToolError> {
    let buckets = env.access.list(env.tenant, env.counters).await?;
    let names: Vec<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
    Ok(ToolOutput {
        summary: format!("{} bucket(s): {}", buckets.len(), names.join(", ")),
        value: json!({ "count": buckets.len(), "buckets": buckets }),
        subject: None,
    })
}

fn object(o: &ObjectInfo) -> Value {
    json!({
        "key": o.key,
        "size": o.size,
        "size_human": human_bytes(o.size),
        "last_modified": o.last_modified,
    })
}

pub async fn list_objects(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let bucket = a.require_bucket("bucket")?;
    let prefix = a.prefix("prefix")?;
    let prefix = prefix.as_ref();
    let limit = a.int("limit", 1..=200, 50)? as usize;
    env.check(&bucket).await?;
    let l = listing::list_all(&env.tenant.client, &bucket, prefix, limit).await?;
    Ok(ToolOutput {
        summary: format!(
            "{}: {} object(s), {} ({} listed)",
            bucket,
            l.count,
            human_bytes(l.total_bytes),
            l.objects.len()
        ),
        value: json!({
            "bucket": bucket.as_str(),
            "prefix": prefix.map_or("", |p| p.as_str()),
            "count": l.count,
            "total_bytes": l.total_bytes,
            "returned": l.objects.len(),
            "truncated": l.count > l.objects.len() as u64,
            "objects": l.objects.iter().map(object).collect::<Vec<_>>(),
        }),
        subject: Some(bucket.to_string()),
    })
}

pub async fn storage_summary(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    let bucket = a.require_bucket("bucket")?;
    let prefix = a.prefix("prefix")?;
    let prefix = prefix.as_ref();
    env.check(&bucket).await?;
    let l = listing::list_all(&env.tenant.client, &bucket, prefix, 0).await?;
    Ok(ToolOutput {
        summary: format!(
            "{}: {} object(s), {} bytes ({})",
            bucket,
            l.count,
            l.total_bytes,
            human_bytes(l.total_bytes)
        ),
        value: json!({
            "bucket": bucket.as_str(),
            "prefix": prefix.map_or("", |p| p.as_str()),
            "object_count": l.count,
            "total_bytes": l.total_bytes,
            "total_size_human": human_bytes(l.total_bytes),
            "average_object_bytes": l.total_bytes.checked_div(l.count).unwrap_or(0),
        }),
        subject: Some(bucket.to_string()),
    })
}

/// `top_largest` and `recent_objects`: the first `limit` by a ranking.
async fn ranked(env: &ToolEnv<'_>, a: &Args, largest: bool) -> Result<ToolOutput, ToolError> {
    let bucket = a.require_bucket("bucket")?;
    let prefix = a.prefix("prefix")?;
    let prefix = prefix.as_ref();
    let limit = a.int("limit", 1..=50, 10)? as usize;
    env.check(&bucket).await?;
    let c = &env.tenant.client;
    let (objects, scanned) = if largest {
        listing::top_largest(c, &bucket, prefix, limit).await?
    } else {
        listing::recent_objects(c, &bucket, prefix, limit).await?
    };
    let first = objects.first().map(|o| {
        let detail = if largest {
            human_bytes(o.size)
        } else {
            o.last_modified.clone().unwrap_or_default()
        };
        format!("; first {} ({detail})", o.key)
    });
    Ok(ToolOutput {
        summary: format!(
            "{}: {} of {} object(s){}",
            bucket,
            objects.len(),
            scanned,
            first.unwrap_or_default()
        ),
        value: json!({
            "bucket": bucket.as_str(),
            "prefix": prefix.map_or("", |p| p.as_str()),
            "scanned": scanned,
            "objects": objects.iter().map(object).collect::<Vec<_>>(),
        }),
        subject: Some(bucket.to_string()),
    })
}

pub async fn top_largest(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    ranked(env, a, true).await
}

pub async fn recent_objects(env: &ToolEnv<'_>, a: &Args) -> Result<ToolOutput, ToolError> {
    ranked(env, a, false).await
}
