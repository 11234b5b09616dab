//! Storage tools built on the SDK. Every listing walks all pages.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use aws_sdk_s3::Client;
use aws_smithy_types::date_time::Format;
use serde::Serialize;

use super::error::StorageError;
use super::names::{BucketName, KeyPrefix};

/// A bucket as `/tools/buckets` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BucketInfo {
    pub name: String,
    pub creation_date: Option<String>,
}

/// An object as the listing tools show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub last_modified: Option<String>,
    pub etag: Option<String>,
    pub storage_class: Option<String>,
    /// Last-modified in ms since the epoch, for ordering.
    #[serde(skip)]
    pub modified_ms: Option<i64>,
}

/// The result of walking a whole listing, keeping the first `kept` objects.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub objects: Vec<ObjectInfo>,
    pub count: u64,
    pub total_bytes: u64,
}

fn date(d: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    d.and_then(|d| d.fmt(Format::DateTime).ok())
}

/// Every bucket the credentials can see.
pub async fn list_buckets(client: &Client) -> Result<Vec<BucketInfo>, StorageError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let resp = client
            .list_buckets()
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| StorageError::from_sdk(&e))?;
        out.extend(resp.buckets().iter().map(|b| BucketInfo {
            name: b.name().unwrap_or_default().to_string(),
            creation_date: date(b.creation_date()),
        }));
        match resp.continuation_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(out),
        }
    }
}

/// Calls `visit` for every object of `bucket`/`prefix`, page after page.
pub async fn walk(
    client: &Client,
    bucket: &BucketName,
    prefix: Option<&KeyPrefix>,
    mut visit: impl FnMut(ObjectInfo),
) -> Result<(), StorageError> {
    let prefix = prefix.and_then(KeyPrefix::as_option);
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket.as_str())
        .set_prefix(prefix.map(str::to_string))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| StorageError::from_sdk(&e))?;
        for o in page.contents() {
            visit(ObjectInfo {
                key: o.key().unwrap_or_default().to_string(),
                size: o.size().unwrap_or(0).max(0) as u64,
                last_modified: date(o.last_modified()),
                etag: o.e_tag().map(str::to_string),
                storage_class: o.storage_class().map(|c| c.as_str().to_string()),
                modified_ms: o.last_modified().and_then(|d| d.to_millis().ok()),
            });
        }
    }
    Ok(())
}

/// Walks every page, keeping the first `keep` objects.
pub async fn list_all(
    client: &Client,
    bucket: &BucketName,
    prefix: Option<&KeyPrefix>,
    keep: usize,
) -> Result<Listing, StorageError> {
    let mut listing = Listing::default();
    walk(client, bucket, prefix, |o| {
        listing.count += 1;
        listing.total_bytes += o.size;
        if listing.objects.len() < keep {
            listing.objects.push(o);
        }
    })
    .await?;
    Ok(listing)
}

/// The `n` largest objects, largest first (ties by key).
pub async fn top_largest(
    client: &Client,
    bucket: &BucketName,
    prefix: Option<&KeyPrefix>,
    n: usize,
) -> Result<(Vec<ObjectInfo>, u64), StorageError> {
    top_by(client, bucket, prefix, n, |o| {
        (o.size as i64, Reverse(o.key.clone()))
    })
    .await
}

/// The `n` most recently modified objects, newest first.
pub async fn recent_objects(
    client: &Client,
    bucket: &BucketName,
    prefix: Option<&KeyPrefix>,
    n: usize,
) -> Result<(Vec<ObjectInfo>, u64), StorageError> {
    top_by(client, bucket, prefix, n, |o| {
        (o.modified_ms.unwrap_or(i64::MIN), Reverse(o.key.clone()))
    })
    .await
}

/// The `n` objects with the greatest `rank`, greatest first, and how many were seen; memory
/// stays at `n` objects whatever the size of the bucket.
async fn top_by<R: Ord>(
    client: &Client,
    bucket: &BucketName,
    prefix: Option<&KeyPrefix>,
    n: usize,
    rank: impl Fn(&ObjectInfo) -> R,
) -> Result<(Vec<ObjectInfo>, u64), StorageError> {
    let mut heap: BinaryHeap<Reverse<(R, usize)>> = BinaryHeap::new();
    let mut kept: Vec<Option<ObjectInfo>> = Vec::new();
    let mut seen = 0u64;
    walk(client, bucket, prefix, |o| {
        seen += 1;
        let r = rank(&o);
        if heap.len() < n {
            heap.push(Reverse((r, kept.len())));
            kept.push(Some(o));
        } else if heap.peek().is_some_and(|Reverse((min, _))| r > *min)
            && let Some(Reverse((_, slot))) = heap.pop()
        {
            kept[slot] = Some(o);
            heap.push(Reverse((r, slot)));
        }
    })
    .await?;
    let mut out: Vec<(R, usize)> = heap.into_iter().map(|Reverse(x)| x).collect();
    out.sort_by(|a, b| b.0.cmp(&a.0));
    Ok((
        out.into_iter()
            .filter_map(|(_, i)| kept[i].take())
            .collect(),
        seen,
    ))
}

/// Bytes in binary units: `512 B`, `1.50 KiB`, `3.25 GiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.2} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests;
