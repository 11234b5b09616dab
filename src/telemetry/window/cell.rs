//! What a window slot holds: exact counters per operation type, and sketches.

use std::time::Duration;

use super::ring::Slot;
use crate::telemetry::StatusClass;
use crate::telemetry::operation::{OperationType, is_error_status};
use crate::telemetry::prom::LATENCY_BUCKETS;
use crate::telemetry::sketch::{Sketch, bin_index};

/// What the windows need from one operation.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub operation: OperationType,
    pub error: bool,
    pub class: StatusClass,
    pub bytes: u64,
    pub duration: Duration,
    /// The sketch bin of `duration`, computed once for the six sketches it goes into.
    pub(crate) bin: i32,
    /// The latency bucket of `duration` (index into `LATENCY_BUCKETS`; its length when
    /// above the largest bound), computed once for the three windows.
    pub(crate) le: u8,
}

impl Sample {
    /// A sample of an operation that answered `status`.
    pub fn new(operation: OperationType, status: u16, bytes: u64, duration: Duration) -> Self {
        let secs = duration.as_secs_f64();
        Self {
            operation,
            error: is_error_status(status),
            class: StatusClass::of_answer(status),
            bytes,
            duration,
            bin: bin_index(secs * 1000.0),
            le: latency_bucket(secs) as u8,
        }
    }
}

/// The index of the first latency bound at or above `seconds` (the `le` rule).
pub fn latency_bucket(seconds: f64) -> usize {
    LATENCY_BUCKETS.partition_point(|b| *b < seconds)
}

/// Exact counters: operations, errors, bytes and summed duration (µs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    pub count: u64,
    pub errors: u64,
    pub bytes: u64,
    pub duration_us: u64,
}

impl Cell {
    pub(crate) fn add(&mut self, s: &Sample) {
        self.count += 1;
        self.errors += u64::from(s.error);
        self.bytes += s.bytes;
        self.duration_us += s.duration.as_micros() as u64;
    }

    /// Adds another cell's counters (to form the all-types row).
    pub(crate) fn merge(&mut self, o: &Cell) {
        self.count += o.count;
        self.errors += o.errors;
        self.bytes += o.bytes;
        self.duration_us += o.duration_us;
    }

    /// Mean duration in ms (0 when empty).
    pub fn avg_ms(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.duration_us as f64 / 1000.0 / self.count as f64
        }
    }

    /// errors / count × 100 (0 when empty).
    pub fn error_rate_percent(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.errors as f64 * 100.0 / self.count as f64
        }
    }
}

impl Slot for Cell {
    fn reset(&mut self) {
        *self = Cell::default();
    }
}

/// Number of latency bounds; a window histogram has one more bucket, `+Inf`.
pub const LATENCY_BOUNDS: usize = LATENCY_BUCKETS.len();

/// One slot's exact counters of one operation type: the [`Cell`], the status classes
/// it does not split, and the latency histogram over `LATENCY_BUCKETS`. Counts within a
/// slot (at most a minute) fit `u32`; the merged [`Tally`] counts in `u64`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SlotTally {
    cell: Cell,
    redirects: u32,
    server_errors: u32,
    /// Per bucket, not cumulative; the operations above the largest bound are the rest.
    le: [u32; LATENCY_BOUNDS],
}

impl SlotTally {
    #[inline]
    pub(crate) fn add(&mut self, s: &Sample) {
        self.cell.add(s);
        match s.class {
            StatusClass::Redirection => self.redirects = self.redirects.saturating_add(1),
            StatusClass::ServerError => self.server_errors = self.server_errors.saturating_add(1),
            _ => {}
        }
        if let Some(c) = self.le.get_mut(usize::from(s.le)) {
            *c = c.saturating_add(1);
        }
    }

    pub(crate) fn cell(&self) -> &Cell {
        &self.cell
    }
}

impl Slot for SlotTally {
    fn reset(&mut self) {
        *self = SlotTally::default();
    }
}

/// A window's exact counters of one operation type: operations by status class and
/// the latency histogram, besides the [`Cell`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub cell: Cell,
    /// Indexed by [`StatusClass::answered_index`].
    pub by_class: [u64; StatusClass::ANSWERED.len()],
    /// Operations per latency bucket (not cumulative), one per `LATENCY_BUCKETS` bound;
    /// those above the largest bound are `cell.count` minus their sum.
    pub le: [u64; LATENCY_BOUNDS],
}

impl Tally {
    pub(crate) fn merge_slot(&mut self, s: &SlotTally) {
        self.cell.merge(&s.cell);
        let (r, se) = (u64::from(s.redirects), u64::from(s.server_errors));
        self.by_class[StatusClass::Redirection.answered_index()] += r;
        self.by_class[StatusClass::ServerError.answered_index()] += se;
        // Errors are 4xx and 5xx (status ≥ 400); success is everything else.
        self.by_class[StatusClass::ClientError.answered_index()] +=
            s.cell.errors.saturating_sub(se);
        self.by_class[StatusClass::Success.answered_index()] +=
            s.cell.count.saturating_sub(s.cell.errors + r);
        self.le
            .iter_mut()
            .zip(&s.le)
            .for_each(|(t, c)| *t += u64::from(*c));
    }

    /// Adds another tally (to form the all-types row).
    pub fn merge(&mut self, o: &Tally) {
        self.cell.merge(&o.cell);
        self.by_class
            .iter_mut()
            .zip(&o.by_class)
            .for_each(|(t, c)| *t += c);
        self.le.iter_mut().zip(&o.le).for_each(|(t, c)| *t += c);
    }
}

/// Slot sketches count in `u32`: a slot is short, and there are many of them.
pub(crate) type SlotSketch = Sketch<u32>;

impl Slot for SlotSketch {
    fn reset(&mut self) {
        self.clear();
    }

    fn heap_bytes(&self) -> usize {
        Sketch::heap_bytes(self)
    }
}

/// One `T` per operation type.
#[derive(Debug, Clone)]
pub(crate) struct PerType<T>(pub(crate) [T; OperationType::COUNT]);

impl<T: Default> Default for PerType<T> {
    fn default() -> Self {
        Self(std::array::from_fn(|_| T::default()))
    }
}

impl<T: Slot> Slot for PerType<T> {
    fn reset(&mut self) {
        self.0.iter_mut().for_each(Slot::reset);
    }

    fn heap_bytes(&self) -> usize {
        self.0.iter().map(Slot::heap_bytes).sum()
    }
}
