//! Metric snapshots: a bucket's storage summary (objects, bytes) and the request metrics of
//! its access logs over the last hours, taken now and appended as one JSON line to
//! `{metrics_prefix}dt=YYYY-MM-DD/hour=HH/metrics.jsonl.gz` in the tenant's metrics bucket —
//! two snapshots in one hour are two lines of one object. Read back as series.
//!
//! - [`store`]: the object names, the append (read, add a line, write; one writer per
//!   object at a time in this process) and the read-back.
//! - [`series`]: sources, one source's series, the series summed over sources.
//! - [`scheduler`]: periodic snapshots with credentials from the environment.

pub mod scheduler;
pub mod series;
pub mod store;

use serde::Serialize;

use super::LogError;
use super::keys::Window;
use super::record::iso;
use super::report::{CoverageJson, RequestMetrics};
use super::scan::{Logs, Query, Reader};
use super::totals::Totals;
use crate::storage::listing::list_all;
use crate::storage::{BucketName, KeyPrefix, ObjectKey};
use crate::tenant::Tenant;

/// Default trailing window of a snapshot's request metrics, hours.
pub const DEFAULT_WINDOW_HOURS: u64 = 24;

/// What to snapshot and where to write it.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub tenant: &'a Tenant,
    pub source: &'a BucketName,
    pub source_prefix: Option<&'a KeyPrefix>,
    pub metrics_bucket: &'a BucketName,
    pub metrics_prefix: &'a KeyPrefix,
    /// The tenant's access logs, when it has a log bucket.
    pub logs: Option<Logs<'a>>,
    pub window_hours: u64,
}

/// One snapshot line, as written (one JSON object a line).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Snapshot {
    pub timestamp: String,
    pub source_bucket: String,
    pub source_prefix: String,
    pub source_objects: u64,
    pub source_bytes: u64,
    pub window_hours: u64,
    pub window_from: Option<String>,
    /// Whether the request metrics below were taken from access logs.
    pub access_logs: bool,
    #[serde(flatten)]
    pub requests: Option<Requests>,
}

/// The request metrics of a snapshot, and what they rest on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Requests {
    #[serde(flatten)]
    pub metrics: RequestMetrics,
    pub log_coverage: CoverageJson,
}

/// Takes one snapshot at `now` (unix seconds) and appends it to `key`; returns the line
/// written.
pub async fn take(
    reader: &Reader,
    locks: &store::KeyLocks,
    t: &Target<'_>,
    now: i64,
) -> Result<(ObjectKey, Snapshot), LogError> {
    let key = store::object_key(t.metrics_prefix, now)?;
    let client = &t.tenant.client;
    let listing = list_all(client, t.source, t.source_prefix, 0).await?;
    let window = Window::hours(t.window_hours, now);
    let stored = Stored {
        source: t.source.as_str(),
        prefix: t.source_prefix.map_or("", KeyPrefix::as_str),
        objects: listing.count,
        bytes: listing.total_bytes,
    };
    let requests = match &t.logs {
        Some(logs) => {
            let q = Query {
                source: Some(t.source.to_string()),
                window,
            };
            let (summaries, cov) = reader.summaries(logs, &q).await?;
            let totals = Totals::of(&summaries, q.source.as_deref(), window);
            Some((RequestMetrics::of(&totals, 10), CoverageJson::from(&cov)))
        }
        None => None,
    };
    let line = line(&stored, window, t.window_hours, requests, now);
    let text = serde_json::to_string(&line)
        .map_err(|e| LogError::BadInput(format!("cannot write the snapshot: {e}")))?;
    let endpoint = &t.tenant.creds.endpoint;
    store::append(client, endpoint, t.metrics_bucket, &key, &text, locks).await?;
    reader
        .metrics
        .stored(t.source.as_str(), listing.count, listing.total_bytes, now);
    Ok((key, line))
}

/// What a snapshot found in the source bucket.
#[derive(Debug, Clone, Copy)]
pub struct Stored<'a> {
    pub source: &'a str,
    pub prefix: &'a str,
    pub objects: u64,
    pub bytes: u64,
}

/// One snapshot line: the storage figures, and the request metrics when there are logs.
pub fn line(
    s: &Stored<'_>,
    window: Window,
    window_hours: u64,
    requests: Option<(RequestMetrics, CoverageJson)>,
    now: i64,
) -> Snapshot {
    Snapshot {
        timestamp: iso(now),
        source_bucket: s.source.to_string(),
        source_prefix: s.prefix.to_string(),
        source_objects: s.objects,
        source_bytes: s.bytes,
        window_hours,
        window_from: window.bounds().0,
        access_logs: requests.is_some(),
        requests: requests.map(|(metrics, log_coverage)| Requests {
            metrics,
            log_coverage,
        }),
    }
}
