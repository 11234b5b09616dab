//! Snapshots read back: every line of the objects that may hold the window, in time order,
//! then grouped as sources, one source's series, or the series summed over sources.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::store::{gunzip, lines, object_hour, parse_iso};
use crate::accesslog::LogError;
use crate::accesslog::keys::LogObject;
use crate::accesslog::scan::{Logs, Reader};

/// Snapshot lines with their time, oldest first, and what reading them found.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    pub lines: Vec<(i64, Value)>,
    pub objects_read: usize,
    pub bad_lines: u64,
    pub skipped: Vec<String>,
}

/// Every snapshot line at or after `since` (all when `None`) under the metrics prefix.
pub async fn read(
    reader: &Reader,
    metrics: &Logs<'_>,
    since: Option<i64>,
) -> Result<Lines, LogError> {
    let all = crate::accesslog::fetch::list(metrics.client, metrics.bucket, metrics.prefix).await?;
    let wanted: Vec<LogObject> = all
        .into_iter()
        .filter(|o| match object_hour(metrics.prefix, &o.key) {
            Some(hour) => since.is_none_or(|s| hour + 3600 > s),
            None => false,
        })
        .collect();
    let read = reader
        .each(metrics, wanted, |_o: &LogObject, bytes| {
            let text = gunzip(&bytes).map_err(|_| "not readable gzip")?;
            Ok(lines(&text))
        })
        .await?;
    let mut out = Lines::default();
    for (o, r) in read {
        match r {
            Ok((good, bad)) => {
                out.objects_read += 1;
                out.bad_lines += bad;
                for v in good {
                    let t = v["timestamp"]
                        .as_str()
                        .and_then(parse_iso)
                        .unwrap_or_default();
                    if since.is_none_or(|s| t >= s) {
                        out.lines.push((t, v));
                    }
                }
            }
            Err(_) => out.skipped.push(o.key),
        }
    }
    out.lines.sort_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            a.1["source_bucket"]
                .as_str()
                .cmp(&b.1["source_bucket"].as_str())
        })
    });
    Ok(out)
}

/// Every source bucket with snapshots: how many, first and last, and its latest size.
pub fn sources(lines: &Lines) -> Vec<Value> {
    let mut by: BTreeMap<&str, (u64, &Value, &Value)> = BTreeMap::new();
    for (_, v) in &lines.lines {
        let Some(b) = v["source_bucket"].as_str() else {
            continue;
        };
        let e = by.entry(b).or_insert((0, v, v));
        e.0 += 1;
        e.2 = v;
    }
    by.into_iter()
        .map(|(b, (n, first, last))| {
            json!({
                "source_bucket": b,
                "snapshots": n,
                "first": first["timestamp"],
                "last": last["timestamp"],
                "source_objects": last["source_objects"],
                "source_bytes": last["source_bytes"],
            })
        })
        .collect()
}

/// One source's snapshot lines, oldest first.
pub fn series(lines: &Lines, source: &str) -> Vec<Value> {
    lines
        .lines
        .iter()
        .filter(|(_, v)| v["source_bucket"].as_str() == Some(source))
        .map(|(_, v)| v.clone())
        .collect()
}

/// Fields summed over sources.
const SUMMED: [&str; 6] = [
    "source_objects",
    "source_bytes",
    "requests_total",
    "bytes_sent",
    "errors_4xx",
    "errors_5xx",
];

/// Per UTC hour, the latest snapshot of each source in it, summed over sources.
pub fn aggregate(lines: &Lines) -> Vec<Value> {
    let mut hours: BTreeMap<i64, BTreeMap<&str, &Value>> = BTreeMap::new();
    for (t, v) in &lines.lines {
        let Some(b) = v["source_bucket"].as_str() else {
            continue;
        };
        // Lines are in time order: a later one of the same hour replaces the earlier.
        hours
            .entry(t.div_euclid(3600) * 3600)
            .or_default()
            .insert(b, v);
    }
    hours
        .into_iter()
        .map(|(hour, latest)| {
            let mut p = serde_json::Map::new();
            p.insert(
                "timestamp".into(),
                crate::accesslog::record::iso(hour).into(),
            );
            p.insert("sources".into(), latest.len().into());
            for f in SUMMED {
                let sum: u64 = latest.values().filter_map(|v| v[f].as_u64()).sum();
                p.insert(f.into(), sum.into());
            }
            Value::Object(p)
        })
        .collect()
}
