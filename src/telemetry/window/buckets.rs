//! Per-bucket analytics over the last hour, for a bounded set of buckets.
//!
//! A bucket gets its own entry only through a successful operation (a typo'd or foreign
//! bucket name cannot take one of the `cap` places); everything else folds into
//! [`OTHER_BUCKET`]. Entries idle for a whole window are dropped, freeing their place.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::cell::{Cell, Sample};
use super::ring::Ring;
use crate::telemetry::clock::UnixTime;
use crate::telemetry::sketch::Sketch;

/// Name of the entry that collects buckets beyond the cap.
pub const OTHER_BUCKET: &str = "__other__";
/// Length of the per-bucket window.
pub const BUCKET_WINDOW: Duration = Duration::from_secs(3600);
const COUNT_SLOTS: usize = 60;
const SKETCH_SLOTS: usize = 6;

/// One bucket's window: exact counters per minute, a sketch per 10 minutes.
#[derive(Debug)]
struct BucketWindow {
    counts: Ring<Cell>,
    sketches: Ring<Sketch>,
}

impl BucketWindow {
    fn new() -> Self {
        let len = BUCKET_WINDOW.as_secs();
        Self {
            counts: Ring::new(Duration::from_secs(len / COUNT_SLOTS as u64), COUNT_SLOTS),
            sketches: Ring::new(Duration::from_secs(len / SKETCH_SLOTS as u64), SKETCH_SLOTS),
        }
    }

    fn record(&mut self, now: UnixTime, s: &Sample) {
        self.advance(now);
        let (slot, total) = self.counts.current_and_total();
        slot.add(s);
        total.add(s);
        let (slot, total) = self.sketches.current_and_total();
        slot.insert(s.duration_ms());
        total.insert(s.duration_ms());
    }

    fn advance(&mut self, now: UnixTime) {
        self.counts.advance(now);
        self.sketches.advance(now);
    }

    fn stats(&self, name: Arc<str>) -> BucketStats {
        BucketStats {
            bucket: name,
            cell: *self.counts.total(),
            p95_ms: self.sketches.total().quantile(0.95).unwrap_or(0.0),
        }
    }

    fn heap_bytes(&self) -> usize {
        self.counts.heap_bytes() + self.sketches.heap_bytes()
    }
}

/// One bucket's figures over the last hour.
#[derive(Debug, Clone)]
pub struct BucketStats {
    pub bucket: Arc<str>,
    pub cell: Cell,
    pub p95_ms: f64,
}

/// The per-bucket windows.
#[derive(Debug)]
pub(crate) struct BucketWindows {
    cap: usize,
    map: HashMap<Arc<str>, BucketWindow>,
    other: BucketWindow,
}

impl BucketWindows {
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            cap,
            map: HashMap::new(),
            other: BucketWindow::new(),
        }
    }

    pub(crate) fn record(&mut self, now: UnixTime, bucket: &Arc<str>, s: &Sample) {
        if let Some(w) = self.map.get_mut(&**bucket) {
            return w.record(now, s);
        }
        if !s.error && self.map.len() < self.cap {
            let mut w = BucketWindow::new();
            w.record(now, s);
            self.map.insert(bucket.clone(), w);
            return;
        }
        self.other.record(now, s);
    }

    /// Every bucket with operations in the last hour, busiest first; idle entries are dropped.
    pub(crate) fn snapshot(&mut self, now: UnixTime) -> Vec<BucketStats> {
        self.map.retain(|_, w| {
            w.advance(now);
            w.counts.total().count > 0
        });
        self.other.advance(now);
        let mut out: Vec<BucketStats> = self
            .map
            .iter()
            .map(|(name, w)| w.stats(name.clone()))
            .collect();
        if self.other.counts.total().count > 0 {
            out.push(self.other.stats(Arc::from(OTHER_BUCKET)));
        }
        out.sort_by(|a, b| {
            b.cell
                .count
                .cmp(&a.cell.count)
                .then(a.bucket.cmp(&b.bucket))
        });
        out
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        let entries = self.map.capacity() * std::mem::size_of::<(Arc<str>, BucketWindow)>();
        let names: usize = self.map.keys().map(|k| k.len() + 16).sum();
        let windows: usize = self.map.values().map(BucketWindow::heap_bytes).sum();
        entries + names + windows + self.other.heap_bytes()
    }
}
