//! Storage tools built on the SDK: list buckets, list objects (every page).

use aws_sdk_s3::Client;
use aws_smithy_types::date_time::Format;
use serde::Serialize;

use super::error::StorageError;
use super::names::BucketName;

/// A bucket as `/tools/buckets` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BucketInfo {
    pub name: String,
    pub creation_date: Option<String>,
}

/// An object as the listing tools show it.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    pub last_modified: Option<String>,
    pub etag: Option<String>,
    pub storage_class: Option<String>,
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

/// Walks every page of `bucket`/`prefix`, keeping the first `keep` objects.
pub async fn list_all(
    client: &Client,
    bucket: &BucketName,
    prefix: Option<&str>,
    keep: usize,
) -> Result<Listing, StorageError> {
    let mut listing = Listing::default();
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket.as_str())
        .set_prefix(prefix.map(str::to_string))
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| StorageError::from_sdk(&e))?;
        for o in page.contents() {
            let size = o.size().unwrap_or(0).max(0) as u64;
            listing.count += 1;
            listing.total_bytes += size;
            if listing.objects.len() < keep {
                listing.objects.push(ObjectInfo {
                    key: o.key().unwrap_or_default().to_string(),
                    size,
                    last_modified: date(o.last_modified()),
                    etag: o.e_tag().map(str::to_string),
                    storage_class: o.storage_class().map(|c| c.as_str().to_string()),
                });
            }
        }
    }
    Ok(listing)
}
