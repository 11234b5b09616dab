//! The timeline of one object: who PUT, GET, HEAD, DELETE or COPY'd one key, from where
//! and when — "who deleted this?", answered from the store's own logs.

use super::LogError;
use super::keys::{LogObject, Window};
use super::parse::{Compression, End, parse_object};
use super::record::LineRecord;
use super::scan::{Coverage, Logs, Query, Reader, SkippedObject};

/// Verbs an audit may ask for.
pub const VERBS: [&str; 6] = ["GET", "PUT", "HEAD", "DELETE", "COPY", "POST"];
/// Most events of one timeline (the oldest are kept: it is a history).
pub const MAX_EVENTS: usize = 1000;

/// What to audit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit {
    pub source: Option<String>,
    /// The decoded key, exactly.
    pub key: String,
    /// Operation verbs (`PUT`, `COPY`, …); empty is all of [`VERBS`].
    pub verbs: Vec<String>,
    pub window: Window,
}

impl Audit {
    /// Parses `methods=PUT,DELETE` into verbs.
    pub fn verbs(methods: Option<&str>) -> Result<Vec<String>, LogError> {
        let Some(m) = methods else {
            return Ok(Vec::new());
        };
        m.split(',')
            .map(|v| v.trim().to_ascii_uppercase())
            .filter(|v| !v.is_empty())
            .map(|v| {
                if VERBS.contains(&v.as_str()) {
                    Ok(v)
                } else {
                    Err(LogError::BadInput(format!(
                        "'methods' takes {}",
                        VERBS.join(", ")
                    )))
                }
            })
            .collect()
    }
}

/// A timeline, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Timeline {
    pub events: Vec<LineRecord>,
    pub count: u64,
    pub coverage: Coverage,
}

/// The matching events of one object (its oldest [`MAX_EVENTS`] at least), how many
/// matched, and its line counts.
type Events = (Vec<LineRecord>, u64, u64, u64);

fn audit_object(o: &LogObject, bytes: &[u8], a: &Audit, max: u64) -> Result<Events, &'static str> {
    let mut events = Vec::new();
    let (mut n, mut count) = (0u64, 0u64);
    let report = parse_object(bytes, Compression::detect(&o.key, bytes), max, |_, r| {
        n += 1;
        let Ok(l) = r else { return };
        if !a.window.contains(l.time) || a.source.as_deref().is_some_and(|b| l.bucket != Some(b)) {
            return;
        }
        if l.key_decoded().is_none_or(|k| k != a.key) {
            return;
        }
        let verb = l.operation_parts().map(|p| p.verb).unwrap_or("");
        let wanted = if a.verbs.is_empty() {
            VERBS.contains(&verb)
        } else {
            a.verbs.iter().any(|v| v == verb)
        };
        if wanted {
            count += 1;
            events.push(LineRecord::new(&l, &o.key, n));
            // A hot key: keep memory at the oldest events, not every event.
            if events.len() >= 2 * MAX_EVENTS {
                events.sort_by(|a, b| a.newer(b));
                events.truncate(MAX_EVENTS);
            }
        }
    });
    match report.end {
        End::Complete => Ok((events, count, report.stats.lines, report.stats.malformed)),
        End::TooLarge => Err("decoded text larger than MAX_LOG_BYTES x 16"),
        End::CorruptGzip => Err("damaged gzip"),
    }
}

impl Reader {
    /// Every event of `a.key` in the window, oldest first (at most [`MAX_EVENTS`]).
    pub async fn audit(&self, logs: &Logs<'_>, a: &Audit) -> Result<Timeline, LogError> {
        let q = Query {
            source: a.source.clone(),
            window: a.window,
        };
        let (objects, listed) = self.objects(logs, &q).await?;
        let mut cov = Coverage {
            objects_listed: listed,
            objects_considered: objects.len(),
            ..Coverage::default()
        };
        let max = self.max_bytes.saturating_mul(super::scan::GZIP_RATIO_CAP);
        let audit = a.clone();
        let read = self
            .each(logs, objects, move |o: &LogObject, bytes| {
                audit_object(o, &bytes, &audit, max)
            })
            .await?;
        let mut t = Timeline::default();
        for (o, r) in read {
            match r {
                Ok((events, count, lines, malformed)) => {
                    cov.objects_read += 1;
                    cov.lines += lines;
                    cov.malformed_lines += malformed;
                    t.count += count;
                    t.events.extend(events);
                }
                Err(reason) => cov.skipped.push(SkippedObject { key: o.key, reason }),
            }
        }
        t.events.sort_by(|a, b| a.newer(b));
        t.events.truncate(MAX_EVENTS);
        t.coverage = cov;
        Ok(t)
    }
}
