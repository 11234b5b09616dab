//! Snapshot objects: their names, appending a line, and reading lines back.
//!
//! S3 cannot append, so an append reads the hour's object, adds the line and writes it
//! whole (gzip). Appends to one object are serialised in this process by a striped lock;
//! two SpaceWatch replicas appending to the same hour at the same moment could lose a
//! line — run the scheduler on one replica (docs/fleet.md, "Periodic jobs").

use std::io::{Read, Write};

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, NaiveDateTime};
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::accesslog::LogError;
use crate::accesslog::fetch;
use crate::storage::{BucketName, StorageError};

/// Largest snapshot object read (compressed) and written (text).
pub const MAX_OBJECT_BYTES: u64 = 16 * 1024 * 1024;
const STRIPES: usize = 64;

/// One lock per stripe of object names.
#[derive(Debug)]
pub struct KeyLocks([tokio::sync::Mutex<()>; STRIPES]);

impl Default for KeyLocks {
    fn default() -> Self {
        Self(std::array::from_fn(|_| tokio::sync::Mutex::new(())))
    }
}

impl KeyLocks {
    fn stripe(&self, endpoint: &str, bucket: &str, key: &str) -> &tokio::sync::Mutex<()> {
        let d = Sha256::new()
            .chain_update(endpoint)
            .chain_update([0])
            .chain_update(bucket)
            .chain_update([0])
            .chain_update(key)
            .finalize();
        &self.0[usize::from(d[0]) % STRIPES]
    }
}

/// `{prefix}dt=YYYY-MM-DD/hour=HH/metrics.jsonl.gz` of the hour holding `now`.
pub fn object_key(prefix: &str, now: i64) -> String {
    let t = DateTime::from_timestamp(now, 0).unwrap_or_default();
    format!(
        "{prefix}{}/metrics.jsonl.gz",
        t.format("dt=%Y-%m-%d/hour=%H")
    )
}

/// The hour (unix seconds) a snapshot object's name says, if it is one.
pub fn object_hour(prefix: &str, key: &str) -> Option<i64> {
    let rest = key.strip_prefix(prefix)?;
    let name = rest.strip_suffix("/metrics.jsonl.gz")?;
    let text = format!("{name}:00:00");
    NaiveDateTime::parse_from_str(&text, "dt=%Y-%m-%d/hour=%H:%M:%S")
        .ok()
        .map(|t| t.and_utc().timestamp())
}

/// Appends `line` to the object `key`.
pub async fn append(
    client: &Client,
    endpoint: &str,
    bucket: &BucketName,
    key: &str,
    line: &str,
    locks: &KeyLocks,
) -> Result<(), LogError> {
    let _held = locks.stripe(endpoint, bucket.as_str(), key).lock().await;
    let mut text = match fetch::get(client, bucket, key, MAX_OBJECT_BYTES).await {
        Ok(gz) => gunzip(&gz)?,
        Err(LogError::NotFound) => String::new(),
        Err(e) => return Err(e),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    let gz = {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(text.as_bytes())
            .map_err(|e| LogError::BadInput(format!("cannot compress the snapshot: {e}")))?;
        enc.finish()
            .map_err(|e| LogError::BadInput(format!("cannot compress the snapshot: {e}")))?
    };
    client
        .put_object()
        .bucket(bucket.as_str())
        .key(key)
        .content_type("application/gzip")
        .body(ByteStream::from(gz))
        .send()
        .await
        .map_err(|e| StorageError::from_sdk(&e))?;
    Ok(())
}

/// The text of a gzip snapshot object (at most [`MAX_OBJECT_BYTES`] of it).
pub fn gunzip(gz: &[u8]) -> Result<String, LogError> {
    let mut out = String::new();
    MultiGzDecoder::new(gz)
        .take(MAX_OBJECT_BYTES)
        .read_to_string(&mut out)
        .map_err(|_| LogError::BadInput("a snapshot object is not readable gzip text".into()))?;
    Ok(out)
}

/// The JSON lines of a snapshot object's text; lines that are not JSON objects with a
/// timestamp and a source bucket are counted, not returned.
pub fn lines(text: &str) -> (Vec<Value>, u64) {
    let mut bad = 0;
    let good = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| {
            let v: Option<Value> = serde_json::from_str(l).ok();
            let ok = v.as_ref().is_some_and(|v| {
                v["timestamp"].as_str().and_then(parse_iso).is_some()
                    && v["source_bucket"].as_str().is_some()
            });
            if !ok {
                bad += 1;
            }
            v.filter(|_| ok)
        })
        .collect();
    (good, bad)
}

/// Unix seconds of an RFC 3339 time.
pub fn parse_iso(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp())
}

#[cfg(test)]
mod tests;
