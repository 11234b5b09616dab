//! The recorder: one [`Operation`] in, every sink fed.
//!
//! In-memory sinks are fed on the caller's thread (Prometheus families, windows, the
//! recent log); sinks that format or do I/O are fed through the [`ExportQueue`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use prometheus::Registry;

use super::clock::{Clock, UnixTime};
use super::export::{ExportQueue, Exporter};
use super::log::LogSink;
use super::operation::Operation;
use super::prom::OperationMetrics;
use super::recent::{LogFilter, RecentLog};
use super::window::{BucketStats, Sample, WindowKind, WindowSnapshot, Windows};

/// Knobs of the recorder.
#[derive(Debug, Clone)]
pub struct RecorderConfig {
    /// Length of the current window (`RECENT_WINDOW_SECONDS`).
    pub current_window: Duration,
    /// Capacity of the recent-operation log (`MAX_STORAGE_METRICS_SAMPLES`).
    pub recent_capacity: usize,
    /// Operations slower than this get a SLOW_OPERATION line (`SLOW_OPERATION_MS`).
    pub slow_ms: f64,
    /// Cap of the bucket label and of the per-bucket analytics (`MAX_BUCKET_LABELS`).
    pub max_buckets: usize,
    /// Capacity of the export queue.
    pub export_queue: usize,
}

impl Default for RecorderConfig {
    fn default() -> Self {
        Self {
            current_window: Duration::from_secs(300),
            recent_capacity: 10_000,
            slow_ms: 5000.0,
            max_buckets: 500,
            export_queue: 8192,
        }
    }
}

/// Feeds every sink from one record.
#[derive(Debug)]
pub struct Recorder {
    clock: Arc<dyn Clock>,
    metrics: OperationMetrics,
    windows: Mutex<Windows>,
    recent: RecentLog,
    export: ExportQueue,
    total: AtomicU64,
}

/// Writes the log lines of each operation.
struct LogExporter {
    sink: Arc<LogSink>,
    slow_ms: f64,
}

impl Exporter for LogExporter {
    fn export(&self, op: &Operation) {
        self.sink.operation(op, self.slow_ms);
    }
}

impl Recorder {
    /// Registers the Prometheus families and starts the export task (needs a tokio runtime).
    /// `extra` are further exporters fed off the request path (OTel metrics).
    pub fn new(
        config: &RecorderConfig,
        clock: Arc<dyn Clock>,
        registry: &Registry,
        log: Arc<LogSink>,
        extra: Vec<Arc<dyn Exporter>>,
    ) -> Self {
        let mut exporters: Vec<Arc<dyn Exporter>> = vec![Arc::new(LogExporter {
            sink: log,
            slow_ms: config.slow_ms,
        })];
        exporters.extend(extra);
        Self {
            windows: Mutex::new(Windows::new(
                config.current_window,
                config.max_buckets,
                clock.now(),
            )),
            clock,
            metrics: OperationMetrics::register(registry, config.max_buckets),
            recent: RecentLog::new(config.recent_capacity),
            export: ExportQueue::start(exporters, config.export_queue),
            total: AtomicU64::new(0),
        }
    }

    /// Records one completed operation into every sink.
    pub fn record(&self, op: Operation) {
        let now = self.clock.now();
        self.metrics.record(&op);
        let sample = Sample {
            operation: op.operation,
            error: op.is_error(),
            bytes: op.bytes_transferred(),
            duration: op.duration,
        };
        self.windows.lock().record(now, &sample, op.bucket.as_ref());
        self.total.fetch_add(1, Ordering::Relaxed);
        let op = Arc::new(op);
        self.recent.push(op.clone());
        self.export.send(op);
    }

    pub fn snapshot(&self, kind: WindowKind) -> WindowSnapshot {
        let now = self.clock.now();
        self.windows.lock().snapshot(kind, now)
    }

    /// The three windows read at one instant, so they agree with each other.
    pub fn snapshots(&self) -> [WindowSnapshot; 3] {
        let now = self.clock.now();
        let mut w = self.windows.lock();
        [WindowKind::Current, WindowKind::Hour, WindowKind::Day].map(|k| w.snapshot(k, now))
    }

    pub fn buckets(&self) -> Vec<BucketStats> {
        let now = self.clock.now();
        self.windows.lock().buckets(now)
    }

    pub fn recent(&self, filter: &LogFilter, limit: usize) -> Vec<Arc<Operation>> {
        self.recent.query(filter, limit)
    }

    pub fn recent_len(&self) -> usize {
        self.recent.len()
    }

    /// Operations recorded since start.
    pub fn total_recorded(&self) -> u64 {
        self.total.load(Ordering::Relaxed)
    }

    pub fn current_window(&self) -> Duration {
        self.windows.lock().current_length()
    }

    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub fn metrics(&self) -> &OperationMetrics {
        &self.metrics
    }

    /// Heap memory of the windows (for the memory benchmark).
    pub fn windows_heap_bytes(&self) -> usize {
        self.windows.lock().heap_bytes()
    }

    /// Waits until every operation recorded so far has been exported.
    pub async fn flush(&self) {
        self.export.flush().await;
    }
}
