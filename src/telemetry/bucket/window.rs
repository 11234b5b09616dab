//! One bucket's window over the last hour.

use std::sync::Arc;
use std::time::Duration;

use crate::telemetry::clock::UnixTime;
use crate::telemetry::s3::{S3Call, S3Cell};
use crate::telemetry::sketch::Sketch;
use crate::telemetry::window::{Cell, Ring, Sample, SlotSketch};

/// Length of the per-bucket window.
pub const BUCKET_WINDOW: Duration = Duration::from_secs(3600);
const COUNT_SLOTS: usize = 12;
const SKETCH_SLOTS: usize = 2;

/// Exact counters per 5 minutes and two half-hour sketches. With up to `cap` buckets,
/// memory matters more than the edge of the percentile's window.
#[derive(Debug)]
pub(crate) struct BucketWindow {
    counts: Ring<Cell>,
    sketches: Ring<SlotSketch>,
    s3: Ring<S3Cell>,
}

impl Default for BucketWindow {
    fn default() -> Self {
        let len = BUCKET_WINDOW.as_secs();
        Self {
            counts: Ring::new(Duration::from_secs(len / COUNT_SLOTS as u64), COUNT_SLOTS),
            sketches: Ring::new(Duration::from_secs(len / SKETCH_SLOTS as u64), SKETCH_SLOTS),
            s3: Ring::new(Duration::from_secs(len / COUNT_SLOTS as u64), COUNT_SLOTS),
        }
    }
}

/// One bucket's figures over the last hour.
#[derive(Debug, Clone)]
pub struct BucketStats {
    pub bucket: Arc<str>,
    pub cell: Cell,
    pub p95_ms: f64,
    /// The upstream S3 calls made for this bucket.
    pub s3: S3Cell,
}

impl BucketWindow {
    #[inline]
    pub(crate) fn record(&mut self, now: UnixTime, s: &Sample) {
        self.counts.advance(now);
        self.counts.current().add(s);
        self.sketches.advance(now);
        self.sketches.current().insert_bin(s.bin);
    }

    #[inline]
    pub(crate) fn record_s3(&mut self, c: &S3Call) {
        self.s3.advance(c.ended_at);
        self.s3.current().add(c);
    }

    /// The figures as of `now`; `None` when idle for the whole window.
    pub(crate) fn stats(&mut self, now: UnixTime, name: &str) -> Option<BucketStats> {
        self.counts.advance(now);
        self.sketches.advance(now);
        self.s3.advance(now);
        let mut cell = Cell::default();
        self.counts.slots().iter().for_each(|c| cell.merge(c));
        let mut s3 = S3Cell::default();
        self.s3.slots().iter().for_each(|c| s3.merge(c));
        if cell.count == 0 && s3.requests == 0 {
            return None;
        }
        let mut merged: Sketch = Sketch::default();
        self.sketches.slots().iter().for_each(|s| merged.add(s));
        Some(BucketStats {
            bucket: Arc::from(name),
            cell,
            p95_ms: merged.quantile(0.95).unwrap_or(0.0),
            s3,
        })
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        self.counts.heap_bytes() + self.sketches.heap_bytes() + self.s3.heap_bytes()
    }
}
