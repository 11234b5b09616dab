//! Reading the log bucket: the list of log objects, and one object's bytes under the
//! `MAX_LOG_BYTES` cap (checked against the listed size before reading, and again while
//! reading, since a listing can be stale).

use aws_sdk_s3::Client;
use bytes::{Bytes, BytesMut};

use super::LogError;
use super::keys::LogObject;
use crate::storage::listing::walk;
use crate::storage::{BucketName, KeyPrefix, ObjectKey, StorageError};

/// Every object under `prefix` of the log bucket, newest delivery first (objects without
/// a time in their name last, by key). A store that lists no ETag (s3s-fs) gets the size
/// and the last-modified time in its place: a changed object is another object.
pub async fn list(
    client: &Client,
    bucket: &BucketName,
    prefix: &KeyPrefix,
) -> Result<Vec<LogObject>, LogError> {
    let mut out = Vec::new();
    walk(client, bucket, Some(prefix), |o| {
        let etag = o.etag.clone().unwrap_or_else(|| {
            let modified = o.last_modified.as_deref().unwrap_or("-");
            format!("size {} modified {modified}", o.size)
        });
        out.push(LogObject::new(o.key, o.size, etag, o.last_modified));
    })
    .await?;
    out.sort_by(|a, b| {
        b.delivered
            .cmp(&a.delivered)
            .then_with(|| b.key.cmp(&a.key))
    });
    Ok(out)
}

/// The bytes of `key`, at most `max`.
pub async fn get(
    client: &Client,
    bucket: &BucketName,
    key: &ObjectKey,
    max: u64,
) -> Result<Bytes, LogError> {
    let resp = client
        .get_object()
        .bucket(bucket.as_str())
        .key(key.as_str())
        .send()
        .await
        .map_err(|e| StorageError::from_sdk(&e))?;
    if resp.content_length().is_some_and(|n| n.max(0) as u64 > max) {
        return Err(LogError::TooLarge { max });
    }
    let mut body = resp.body;
    let mut out = BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| StorageError::failed())?;
        if (out.len() + chunk.len()) as u64 > max {
            return Err(LogError::TooLarge { max });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out.freeze())
}
