//! Storage tools: buckets, a capped listing, recent objects, a summary, the largest.

use serde::Serialize;

use super::{Args, ToolEnv, ToolError, ToolOutput, typed};
use crate::storage::listing::{self, BucketInfo, ObjectInfo, human_bytes};

#[derive(Serialize)]
struct Buckets<'a> {
    count: usize,
    buckets: &'a [BucketInfo],
}

/// One object of a listing.
#[derive(Serialize)]
struct Object<'a> {
    key: &'a str,
    size: u64,
    size_human: String,
    last_modified: &'a Option<String>,
}

impl<'a> From<&'a ObjectInfo> for Object<'a> {
    fn from(o: &'a ObjectInfo) -> Self {
        Self {
            key: &o.key,
            size: o.size,
            size_human: human_bytes(o.size),
            last_modified: &o.last_modified,
        }
    }
}

#[derive(Serialize)]
struct Listing<'a> {
    bucket: &'a str,
    prefix: &'a str,
    count: u64,
    total_bytes: u64,
    returned: usize,
    truncated: bool,
    objects: Vec<Object<'a>>,
}

#[derive(Serialize)]
struct Summary<'a> {
    bucket: &'a str,
    prefix: &'a str,
    object_count: u64,
    total_bytes: u64,
    total_size_human: String,
    average_object_bytes: u64,
}

#[derive(Serialize)]
struct Ranked<'a> {
    bucket: &'a str,
    prefix: &'a str,
    scanned: u64,
    objects: Vec<Object<'a>>,
}

pub async fn list_buckets(env: &ToolEnv<'_>) -> Result<ToolOutput, ToolError> {
    let buckets = env.access.list(env.tenant, env.counters).await?;
    let names: Vec<&str> = buckets.iter().map(|b| b.name.as_str()).collect();
    Ok(ToolOutput {
        summary: format!("{} bucket(s): {}", buckets.len(), names.join(", ")),
        value: typed(&Buckets {
            count: buckets.len(),
            buckets: &buckets[..],
        }),
        subject: None,
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
        value: typed(&Listing {
            bucket: bucket.as_str(),
            prefix: prefix.map_or("", |p| p.as_str()),
            count: l.count,
            total_bytes: l.total_bytes,
            returned: l.objects.len(),
            truncated: l.count > l.objects.len() as u64,
            objects: l.objects.iter().map(Object::from).collect(),
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
        value: typed(&Summary {
            bucket: bucket.as_str(),
            prefix: prefix.map_or("", |p| p.as_str()),
            object_count: l.count,
            total_bytes: l.total_bytes,
            total_size_human: human_bytes(l.total_bytes),
            average_object_bytes: l.total_bytes.checked_div(l.count).unwrap_or(0),
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
        value: typed(&Ranked {
            bucket: bucket.as_str(),
            prefix: prefix.map_or("", |p| p.as_str()),
            scanned,
            objects: objects.iter().map(Object::from).collect(),
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
