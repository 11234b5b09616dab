//! Whole answers built from the summaries of a query — request metrics, hot prefixes, a
//! log object as listed — shared by the HTTP endpoints and the agent's tools, so both
//! give the same figures for the same question.

use serde::Serialize;

use super::LogError;
use super::keys::LogObject;
use super::report::{CoverageJson, RequestMetrics};
use super::scan::{Logs, Query, Reader};
use super::summary::PrefixStats;
use super::totals::{Totals, prefixes};

/// The request metrics of a query, with the `top` busiest clients, and what they rest on.
pub async fn request_metrics(
    reader: &Reader,
    logs: &Logs<'_>,
    q: &Query,
    top: usize,
) -> Result<(RequestMetrics, CoverageJson), LogError> {
    let (summaries, cov) = reader.summaries(logs, q).await?;
    let totals = Totals::of(&summaries, q.source.as_deref(), q.window);
    Ok((RequestMetrics::of(&totals, top), CoverageJson::from(&cov)))
}

/// One prefix's counts.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PrefixRow {
    pub prefix: String,
    pub requests: u64,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    pub slowdowns: u64,
}

/// The prefixes that drive requests, errors and `SlowDown`s.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HotPrefixes {
    pub depth: usize,
    pub limit: usize,
    /// Distinct prefixes seen.
    pub prefixes: usize,
    /// True when some hour had more prefixes than the summaries keep.
    pub prefixes_capped: bool,
    pub by_requests: Vec<PrefixRow>,
    pub by_errors: Vec<PrefixRow>,
    pub by_slowdowns: Vec<PrefixRow>,
    pub coverage: CoverageJson,
}

/// The hot prefixes of a query at `depth` folders, `limit` per ranking.
pub async fn hot_prefixes(
    reader: &Reader,
    logs: &Logs<'_>,
    q: &Query,
    depth: usize,
    limit: usize,
) -> Result<HotPrefixes, LogError> {
    let (summaries, cov) = reader.summaries(logs, q).await?;
    let (all, capped) = prefixes(&summaries, q.source.as_deref(), q.window, depth);
    let mut rows: Vec<(&str, PrefixStats)> = all.into_iter().collect();
    let mut top = |key: fn(&PrefixStats) -> u64| {
        rows.sort_by(|a, b| key(&b.1).cmp(&key(&a.1)).then(a.0.cmp(b.0)));
        rows.iter()
            .filter(|(_, s)| key(s) > 0)
            .take(limit)
            .map(|(p, s)| PrefixRow {
                prefix: (*p).to_string(),
                requests: s.requests,
                errors_4xx: s.errors_4xx,
                errors_5xx: s.errors_5xx,
                slowdowns: s.slowdowns,
            })
            .collect::<Vec<_>>()
    };
    let by_requests = top(|s| s.requests);
    let by_errors = top(|s| s.errors_4xx + s.errors_5xx);
    let by_slowdowns = top(|s| s.slowdowns);
    Ok(HotPrefixes {
        depth,
        limit,
        prefixes: rows.len(),
        prefixes_capped: capped,
        by_requests,
        by_errors,
        by_slowdowns,
        coverage: CoverageJson::from(&cov),
    })
}

/// A log object as the files listing shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FileJson {
    pub key: String,
    pub size: u64,
    pub last_modified: Option<String>,
    pub delivered: Option<String>,
    pub source_bucket: Option<String>,
    pub compressed: bool,
    /// Larger than `MAX_LOG_BYTES`: listed, never read.
    pub too_large: bool,
}

impl FileJson {
    pub fn of(o: &LogObject, max_bytes: u64) -> Self {
        Self {
            key: o.key.clone(),
            size: o.size,
            last_modified: o.last_modified.clone(),
            delivered: o.delivered.map(super::record::iso),
            source_bucket: o.source.clone(),
            compressed: o.key.ends_with(".gz"),
            too_large: o.size > max_bytes,
        }
    }
}

/// A log object as the files listing shows it.
pub fn file_json(o: &LogObject, max_bytes: u64) -> FileJson {
    FileJson::of(o, max_bytes)
}
