//! Snapshots read back: the lines of the objects that may hold the window, in time order,
//! then grouped as sources, one source's series, or the series summed over sources.
//!
//! A read-back is one heavy job (it shares the access-log reader's limits): at most
//! [`MAX_LINES`] lines are kept, each charged to the job's byte budget, and the answer says
//! when lines were left out (`truncated`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::value::RawValue;

use super::store::{SnapshotLine, object_hour, read_lines};
use crate::accesslog::LogError;
use crate::accesslog::keys::LogObject;
use crate::accesslog::parse::End;
use crate::accesslog::record::iso;
use crate::accesslog::scan::{Logs, Reader};

/// Most snapshot lines one read-back keeps (a year of hourly snapshots of 11 buckets).
pub const MAX_LINES: usize = 100_000;

/// Snapshot lines, oldest first, and what reading them found.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    pub lines: Vec<SnapshotLine>,
    pub objects_read: usize,
    pub bad_lines: u64,
    pub skipped: Vec<String>,
    /// True when lines were left out: over [`MAX_LINES`], over the job's byte budget, or
    /// in objects over `ACCESS_LOG_MAX_OBJECTS`.
    pub truncated: bool,
}

/// What one object gave.
struct Read {
    lines: Vec<SnapshotLine>,
    bad: u64,
    full: bool,
}

/// Every snapshot line at or after `since` (all when `None`) under the metrics prefix;
/// `keep_raw` keeps each line's text (for answers that show whole lines).
pub async fn read(
    reader: &Reader,
    metrics: &Logs<'_>,
    since: Option<i64>,
    keep_raw: bool,
) -> Result<Lines, LogError> {
    let job = reader.start(metrics).await?;
    let prefix = metrics.prefix.as_str();
    let all = crate::accesslog::fetch::list(metrics.client(), metrics.bucket, metrics.prefix);
    let mut wanted: Vec<LogObject> = all
        .await?
        .into_iter()
        .filter(|o| object_hour(prefix, &o.key).is_some_and(|h| since.is_none_or(|s| h + 3600 > s)))
        .collect();
    // Newest hours first, so what a cap leaves out is the oldest.
    wanted.sort_by_key(|o| std::cmp::Reverse(object_hour(prefix, &o.key)));
    let mut out = Lines {
        truncated: wanted.len() > reader.max_objects,
        ..Lines::default()
    };
    wanted.truncate(reader.max_objects);
    let work =
        move |_: &LogObject, bytes: bytes::Bytes, job: &crate::accesslog::jobs::JobHandle| {
            let (mut lines, full) = (Vec::new(), std::cell::Cell::new(false));
            let stop = || full.get() || job.stopped();
            let (bad, end) = read_lines(&bytes, keep_raw, &stop, |l| {
                if since.is_some_and(|s| l.time < s) {
                    return;
                }
                if lines.len() < MAX_LINES && job.charge(l.heap_bytes()) {
                    lines.push(l);
                } else {
                    full.set(true);
                }
            });
            let full = full.get();
            match end {
                End::Complete => {}
                End::Stopped if full => {}
                End::Stopped => return Err("stopped: the request ended"),
                End::TooLarge | End::CorruptGzip => return Err("not readable gzip"),
            }
            Ok(Read { lines, bad, full })
        };
    reader
        .each(metrics, &job, wanted, work, |o, r| match r {
            Ok(read) if out.lines.len() < MAX_LINES => {
                out.objects_read += 1;
                out.bad_lines += read.bad;
                out.truncated |= read.full;
                let room = MAX_LINES - out.lines.len();
                out.truncated |= read.lines.len() > room;
                out.lines.extend(read.lines.into_iter().take(room));
            }
            Ok(_) => out.truncated = true,
            Err(_) => out.skipped.push(o.key),
        })
        .await?;
    out.lines.sort_by(|a, b| {
        a.time
            .cmp(&b.time)
            .then_with(|| a.source_bucket.cmp(&b.source_bucket))
    });
    Ok(out)
}

/// A source bucket with snapshots.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Source {
    pub source_bucket: String,
    pub snapshots: u64,
    pub first: String,
    pub last: String,
    pub source_objects: Option<u64>,
    pub source_bytes: Option<u64>,
    /// The first snapshot's figures, for growth.
    #[serde(skip)]
    pub first_objects: Option<u64>,
    #[serde(skip)]
    pub first_bytes: Option<u64>,
}

/// Every source bucket with snapshots: how many, first and last, and its latest size.
pub fn sources(lines: &Lines) -> Vec<Source> {
    let mut by: BTreeMap<&str, (u64, &SnapshotLine, &SnapshotLine)> = BTreeMap::new();
    for l in &lines.lines {
        let e = by.entry(&l.source_bucket).or_insert((0, l, l));
        e.0 += 1;
        e.2 = l;
    }
    by.into_iter()
        .map(|(b, (n, first, last))| Source {
            source_bucket: b.to_string(),
            snapshots: n,
            first: first.timestamp.clone(),
            last: last.timestamp.clone(),
            source_objects: last.source_objects,
            source_bytes: last.source_bytes,
            first_objects: first.source_objects,
            first_bytes: first.source_bytes,
        })
        .collect()
}

/// One source's snapshot lines, oldest first.
pub fn series<'a>(lines: &'a Lines, source: &'a str) -> impl Iterator<Item = &'a SnapshotLine> {
    lines
        .lines
        .iter()
        .filter(move |l| l.source_bucket == source)
}

/// The lines as written (those read with their text).
pub fn raw<'a>(lines: impl Iterator<Item = &'a SnapshotLine>) -> Vec<&'a RawValue> {
    lines.filter_map(|l| l.raw.as_deref()).collect()
}

/// The latest snapshot of each source in one UTC hour, summed over sources.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct HourSum {
    pub timestamp: String,
    pub sources: usize,
    pub source_objects: u64,
    pub source_bytes: u64,
    pub requests_total: u64,
    pub bytes_sent: u64,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
}

/// Per UTC hour, the latest snapshot of each source in it, summed over sources.
pub fn aggregate(lines: &Lines) -> Vec<HourSum> {
    let mut hours: BTreeMap<i64, BTreeMap<&str, &SnapshotLine>> = BTreeMap::new();
    for l in &lines.lines {
        // Lines are in time order: a later one of the same hour replaces the earlier.
        hours
            .entry(l.time.div_euclid(3600) * 3600)
            .or_default()
            .insert(&l.source_bucket, l);
    }
    hours
        .into_iter()
        .map(|(hour, latest)| {
            let sum = |f: fn(&SnapshotLine) -> Option<u64>| -> u64 {
                latest.values().filter_map(|l| f(l)).sum()
            };
            HourSum {
                timestamp: iso(hour),
                sources: latest.len(),
                source_objects: sum(|l| l.source_objects),
                source_bytes: sum(|l| l.source_bytes),
                requests_total: sum(|l| l.requests_total),
                bytes_sent: sum(|l| l.bytes_sent),
                errors_4xx: sum(|l| l.errors_4xx),
                errors_5xx: sum(|l| l.errors_5xx),
            }
        })
        .collect()
}
