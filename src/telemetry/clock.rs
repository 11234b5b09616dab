//! Wall-clock time for the windows, behind a trait so tests can drive it.
//!
//! Durations are always measured with the monotonic `Instant`; this clock only decides
//! *when* an operation happened, i.e. which window slot it lands in and what timestamp
//! the logs show. A [`ManualClock`] lets a test replay 24 h of traffic in seconds.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Microseconds since the Unix epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixTime(pub u64);

impl UnixTime {
    pub fn from_secs(secs: u64) -> Self {
        Self(secs * 1_000_000)
    }

    pub fn as_micros(self) -> u64 {
        self.0
    }

    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }

    pub fn saturating_sub(self, d: Duration) -> Self {
        Self(self.0.saturating_sub(d.as_micros() as u64))
    }

    pub fn plus(self, d: Duration) -> Self {
        Self(self.0.saturating_add(d.as_micros() as u64))
    }

    /// Time elapsed from `earlier` to `self` (zero if the clock went backwards).
    pub fn since(self, earlier: UnixTime) -> Duration {
        Duration::from_micros(self.0.saturating_sub(earlier.0))
    }

    /// RFC 3339 in UTC with milliseconds, e.g. `2024-01-15T10:30:45.123Z`.
    pub fn to_rfc3339(self) -> String {
        self.to_chrono()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    /// Local time as the seed's log lines show it: `2024-01-15 10:30:45`.
    pub fn to_log_stamp(self) -> String {
        self.to_chrono()
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    fn to_chrono(self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp_micros(self.0 as i64).unwrap_or_default()
    }
}

/// Source of wall-clock time.
pub trait Clock: Send + Sync + std::fmt::Debug + 'static {
    fn now(&self) -> UnixTime;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> UnixTime {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        UnixTime(since.as_micros() as u64)
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock {
    micros: AtomicU64,
}

impl ManualClock {
    pub fn new(start: UnixTime) -> Self {
        Self {
            micros: AtomicU64::new(start.0),
        }
    }

    pub fn set(&self, t: UnixTime) {
        self.micros.store(t.0, Ordering::SeqCst);
    }

    pub fn advance(&self, d: Duration) {
        self.micros
            .fetch_add(d.as_micros() as u64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> UnixTime {
        UnixTime(self.micros.load(Ordering::SeqCst))
    }
}
