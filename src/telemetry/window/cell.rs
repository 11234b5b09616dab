//! What a window slot holds: exact counters per operation type, and sketches.

use std::time::Duration;

use super::ring::Slot;
use crate::telemetry::operation::OperationType;
use crate::telemetry::sketch::{Sketch, bin_index};

/// What the windows need from one operation.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub operation: OperationType,
    pub error: bool,
    pub bytes: u64,
    pub duration: Duration,
    /// The sketch bin of `duration`, computed once for the six sketches it goes into.
    pub(crate) bin: i32,
}

impl Sample {
    pub fn new(operation: OperationType, error: bool, bytes: u64, duration: Duration) -> Self {
        let bin = bin_index(duration.as_secs_f64() * 1000.0);
        Self {
            operation,
            error,
            bytes,
            duration,
            bin,
        }
    }
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
