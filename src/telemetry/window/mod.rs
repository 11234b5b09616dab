//! Exact rolling windows — the current window (5 min by default), 1 h and 24 h — with
//! percentile sketches per operation type.
//!
//! Counts, errors, bytes and summed durations are exact for every operation in a window
//! (no sampling, no cap); the window slides in slots of 1 s (current), 10 s (1 h) and
//! 60 s (24 h). Percentiles come from [`Sketch`]es kept per coarser slot (a tenth of the
//! current window, 5 min, 1 h), so memory stays bounded — see [`Windows::heap_bytes`].
//! Recording touches one slot per window; a read merges the slots.

mod cell;
mod ring;

use std::time::Duration;

pub use cell::{Cell, LATENCY_BOUNDS, Sample, Tally, latency_bucket};
pub(crate) use cell::{SlotSketch, SlotTally};
pub(crate) use ring::{Ring, Slot};

use cell::PerType;

use super::clock::UnixTime;
use super::operation::OperationType;
use super::sketch::Sketch;

/// The three windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    Current,
    Hour,
    Day,
}

impl WindowKind {
    /// Short name used in JSON (`5m`, `1h`, `24h`); the current window names its length.
    pub fn label(self, current: Duration) -> String {
        match self {
            Self::Current if current.as_secs().is_multiple_of(60) => {
                format!("{}m", current.as_secs() / 60)
            }
            Self::Current => format!("{}s", current.as_secs()),
            Self::Hour => "1h".into(),
            Self::Day => "24h".into(),
        }
    }
}

/// Figures for one operation type (or all of them) over one window.
#[derive(Debug, Clone, Copy, Default)]
pub struct TypeStats {
    pub cell: Cell,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

impl TypeStats {
    fn from_parts(cell: Cell, sketch: &Sketch) -> Self {
        let q = |p| sketch.quantile(p).unwrap_or(0.0);
        Self {
            cell,
            p50_ms: q(0.50),
            p95_ms: q(0.95),
            p99_ms: q(0.99),
        }
    }
}

/// One window's exact counters per operation type, read at one moment (no sketches:
/// what a scrape exports).
#[derive(Debug, Clone)]
pub struct WindowTallies {
    pub kind: WindowKind,
    pub length: Duration,
    /// The part of the window SpaceWatch has been running for.
    pub covered: Duration,
    pub per_type: [Tally; OperationType::COUNT],
}

/// One window, read at one moment.
#[derive(Debug, Clone)]
pub struct WindowSnapshot {
    pub kind: WindowKind,
    pub length: Duration,
    /// The part of the window SpaceWatch has been running for: the divisor of the rates.
    pub covered: Duration,
    pub per_type: [TypeStats; OperationType::COUNT],
    pub all: TypeStats,
}

impl WindowSnapshot {
    /// Operations per second over the covered part of the window.
    pub fn ops_per_second(&self) -> f64 {
        self.all.cell.count as f64 / self.covered.as_secs_f64()
    }

    pub fn bytes_per_second(&self) -> f64 {
        self.all.cell.bytes as f64 / self.covered.as_secs_f64()
    }
}

#[derive(Debug)]
struct Window {
    kind: WindowKind,
    length: Duration,
    counts: Ring<PerType<SlotTally>>,
    sketches: Ring<PerType<SlotSketch>>,
}

impl Window {
    fn new(kind: WindowKind, length: Duration, count_width: Duration, sketch_slots: u64) -> Self {
        let secs = length.as_secs().max(1);
        let count_w = count_width.as_secs().max(1);
        let sketch_w = secs.div_ceil(sketch_slots).max(1);
        Self {
            kind,
            length,
            counts: Ring::new(count_width, secs.div_ceil(count_w) as usize),
            sketches: Ring::new(
                Duration::from_secs(sketch_w),
                secs.div_ceil(sketch_w) as usize,
            ),
        }
    }

    #[inline]
    fn record(&mut self, now: UnixTime, s: &Sample) {
        let i = s.operation.index();
        self.counts.advance(now);
        self.counts.current().0[i].add(s);
        self.sketches.advance(now);
        self.sketches.current().0[i].insert_bin(s.bin);
    }

    fn snapshot(&mut self, now: UnixTime, running_for: Duration) -> WindowSnapshot {
        self.counts.advance(now);
        self.sketches.advance(now);
        let mut cells = [Cell::default(); OperationType::COUNT];
        for slot in self.counts.slots() {
            cells
                .iter_mut()
                .zip(&slot.0)
                .for_each(|(c, s)| c.merge(s.cell()));
        }
        let mut sketches: [Sketch; OperationType::COUNT] = Default::default();
        for slot in self.sketches.slots() {
            sketches.iter_mut().zip(&slot.0).for_each(|(t, s)| t.add(s));
        }
        let per_type = std::array::from_fn(|i| TypeStats::from_parts(cells[i], &sketches[i]));
        let mut all_cell = Cell::default();
        let mut all_sketch = Sketch::default();
        for i in 0..OperationType::COUNT {
            all_cell.merge(&cells[i]);
            all_sketch.add(&sketches[i]);
        }
        WindowSnapshot {
            kind: self.kind,
            length: self.length,
            covered: self.covered(running_for),
            per_type,
            all: TypeStats::from_parts(all_cell, &all_sketch),
        }
    }

    fn tallies(&mut self, now: UnixTime, running_for: Duration) -> WindowTallies {
        self.counts.advance(now);
        let mut per_type = [Tally::default(); OperationType::COUNT];
        for slot in self.counts.slots() {
            per_type
                .iter_mut()
                .zip(&slot.0)
                .for_each(|(t, s)| t.merge_slot(s));
        }
        WindowTallies {
            kind: self.kind,
            length: self.length,
            covered: self.covered(running_for),
            per_type,
        }
    }

    fn covered(&self, running_for: Duration) -> Duration {
        running_for.clamp(Duration::from_secs(1), self.length)
    }

    fn heap_bytes(&self) -> usize {
        self.counts.heap_bytes() + self.sketches.heap_bytes()
    }
}

/// The three windows of one recorder.
#[derive(Debug)]
pub struct Windows {
    started: UnixTime,
    current: Window,
    hour: Window,
    day: Window,
}

impl Windows {
    /// `current` is the length of the current window (10 s … 1 h).
    pub fn new(current: Duration, now: UnixTime) -> Self {
        let current = current.clamp(Duration::from_secs(10), Duration::from_secs(3600));
        let secs = Duration::from_secs;
        Self {
            started: now,
            current: Window::new(WindowKind::Current, current, secs(1), 10),
            hour: Window::new(WindowKind::Hour, secs(3600), secs(10), 12),
            day: Window::new(WindowKind::Day, secs(86_400), secs(60), 24),
        }
    }

    /// Length of the current window.
    pub fn current_length(&self) -> Duration {
        self.current.length
    }

    #[inline]
    pub fn record(&mut self, now: UnixTime, sample: &Sample) {
        self.current.record(now, sample);
        self.hour.record(now, sample);
        self.day.record(now, sample);
    }

    pub fn snapshot(&mut self, kind: WindowKind, now: UnixTime) -> WindowSnapshot {
        let running_for = now.since(self.started);
        match kind {
            WindowKind::Current => self.current.snapshot(now, running_for),
            WindowKind::Hour => self.hour.snapshot(now, running_for),
            WindowKind::Day => self.day.snapshot(now, running_for),
        }
    }

    /// The exact counters of the three windows (current, hour, day) at `now`.
    pub fn tallies(&mut self, now: UnixTime) -> [WindowTallies; 3] {
        let running_for = now.since(self.started);
        [
            self.current.tallies(now, running_for),
            self.hour.tallies(now, running_for),
            self.day.tallies(now, running_for),
        ]
    }

    /// Heap memory held by every window and sketch.
    pub fn heap_bytes(&self) -> usize {
        self.current.heap_bytes() + self.hour.heap_bytes() + self.day.heap_bytes()
    }
}

#[cfg(test)]
mod tests;
