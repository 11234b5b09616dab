//! The timeline of one object: who PUT, GET, HEAD, DELETE or COPY'd one key, from where
//! and when — "who deleted this?", answered from the store's own logs.

use super::LogError;
use super::keys::{LogObject, Window};
use super::record::{Kept, LineRecord, cap_answer};
use super::scan::{Coverage, Logs, Matches, Query, Reader};
use super::search::matching_lines;
use super::summary::Skipped;

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
    /// True when events were left out to keep the answer under its byte cap.
    pub answer_capped: bool,
    pub coverage: Coverage,
}

/// The oldest [`MAX_EVENTS`] matching events of one object, how many matched, and its
/// line counts.
fn audit_object(
    o: &LogObject,
    bytes: &[u8],
    a: &Audit,
    max: u64,
    stop: &dyn Fn() -> bool,
) -> Result<Matches, Skipped> {
    matching_lines(o, bytes, Kept::oldest(MAX_EVENTS), max, stop, |_, l| {
        if !a.window.contains(l.time) || a.source.as_deref().is_some_and(|b| l.bucket != Some(b)) {
            return false;
        }
        if l.key_decoded().is_none_or(|k| k != a.key) {
            return false;
        }
        let verb = l.operation_parts().map(|p| p.verb).unwrap_or("");
        match a.verbs.is_empty() {
            true => VERBS.contains(&verb),
            false => a.verbs.iter().any(|v| v == verb),
        }
    })
}

impl Reader {
    /// Every event of `a.key` in the window, oldest first (at most [`MAX_EVENTS`]).
    pub async fn audit(&self, logs: &Logs<'_>, a: &Audit) -> Result<Timeline, LogError> {
        let q = Query {
            source: a.source.clone(),
            window: a.window,
        };
        let audit = a.clone();
        let question = format!("audit {a:?}").into_bytes();
        let mut kept = Kept::oldest(MAX_EVENTS);
        let mut count = 0;
        let coverage = self
            .scan_lines(
                logs,
                &q,
                &question,
                move |o, bytes, max, stop| audit_object(o, bytes, &audit, max, stop),
                |m| {
                    count += m.count;
                    m.records.iter().for_each(|r| kept.offer_record(r));
                },
            )
            .await?;
        let mut events = kept.into_sorted();
        let answer_capped = cap_answer(&mut events);
        Ok(Timeline {
            events,
            count,
            answer_capped,
            coverage,
        })
    }
}
