//! Log objects by name: when each was delivered and for which source bucket, read from the
//! key, so a query for one day or the last hours reads only the objects that can hold it.
//!
//! S3 and Spaces name log objects `{prefix}YYYY-mm-DD-HH-MM-SS-{unique}` (delivery time,
//! UTC), or with partitioned prefixes
//! `{prefix}{account}/{region}/{source bucket}/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-{unique}`.
//! A line is delivered after its request, "usually within an hour, sometimes two or more",
//! so an object delivered up to [`DELIVERY_LAG`] after a window still counts as possibly
//! holding it; objects whose name carries no time are always read.

use chrono::{NaiveDate, NaiveDateTime};

use super::LogError;

/// How long after a request its log line may be delivered, for pruning by key name.
pub const DELIVERY_LAG: i64 = 24 * 3600;
const DAY: i64 = 86_400;
const HOUR: i64 = 3600;
/// Longest window a query may name, in hours (a year).
pub const MAX_HOURS: u64 = 24 * 366;

/// A log object as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogObject {
    pub key: String,
    pub size: u64,
    pub etag: String,
    pub last_modified: Option<String>,
    /// Delivery time from the key name (unix seconds), when it has one.
    pub delivered: Option<i64>,
    /// The source bucket named by a partitioned key.
    pub source: Option<String>,
}

impl LogObject {
    pub fn new(key: String, size: u64, etag: String, last_modified: Option<String>) -> Self {
        let (delivered, source) = from_key(&key);
        Self {
            key,
            size,
            etag,
            last_modified,
            delivered,
            source,
        }
    }

    /// Whether the object may hold lines of `source` (partitioned keys name it).
    pub fn may_be_of(&self, source: Option<&str>) -> bool {
        match (source, &self.source) {
            (Some(want), Some(have)) => want == have,
            _ => true,
        }
    }
}

/// The part of the logs a query covers, by request time (unix seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    All,
    /// One UTC day: `[start, start + 24 h)`.
    Day {
        start: i64,
    },
    /// Whole UTC hours up to now: from the start of the hour `hours - 1` before the
    /// current one.
    Hours {
        start: i64,
        hours: u64,
    },
}

impl Window {
    /// From `date=YYYY-MM-DD` or `hours=N` (not both); neither is every log object.
    pub fn parse(date: Option<&str>, hours: Option<&str>, now: i64) -> Result<Self, LogError> {
        match (date, hours) {
            (Some(_), Some(_)) => Err(LogError::BadInput(
                "give 'date' or 'hours', not both".into(),
            )),
            (Some(d), None) => {
                let bad = || LogError::BadInput("'date' must be YYYY-MM-DD (UTC)".into());
                if d.len() != 10 {
                    return Err(bad());
                }
                let day = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad())?;
                let start = day
                    .and_hms_opt(0, 0, 0)
                    .map(|t| t.and_utc().timestamp())
                    .unwrap_or_default();
                Ok(Self::Day { start })
            }
            (None, Some(h)) => match h.parse::<u64>() {
                Ok(hours) if (1..=MAX_HOURS).contains(&hours) => Ok(Self::hours(hours, now)),
                _ => Err(LogError::BadInput(format!(
                    "'hours' must be an integer between 1 and {MAX_HOURS}"
                ))),
            },
            (None, None) => Ok(Self::All),
        }
    }

    /// The last `hours` whole UTC hours, the current one included.
    pub fn hours(hours: u64, now: i64) -> Self {
        let current = now.div_euclid(HOUR) * HOUR;
        Self::Hours {
            start: current - (hours as i64 - 1) * HOUR,
            hours,
        }
    }

    /// Whether a request at `t` is inside.
    pub fn contains(&self, t: i64) -> bool {
        match *self {
            Self::All => true,
            Self::Day { start } => (start..start + DAY).contains(&t),
            Self::Hours { start, .. } => t >= start,
        }
    }

    /// Whether a whole UTC hour starting at `hour` is inside (windows are whole hours).
    pub fn holds_hour(&self, hour: i64) -> bool {
        self.contains(hour)
    }

    /// Whether an object delivered at `delivered` may hold requests of the window.
    pub fn may_hold(&self, delivered: Option<i64>) -> bool {
        let Some(at) = delivered else { return true };
        match *self {
            Self::All => true,
            Self::Day { start } => at >= start && at < start + DAY + DELIVERY_LAG,
            Self::Hours { start, .. } => at >= start,
        }
    }

    /// `(from, to)` as RFC 3339, for answers (`to` is open for hour windows: now).
    pub fn bounds(&self) -> (Option<String>, Option<String>) {
        let iso = |t: i64| {
            chrono::DateTime::from_timestamp(t, 0)
                .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        };
        match *self {
            Self::All => (None, None),
            Self::Day { start } => (iso(start), iso(start + DAY)),
            Self::Hours { start, .. } => (iso(start), None),
        }
    }
}

/// Delivery time and partitioned source of a log object's key.
fn from_key(key: &str) -> (Option<i64>, Option<String>) {
    let (dirs, file) = key.rsplit_once('/').unwrap_or(("", key));
    let delivered = stamp_in(file);
    let segs: Vec<&str> = dirs.split('/').collect();
    let n = segs.len();
    let numeric = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    let partitioned =
        n >= 4 && numeric(segs[n - 3], 4) && numeric(segs[n - 2], 2) && numeric(segs[n - 1], 2);
    let source = partitioned.then(|| segs[n - 4].to_string());
    (delivered, source.filter(|s| !s.is_empty()))
}

/// The first `YYYY-MM-DD-HH-MM-SS` in `name`, as unix seconds.
fn stamp_in(name: &str) -> Option<i64> {
    const SHAPE: &[u8; 19] = b"0000-00-00-00-00-00";
    let b = name.as_bytes();
    (0..=b.len().checked_sub(SHAPE.len())?).find_map(|i| {
        let w = &b[i..i + SHAPE.len()];
        let fits = w.iter().zip(SHAPE).all(|(c, s)| match s {
            b'0' => c.is_ascii_digit(),
            _ => c == s,
        });
        if !fits {
            return None;
        }
        let text = std::str::from_utf8(w).ok()?;
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d-%H-%M-%S")
            .ok()
            .map(|t| t.and_utc().timestamp())
    })
}

#[cfg(test)]
mod tests;
