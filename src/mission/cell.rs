//! What one minute holds for one route (or for all of them): exact counts by status
//! class, summed latency, and a latency sketch.

use std::time::Duration;

use crate::telemetry::StatusClass;
use crate::telemetry::sketch::Sketch;

/// Counters and a latency sketch.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub requests: u64,
    /// Exchanges by [`StatusClass::of_code`], indexed as [`StatusClass::CODES`].
    pub by_class: [u64; StatusClass::CODES.len()],
    pub latency_us: u64,
    pub sketch: Sketch<u32>,
}

impl Cell {
    /// One exchange; `bin` is the sketch bin of `latency`, computed once by the caller.
    pub fn add(&mut self, status: u16, latency: Duration, bin: i32) {
        self.requests += 1;
        self.by_class[StatusClass::of_code(status).index()] += 1;
        self.latency_us += latency.as_micros() as u64;
        self.sketch.insert_bin(bin);
    }

    /// Adds every count of `o`.
    pub fn merge(&mut self, o: &Cell) {
        self.requests += o.requests;
        for (a, b) in self.by_class.iter_mut().zip(o.by_class) {
            *a += b;
        }
        self.latency_us += o.latency_us;
        self.sketch.add(&o.sketch);
    }

    pub fn clear(&mut self) {
        self.requests = 0;
        self.by_class = [0; 5];
        self.latency_us = 0;
        self.sketch.clear();
    }

    pub fn errors_4xx(&self) -> u64 {
        self.by_class[StatusClass::ClientError.index()]
    }

    pub fn errors_5xx(&self) -> u64 {
        self.by_class[StatusClass::ServerError.index()]
    }

    /// `n / requests × 100`, 0 without requests.
    pub fn percent(&self, n: u64) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            n as f64 * 100.0 / self.requests as f64
        }
    }

    /// A latency quantile in ms; `None` without requests.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        self.sketch.quantile(q)
    }

    pub fn avg_ms(&self) -> Option<f64> {
        (self.requests > 0).then(|| self.latency_us as f64 / 1000.0 / self.requests as f64)
    }

    pub fn heap_bytes(&self) -> usize {
        self.sketch.heap_bytes()
    }
}

#[cfg(test)]
mod tests;
