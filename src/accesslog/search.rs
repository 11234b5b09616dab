//! Line-level queries: search every line for a filter, and read one object's lines.
//!
//! Search reads the objects that may hold its window, keeps the newest `limit` matches of
//! each object and merges them, as each object is done, into one heap of the newest `limit`
//! overall: the answer is those, with the exact `count` of all matches and `truncated`
//! when there were more. Each object's matches are cached under the question (filter,
//! window, limit), so asking again reads only what was not read before. Long fields are
//! cut ([`super::record::MAX_FIELD`]) and the answer stops at [`MAX_ANSWER_BYTES`].

use super::LogError;
use super::jobs::JobHandle;
use super::keys::{LogObject, Window};
use super::parse::{Compression, End, LogLine, parse_object_until};
use super::record::{Kept, LineRecord, cap_answer};
use super::scan::{Coverage, GZIP_RATIO_CAP, Logs, Matches, Query, Reader};
use super::summary::Skipped;
use crate::storage::ObjectKey;

/// Most results of one search.
pub const MAX_LIMIT: usize = 1000;
/// Most bytes of lines in one answer (search, audit, read): the rest are left out, and the
/// answer says it is truncated.
pub const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;

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

    /// Everything an object's matches depend on, as the cache's question.
    fn question(&self, window: Window, limit: usize) -> Vec<u8> {
        format!("search {self:?} {window:?} {limit}").into_bytes()
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
    /// Newest first.
    pub results: Vec<LineRecord>,
    pub count: u64,
    /// True when results were left out to keep the answer under [`MAX_ANSWER_BYTES`].
    pub answer_capped: bool,
    pub coverage: Coverage,
}

/// Why reading an object's lines stopped early, as a skip.
pub(crate) fn ended(end: End) -> Result<(), Skipped> {
    match end {
        End::Complete => Ok(()),
        End::TooLarge => Err(Skipped::TooLarge),
        End::CorruptGzip => Err(Skipped::CorruptGzip),
        End::Stopped => Err(Skipped::Stopped),
    }
}

/// The newest `limit` lines of one object that match.
fn search_object(
    o: &LogObject,
    bytes: &[u8],
    filter: &Filter,
    window: Window,
    limit: usize,
    max_decoded: u64,
    stop: &dyn Fn() -> bool,
) -> Result<Matches, Skipped> {
    let kept = Kept::newest(limit);
    matching_lines(o, bytes, kept, max_decoded, stop, |raw, l| {
        filter.matches(raw, l, window)
    })
}

/// The lines of one object that `wanted` (given the raw line and its fields) keeps, as
/// many as `kept` holds, how many matched, and the object's line counts.
pub(crate) fn matching_lines(
    o: &LogObject,
    bytes: &[u8],
    mut kept: Kept,
    max_decoded: u64,
    stop: &dyn Fn() -> bool,
    mut wanted: impl FnMut(&str, &LogLine<'_>) -> bool,
) -> Result<Matches, Skipped> {
    let (mut count, mut n) = (0u64, 0u64);
    let compression = Compression::detect(&o.key, bytes);
    let report = parse_object_until(bytes, compression, max_decoded, stop, |raw, r| {
        n += 1;
        let Ok(l) = r else { return };
        if wanted(raw, &l) {
            count += 1;
            kept.offer((l.time, &o.key, n), || LineRecord::new(&l, &o.key, n));
        }
    });
    ended(report.end)?;
    Ok(Matches {
        records: kept.into_sorted(),
        count,
        lines: report.stats.lines,
        malformed: report.stats.malformed,
    })
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
        let f = filter.clone();
        let mut kept = Kept::newest(limit);
        let mut count = 0;
        let coverage = self
            .scan_lines(
                logs,
                &q,
                &filter.question(window, limit),
                move |o, bytes, max, stop| search_object(o, bytes, &f, window, limit, max, stop),
                |m| {
                    count += m.count;
                    m.records.iter().for_each(|r| kept.offer_record(r));
                },
            )
            .await?;
        let mut results = kept.into_sorted();
        let answer_capped = cap_answer(&mut results);
        Ok(Found {
            results,
            count,
            answer_capped,
            coverage,
        })
    }

    /// The lines of one object, `offset`/`limit` paged; malformed lines come back as
    /// errors with their line number.
    pub async fn read(
        &self,
        logs: &Logs<'_>,
        key: &ObjectKey,
        offset: u64,
        limit: usize,
    ) -> Result<ReadPage, LogError> {
        let job = self.start(logs).await?;
        let bytes = super::fetch::get(logs.client(), logs.bucket, key, self.max_bytes).await?;
        let max = self.max_bytes.saturating_mul(GZIP_RATIO_CAP);
        let key = key.to_string();
        let work: JobHandle = job.handle();
        let page = tokio::task::spawn_blocking(move || {
            read_page(&key, &bytes, offset, limit, max, &|| work.stopped())
        })
        .await
        .map_err(|_| LogError::BadInput("the object could not be processed".into()))?;
        match page.end {
            End::TooLarge => Err(LogError::TooLarge { max }),
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
    /// True when the page stopped short of `limit` at [`MAX_ANSWER_BYTES`].
    pub answer_capped: bool,
    pub end: End,
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

fn read_page(
    key: &str,
    bytes: &[u8],
    offset: u64,
    limit: usize,
    max: u64,
    stop: &dyn Fn() -> bool,
) -> ReadPage {
    let mut lines = Vec::new();
    let (mut n, mut held, mut capped) = (0u64, 0usize, false);
    let compression = Compression::detect(key, bytes);
    let report = parse_object_until(bytes, compression, max, stop, |raw, r| {
        n += 1;
        if n <= offset || lines.len() >= limit || capped {
            return;
        }
        let line = match r {
            Ok(l) => PageLine::Parsed(Box::new(LineRecord::new(&l, key, n))),
            Err(e) => PageLine::Malformed {
                line: n,
                error: e.to_string(),
                raw: crate::telemetry::operation::bounded_text(raw, 512),
            },
        };
        held += match &line {
            PageLine::Parsed(r) => r.heap_bytes(),
            PageLine::Malformed { raw, .. } => raw.len() + 128,
        };
        capped = held > MAX_ANSWER_BYTES;
        if !capped {
            lines.push(line);
        }
    });
    ReadPage {
        lines,
        total_lines: report.stats.lines,
        malformed: report.stats.malformed,
        answer_capped: capped,
        end: report.end,
    }
}
