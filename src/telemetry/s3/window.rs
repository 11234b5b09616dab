//! S3 calls over the current window, per API: counts, errors, bytes, and first-byte and
//! total latency percentiles — the `s3_requests` section of `/metrics/operations`.

use std::time::Duration;

use super::call::{CallClass, S3Api, S3Call};
use super::per_api::PerApi;
use crate::telemetry::StatusClass;
use crate::telemetry::clock::UnixTime;
use crate::telemetry::sketch::{Sketch, bin_index};
use crate::telemetry::window::{Ring, Slot, SlotSketch};

/// Exact counters of S3 calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct S3Cell {
    pub requests: u64,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    pub no_response: u64,
    pub bytes_downloaded: u64,
    pub bytes_uploaded: u64,
    pub first_byte_us: u64,
    pub first_byte_count: u64,
    pub total_us: u64,
}

impl S3Cell {
    #[inline]
    pub fn add(&mut self, c: &S3Call) {
        self.requests += 1;
        match c.class() {
            CallClass::Status(StatusClass::ClientError) => self.errors_4xx += 1,
            CallClass::Status(StatusClass::ServerError) => self.errors_5xx += 1,
            CallClass::NoResponse => self.no_response += 1,
            CallClass::Status(_) => {}
        }
        self.bytes_downloaded += c.bytes_down;
        self.bytes_uploaded += c.bytes_up;
        if let Some(fb) = c.first_byte {
            self.first_byte_us += fb.as_micros() as u64;
            self.first_byte_count += 1;
        }
        self.total_us += c.total.as_micros() as u64;
    }

    pub fn merge(&mut self, o: &S3Cell) {
        self.requests += o.requests;
        self.errors_4xx += o.errors_4xx;
        self.errors_5xx += o.errors_5xx;
        self.no_response += o.no_response;
        self.bytes_downloaded += o.bytes_downloaded;
        self.bytes_uploaded += o.bytes_uploaded;
        self.first_byte_us += o.first_byte_us;
        self.first_byte_count += o.first_byte_count;
        self.total_us += o.total_us;
    }
}

impl Slot for S3Cell {
    fn reset(&mut self) {
        *self = S3Cell::default();
    }
}

/// First-byte and total latency sketches of one slot.
#[derive(Debug, Default)]
struct Latencies {
    first_byte: SlotSketch,
    total: SlotSketch,
}

impl Slot for Latencies {
    fn reset(&mut self) {
        self.first_byte.clear();
        self.total.clear();
    }

    fn heap_bytes(&self) -> usize {
        self.first_byte.heap_bytes() + self.total.heap_bytes()
    }
}

/// Latency percentiles in ms (0 when there were none).
#[derive(Debug, Clone, Copy, Default)]
pub struct Quantiles {
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

impl Quantiles {
    fn of(s: &Sketch) -> Self {
        let q = |p| s.quantile(p).unwrap_or(0.0);
        Self {
            p50: q(0.5),
            p95: q(0.95),
            p99: q(0.99),
        }
    }
}

/// One API's figures (or all APIs').
#[derive(Debug, Clone, Copy, Default)]
pub struct S3Stats {
    pub cell: S3Cell,
    pub first_byte: Quantiles,
    pub total: Quantiles,
}

/// The window read at one moment.
#[derive(Debug, Clone)]
pub struct S3Snapshot {
    pub length: Duration,
    /// The APIs called in the window, in vocabulary order.
    pub per_api: Vec<(S3Api, S3Stats)>,
    pub all: S3Stats,
}

/// S3 calls over the current window: 1 s count slots, sketches per tenth of the window.
#[derive(Debug)]
pub struct S3Window {
    length: Duration,
    counts: Ring<PerApi<S3Cell>>,
    latencies: Ring<PerApi<Latencies>>,
}

impl S3Window {
    pub fn new(length: Duration) -> Self {
        let secs = length.as_secs().max(1);
        let sketch_w = secs.div_ceil(10).max(1);
        Self {
            length,
            counts: Ring::new(Duration::from_secs(1), secs as usize),
            latencies: Ring::new(
                Duration::from_secs(sketch_w),
                secs.div_ceil(sketch_w) as usize,
            ),
        }
    }

    pub fn record(&mut self, c: &S3Call) {
        self.counts.advance(c.ended_at);
        self.counts.current().entry(c.api).add(c);
        self.latencies.advance(c.ended_at);
        let l = self.latencies.current().entry(c.api);
        if let Some(fb) = c.first_byte {
            l.first_byte
                .insert_bin(bin_index(fb.as_secs_f64() * 1000.0));
        }
        l.total
            .insert_bin(bin_index(c.total.as_secs_f64() * 1000.0));
    }

    pub fn snapshot(&mut self, now: UnixTime) -> S3Snapshot {
        self.counts.advance(now);
        self.latencies.advance(now);
        let mut cells: PerApi<S3Cell> = PerApi::default();
        for slot in self.counts.slots() {
            for (api, cell) in slot.iter() {
                cells.entry(api).merge(cell);
            }
        }
        let mut sketches: PerApi<(Sketch, Sketch)> = PerApi::default();
        for slot in self.latencies.slots() {
            for (api, l) in slot.iter() {
                let (fb, total) = sketches.entry(api);
                fb.add(&l.first_byte);
                total.add(&l.total);
            }
        }
        let stats = |cell, f: &Sketch, t: &Sketch| S3Stats {
            cell,
            first_byte: Quantiles::of(f),
            total: Quantiles::of(t),
        };
        let empty = (Sketch::default(), Sketch::default());
        let per_api: Vec<(S3Api, S3Stats)> = cells
            .sorted()
            .into_iter()
            .map(|(api, cell)| {
                let (fb, total) = sketches.get(api).unwrap_or(&empty);
                (api, stats(*cell, fb, total))
            })
            .collect();
        let (mut all_cell, mut all_fb, mut all_total) =
            (S3Cell::default(), Sketch::default(), Sketch::default());
        for (_, cell) in cells.iter() {
            all_cell.merge(cell);
        }
        for (_, (fb, total)) in sketches.iter() {
            all_fb.add(fb);
            all_total.add(total);
        }
        S3Snapshot {
            length: self.length,
            per_api,
            all: stats(all_cell, &all_fb, &all_total),
        }
    }

    pub fn heap_bytes(&self) -> usize {
        self.counts.heap_bytes() + self.latencies.heap_bytes()
    }
}
