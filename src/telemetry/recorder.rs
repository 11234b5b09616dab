//! The recorder: one [`Operation`] in, every sink fed.
//!
//! On the caller's thread, under one lock: the Prometheus counters (plain integers,
//! turned into families at scrape time), the windows and the journal. Sinks that format or do I/O (log lines, OTel metrics) are fed
//! by the export task from the journal, so they cost the request nothing.

use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;
use prometheus::Registry;

use super::bucket::{BucketCountsSnapshot, BucketStats, Buckets};
use super::clock::{Clock, UnixTime};
use super::export::{self, Exporter, Exporters, Flusher};
use super::log::LogSink;
use super::operation::Operation;
use super::prom::OperationCounters;
use super::prom::encode::FnCollector;
use super::prom::windows;
use super::recent::{Journal, LogFilter};
use super::s3::{S3Call, S3Counters, S3Snapshot, S3Window};
use super::window::{Sample, WindowKind, WindowSnapshot, Windows};

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
    /// Whether `/metrics` carries the per-bucket families (`MAX_BUCKET_LABELS=0` drops
    /// the bucket label; the admin-only analytics keep their own cap).
    pub bucket_labels: bool,
}

impl Default for RecorderConfig {
    fn default() -> Self {
        Self {
            current_window: Duration::from_secs(300),
            recent_capacity: 10_000,
            slow_ms: 5000.0,
            max_buckets: 500,
            bucket_labels: true,
        }
    }
}

/// What the one lock of the recorder guards.
#[derive(Debug)]
struct Core {
    counters: OperationCounters,
    s3: S3Counters,
    s3_window: S3Window,
    buckets: Buckets,
    windows: Windows,
    journal: Journal,
}

/// Feeds every sink from one record.
#[derive(Debug)]
pub struct Recorder {
    clock: Arc<dyn Clock>,
    core: Arc<Mutex<Core>>,
    exporters: Exporters,
    flusher: Flusher,
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

    fn export_batch(&self, ops: &[Operation]) {
        self.sink.operations(ops, self.slow_ms);
    }
}

impl std::fmt::Debug for dyn Exporter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Exporter")
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
        let exporters: Exporters = exporters.into();
        let core = Arc::new(Mutex::new(Core {
            counters: OperationCounters::new(),
            s3: S3Counters::default(),
            s3_window: S3Window::new(config.current_window),
            buckets: Buckets::new(config.max_buckets),
            windows: Windows::new(config.current_window, clock.now()),
            journal: Journal::new(config.recent_capacity),
        }));
        let weak: Weak<Mutex<Core>> = Arc::downgrade(&core);
        let source: export::Source =
            Box::new(move |n| weak.upgrade().map(|c| c.lock().journal.take_unexported(n)));
        register_collector(registry, &core, config.bucket_labels, clock.clone());
        Self {
            flusher: export::spawn(source, exporters.clone()),
            clock,
            core,
            exporters,
        }
    }

    /// Records one completed operation into every sink. It lands in the windows at the
    /// time it ended (`started_at + duration`).
    pub fn record(&self, op: Operation) {
        let sample = Sample::new(op.operation, op.status, op.bytes_transferred(), op.duration);
        let ended = op.started_at.plus(op.duration);
        let displaced = {
            let mut core = self.core.lock();
            core.counters.record(&op);
            if let Some(bucket) = &op.bucket {
                core.buckets.record(ended, bucket, &op, &sample);
            }
            core.windows.record(ended, &sample);
            core.journal.push(op)
        };
        if let (true, Some(old)) = (displaced.unexported, &displaced.op) {
            export::export_all(&self.exporters, old);
        }
    }

    /// Records one upstream S3 call (SDK tools and gateway alike).
    pub fn record_s3(&self, call: &S3Call) {
        {
            let mut core = self.core.lock();
            core.s3.record(call);
            core.s3_window.record(call);
            if let Some(bucket) = &call.bucket {
                core.buckets.record_s3(bucket, call);
            }
        }
        self.exporters.iter().for_each(|e| e.export_s3(call));
    }

    /// S3 calls over the current window.
    pub fn s3_snapshot(&self) -> S3Snapshot {
        let now = self.clock.now();
        self.core.lock().s3_window.snapshot(now)
    }

    pub fn snapshot(&self, kind: WindowKind) -> WindowSnapshot {
        let now = self.clock.now();
        self.core.lock().windows.snapshot(kind, now)
    }

    /// The three windows read at one instant, so they agree with each other.
    pub fn snapshots(&self) -> [WindowSnapshot; 3] {
        let now = self.clock.now();
        let mut core = self.core.lock();
        [WindowKind::Current, WindowKind::Hour, WindowKind::Day]
            .map(|k| core.windows.snapshot(k, now))
    }

    pub fn buckets(&self) -> Vec<BucketStats> {
        let now = self.clock.now();
        self.core.lock().buckets.analytics(now)
    }

    pub fn recent(&self, filter: &LogFilter, limit: usize) -> Vec<Operation> {
        self.core.lock().journal.query(filter, limit)
    }

    pub fn recent_len(&self) -> usize {
        self.core.lock().journal.len()
    }

    /// Operations recorded since start.
    pub fn total_recorded(&self) -> u64 {
        self.core.lock().journal.pushed()
    }

    pub fn current_window(&self) -> Duration {
        self.core.lock().windows.current_length()
    }

    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Heap memory of the windows and the per-bucket state (for the memory benchmark).
    pub fn windows_heap_bytes(&self) -> usize {
        let core = self.core.lock();
        core.windows.heap_bytes() + core.buckets.heap_bytes() + core.s3_window.heap_bytes()
    }

    /// Waits until every operation recorded so far has been exported.
    pub async fn flush(&self) {
        self.flusher.flush().await;
    }
}

/// Exposes the operation counters and the window totals to the registry; they are
/// copied out under the lock and encoded outside it. `bucket_labels` false
/// (`MAX_BUCKET_LABELS=0`) leaves every per-bucket family out.
fn register_collector(
    registry: &Registry,
    core: &Arc<Mutex<Core>>,
    bucket_labels: bool,
    clock: Arc<dyn Clock>,
) {
    let weak = Arc::downgrade(core);
    let gather = Box::new(move || match weak.upgrade() {
        Some(core) => {
            let now = clock.now();
            let (counters, s3, buckets, windows, current, bucket_stats) = {
                let mut c = core.lock();
                let windows = c.windows.tallies(now);
                let bucket_stats = c.buckets.analytics(now);
                let current = c.windows.current_length();
                (
                    c.counters.clone(),
                    c.s3.clone(),
                    c.buckets.counts(),
                    windows,
                    current,
                    bucket_stats,
                )
            };
            let mut families = counters.families();
            families.extend(s3.families());
            families.extend(windows::window_families(&windows, current));
            if bucket_labels {
                families.extend(buckets.families());
                families.extend(windows::bucket_window_families(&bucket_stats));
            }
            families
        }
        None => Vec::new(),
    });
    let mut descs = OperationCounters::descs();
    descs.extend(S3Counters::descs());
    descs.extend(windows::window_descs());
    if bucket_labels {
        descs.extend(BucketCountsSnapshot::descs());
        descs.extend(windows::bucket_window_descs());
    }
    let collector = FnCollector::new(descs, gather);
    if let Err(e) = registry.register(Box::new(collector)) {
        panic!("operation families registered twice: {e}");
    }
}
