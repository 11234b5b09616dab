//! Snapshot objects: their names, appending a line, and reading lines back.
//!
//! S3 cannot append, so an append reads the hour's object, adds the line and writes it
//! whole (gzip). Appends to one object are serialised in this process by a striped lock;
//! two SpaceWatch replicas appending to the same hour at the same moment could lose a
//! line — run the scheduler on one replica (docs/fleet.md, "Periodic jobs").
//!
//! Lines are read back typed ([`SnapshotLine`]: the fields the series use, parsed without
//! building a JSON tree) and streamed through the access-log line reader, so a line longer
//! than [`MAX_LINE`](parse::MAX_LINE) is counted as bad and never held, whatever an object holds.

use std::io::{Read, Write};

use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, NaiveDateTime};
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::accesslog::LogError;
use crate::accesslog::fetch;
use crate::accesslog::parse::{self, End, ObjectReport, for_each_line_until};
use crate::storage::{BucketName, KeyError, KeyPrefix, ObjectKey, StorageError};

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
        let d = crate::accesslog::cache::separated_sha256(&[endpoint, bucket, key]);
        &self.0[usize::from(d[0]) % STRIPES]
    }
}

/// `{prefix}dt=YYYY-MM-DD/hour=HH/metrics.jsonl.gz` of the hour holding `now`.
pub fn object_key(prefix: &KeyPrefix, now: i64) -> Result<ObjectKey, KeyError> {
    let t = DateTime::from_timestamp(now, 0).unwrap_or_default();
    prefix.join(&format!(
        "{}/metrics.jsonl.gz",
        t.format("dt=%Y-%m-%d/hour=%H")
    ))
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
    key: &ObjectKey,
    line: &str,
    locks: &KeyLocks,
) -> Result<(), LogError> {
    let _held = locks
        .stripe(endpoint, bucket.as_str(), key.as_str())
        .lock()
        .await;
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
        .key(key.as_str())
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

/// A snapshot line as read back: the fields the series use (absent ones are `None`), its
/// time, and — when asked for — the line as written.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct SnapshotLine {
    pub timestamp: String,
    pub source_bucket: String,
    pub source_objects: Option<u64>,
    pub source_bytes: Option<u64>,
    pub requests_total: Option<u64>,
    pub bytes_sent: Option<u64>,
    pub errors_4xx: Option<u64>,
    pub errors_5xx: Option<u64>,
    pub unique_ips: Option<u64>,
    /// Unix seconds of `timestamp`.
    #[serde(skip)]
    pub time: i64,
    /// The whole line, verbatim.
    #[serde(skip)]
    pub raw: Option<Box<RawValue>>,
}

impl SnapshotLine {
    /// The line `text`, if it is a JSON object with a timestamp and a source bucket;
    /// `keep_raw` keeps the text too.
    pub fn parse(text: &str, keep_raw: bool) -> Option<Self> {
        let mut l: SnapshotLine = serde_json::from_str(text).ok()?;
        l.time = parse_iso(&l.timestamp)?;
        if keep_raw {
            l.raw = Some(RawValue::from_string(text.to_string()).ok()?);
        }
        Some(l)
    }

    /// Approximate heap bytes.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.timestamp.len()
            + self.source_bucket.len()
            + self.raw.as_ref().map_or(0, |r| r.get().len())
    }
}

/// Calls `f` with every snapshot line of a gzip object (lines that are not snapshot lines
/// are counted as bad, lines over [`MAX_LINE`](parse::MAX_LINE) never parsed); stops when `stop` says so.
/// Returns the bad lines and how the read ended.
pub fn read_lines(
    gz: &[u8],
    keep_raw: bool,
    stop: &dyn Fn() -> bool,
    mut f: impl FnMut(SnapshotLine),
) -> (u64, End) {
    let mut bad = 0;
    let ObjectReport { stats, end } = for_each_line_until(
        gz,
        parse::Compression::Gzip,
        MAX_OBJECT_BYTES,
        stop,
        |text| match SnapshotLine::parse(text, keep_raw) {
            Some(l) => f(l),
            None => bad += 1,
        },
    );
    (bad + stats.malformed, end)
}

/// Unix seconds of an RFC 3339 time.
pub fn parse_iso(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.timestamp())
}

#[cfg(test)]
mod tests;
