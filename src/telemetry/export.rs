//! The export task: feeds the slower sinks (log lines; OTel metrics) off the request path.
//!
//! It wakes every [`INTERVAL`] (or when asked to flush), takes what the journal holds
//! that it has not exported yet, and exports it. The request path never waits on it and
//! never wakes it: the cost of a log line stays out of the operation's latency.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::operation::Operation;

/// How often the export task looks for new operations.
pub const INTERVAL: Duration = Duration::from_millis(25);
/// Operations taken per lock of the journal, so recording never waits long.
const BATCH: usize = 256;

/// A sink fed off the request path.
pub trait Exporter: Send + Sync + 'static {
    fn export(&self, op: &Operation);

    /// An upstream S3 call, as it ends (on the request path: keep it to a few atomics).
    fn export_s3(&self, _call: &super::s3::S3Call) {}

    /// A batch in order; sinks with a per-write cost (a syscall, a lock) override it.
    fn export_batch(&self, ops: &[Operation]) {
        ops.iter().for_each(|op| self.export(op));
    }
}

/// The exporters, shared by the task and by inline exports.
pub type Exporters = Arc<[Arc<dyn Exporter>]>;

pub fn export_all(exporters: &[Arc<dyn Exporter>], op: &Operation) {
    exporters.iter().for_each(|e| e.export(op));
}

/// Takes up to n unexported operations; `None` once the recorder is gone.
pub type Source = Box<dyn Fn(usize) -> Option<Vec<Operation>> + Send + Sync>;

/// Asks the task to export everything now; resolves when it has.
#[derive(Debug, Clone)]
pub struct Flusher(mpsc::Sender<oneshot::Sender<()>>);

impl Flusher {
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.0.send(tx).await.is_ok() {
            let _ = rx.await;
        }
    }
}

/// Starts the task on the current tokio runtime.
pub fn spawn(source: Source, exporters: Exporters) -> Flusher {
    let (tx, mut rx) = mpsc::channel::<oneshot::Sender<()>>(64);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let waiter = tokio::select! {
                _ = tick.tick() => None,
                w = rx.recv() => Some(w),
            };
            if !drain(&source, &exporters) {
                return;
            }
            if let Some(Some(w)) = waiter {
                let _ = w.send(());
            }
        }
    });
    Flusher(tx)
}

/// Exports everything pending; false once the recorder is gone.
fn drain(source: &Source, exporters: &Exporters) -> bool {
    loop {
        let Some(batch) = source(BATCH) else {
            return false;
        };
        if batch.is_empty() {
            return true;
        }
        exporters.iter().for_each(|e| e.export_batch(&batch));
    }
}
