//! Line-level queries: search every line for a filter, and read one object's lines.
//!
//! Search reads the objects that may hold its window (nothing is cached: a search is a
//! different question each time), keeps the newest `limit` matches of each object, and
//! merges: the answer is the newest `limit` matches overall, with the exact `count` of all
//! matches and `truncated` when there were more.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::LogError;
use super::keys::{LogObject, Window};
use super::parse::{Compression, LogLine, parse_object};
use super::record::LineRecord;
use super::scan::{Coverage, Logs, Query, Reader, SkippedObject};

/// Most results of one search.
pub const MAX_LIMIT: usize = 1000;

/// What a line must match (every given part).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub source: Option<String>,
    /// Request method (`GET`), or the operation's verb when the request line has none.
    pub method: Option<String>,
    /// A part of the decoded key.
    pub object_key: Option<String>,
    /// The first digits of the status (`4`, `40`, `404`).
    pub status_prefix: Option<String>,
    /// A part of the raw line.
    pub contains: Option<String>,
    /// The remote IP, exactly.
    pub ip: Option<String>,
}

impl Filter {
    /// Checks the parameters' shapes.
    pub fn validate(&self) -> Result<(), LogError> {
        if let Some(s) = &self.status_prefix
            && !(1..=3).contains(&s.len()) | !s.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(LogError::BadInput(
                "'status_prefix' must be 1 to 3 digits (4, 40, 404)".into(),
            ));
        }
        for (name, v) in [
            ("contains", &self.contains),
            ("object_key", &self.object_key),
        ] {
            if v.as_ref().is_some_and(|v| v.len() > 1024) {
                return Err(LogError::BadInput(format!(
                    "'{name}' is longer than 1024 bytes"
                )));
            }
        }
        Ok(())
    }

    fn matches(&self, raw: &str, l: &LogLine<'_>, window: Window) -> bool {
        let verb = || l.operation_parts().map(|p| p.verb);
        window.contains(l.time)
            && self.source.as_deref().is_none_or(|b| l.bucket == Some(b))
            && self.ip.as_deref().is_none_or(|ip| l.remote_ip == Some(ip))
            && self.method.as_deref().is_none_or(|m| {
                l.request_method()
                    .or_else(verb)
                    .is_some_and(|x| x.eq_ignore_ascii_case(m))
            })
            && self
                .status_prefix
                .as_deref()
                .is_none_or(|p| l.status.is_some_and(|s| s.to_string().starts_with(p)))
            && self.contains.as_deref().is_none_or(|c| raw.contains(c))
            && self
                .object_key
                .as_deref()
                .is_none_or(|k| l.key_decoded().is_some_and(|key| key.contains(k)))
    }
}

/// The answer of a search.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub results: Vec<LineRecord>,
    pub count: u64,
    pub coverage: Coverage,
}

/// The newest `limit` lines of one object that match.
fn search_object(
    o: &LogObject,
    bytes: &[u8],
    filter: &Filter,
    window: Window,
    limit: usize,
    max_decoded: u64,
) -> Result<(Vec<LineRecord>, u64, u64, u64), &'static str> {
    let mut heap: BinaryHeap<Reverse<Keyed>> = BinaryHeap::new();
    let (mut count, mut n) = (0u64, 0u64);
    let report = parse_object(
        bytes,
        Compression::detect(&o.key, bytes),
        max_decoded,
        |raw, r| {
            n += 1;
            let Ok(l) = r else { return };
            if !filter.matches(raw, &l, window) {
                return;
            }
            count += 1;
            let key = (l.time, n);
            if heap.len() < limit {
                heap.push(Reverse(Keyed(key, LineRecord::new(&l, &o.key, n))));
            } else if heap.peek().is_some_and(|Reverse(k)| k.0 < key) {
                heap.pop();
                heap.push(Reverse(Keyed(key, LineRecord::new(&l, &o.key, n))));
            }
        },
    );
    match report.end {
        super::parse::End::Complete => {}
        super::parse::End::TooLarge => return Err("decoded text larger than MAX_LOG_BYTES x 16"),
        super::parse::End::CorruptGzip => return Err("damaged gzip"),
    }
    let hits = heap.into_iter().map(|Reverse(k)| k.1).collect();
    Ok((hits, count, report.stats.lines, report.stats.malformed))
}

/// A record ordered by (time, line number) only.
struct Keyed((i64, u64), LineRecord);

impl PartialEq for Keyed {
    fn eq(&self, o: &Self) -> bool {
        self.0 == o.0
    }
}
impl Eq for Keyed {}
impl PartialOrd for Keyed {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Keyed {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.cmp(&o.0)
    }
}

impl Reader {
    /// Searches every object that may hold `window` for lines matching `filter`.
    pub async fn search(
        &self,
        logs: &Logs<'_>,
        filter: &Filter,
        window: Window,
        limit: usize,
    ) -> Result<Found, LogError> {
        filter.validate()?;
        let q = Query {
            source: filter.source.clone(),
            window,
        };
        let (objects, listed) = self.objects(logs, &q).await?;
        let mut cov = Coverage {
            objects_listed: listed,
            objects_considered: objects.len(),
            ..Coverage::default()
        };
        let max = self.max_bytes.saturating_mul(super::scan::GZIP_RATIO_CAP);
        let f = filter.clone();
        let read = self
            .each(logs, objects, move |o: &LogObject, bytes| {
                search_object(o, &bytes, &f, window, limit, max)
            })
            .await?;
        let mut found = Found::default();
        for (o, r) in read {
            match r {
                Ok((hits, count, lines, malformed)) => {
                    cov.objects_read += 1;
                    cov.lines += lines;
                    cov.malformed_lines += malformed;
                    found.count += count;
                    found.results.extend(hits);
                }
                Err(reason) => cov.skipped.push(SkippedObject { key: o.key, reason }),
            }
        }
        found.results.sort_by(|a, b| b.newer(a));
        found.results.truncate(limit);
        found.coverage = cov;
        Ok(found)
    }

    /// The lines of one object, `offset`/`limit` paged; malformed lines come back as
    /// errors with their line number.
    pub async fn read(
        &self,
        logs: &Logs<'_>,
        key: &str,
        offset: u64,
        limit: usize,
    ) -> Result<ReadPage, LogError> {
        let bytes = super::fetch::get(logs.client, logs.bucket, key, self.max_bytes).await?;
        let max = self.max_bytes.saturating_mul(super::scan::GZIP_RATIO_CAP);
        let key = key.to_string();
        let page = tokio::task::spawn_blocking(move || read_page(&key, &bytes, offset, limit, max))
            .await
            .map_err(|_| LogError::BadInput("the object could not be processed".into()))?;
        match page.end {
            super::parse::End::TooLarge => Err(LogError::TooLarge { max }),
            _ => Ok(page),
        }
    }
}

/// One page of an object's lines.
#[derive(Debug, Clone)]
pub struct ReadPage {
    pub lines: Vec<PageLine>,
    pub total_lines: u64,
    pub malformed: u64,
    pub end: super::parse::End,
}

/// A parsed line, or why a line could not be parsed.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(untagged)]
pub enum PageLine {
    Parsed(Box<LineRecord>),
    Malformed {
        line: u64,
        error: String,
        raw: String,
    },
}

fn read_page(key: &str, bytes: &[u8], offset: u64, limit: usize, max: u64) -> ReadPage {
    let mut lines = Vec::new();
    let mut n = 0u64;
    let report = parse_object(bytes, Compression::detect(key, bytes), max, |raw, r| {
        n += 1;
        if n <= offset || lines.len() >= limit {
            return;
        }
        lines.push(match r {
            Ok(l) => PageLine::Parsed(Box::new(LineRecord::new(&l, key, n))),
            Err(e) => PageLine::Malformed {
                line: n,
                error: e.to_string(),
                raw: crate::telemetry::operation::bounded_text(raw, 512),
            },
        });
    });
    ReadPage {
        lines,
        total_lines: report.stats.lines,
        malformed: report.stats.malformed,
        end: report.end,
    }
}
