//! The hand-off from the request path to the slower sinks (log lines; OTel metrics).
//!
//! The recorder's hot path only does in-memory work; formatting and writing a log line
//! costs microseconds, so completed operations are handed to a background task through
//! a bounded queue. If the queue is full the caller exports inline — back-pressure
//! instead of loss: every operation still produces its line.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::operation::Operation;

/// A sink fed off the request path.
pub trait Exporter: Send + Sync + 'static {
    fn export(&self, op: &Operation);
}

enum Msg {
    Op(Arc<Operation>),
    Flush(oneshot::Sender<()>),
}

/// The bounded queue in front of the exporters.
#[derive(Clone)]
pub struct ExportQueue {
    tx: mpsc::Sender<Msg>,
    exporters: Arc<[Arc<dyn Exporter>]>,
}

impl std::fmt::Debug for ExportQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportQueue").finish_non_exhaustive()
    }
}

impl ExportQueue {
    /// Starts the background task on the current tokio runtime.
    pub fn start(exporters: Vec<Arc<dyn Exporter>>, capacity: usize) -> Self {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        let exporters: Arc<[Arc<dyn Exporter>]> = exporters.into();
        tokio::spawn(run(rx, exporters.clone()));
        Self { tx, exporters }
    }

    /// Hands one operation over without waiting; exports inline if the queue is full.
    pub fn send(&self, op: Arc<Operation>) {
        if let Err(e) = self.tx.try_send(Msg::Op(op))
            && let Msg::Op(op) = e.into_inner()
        {
            export_all(&self.exporters, &op);
        }
    }

    /// Waits until everything sent before this call has been exported.
    pub async fn flush(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Msg::Flush(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

fn export_all(exporters: &[Arc<dyn Exporter>], op: &Operation) {
    exporters.iter().for_each(|e| e.export(op));
}

async fn run(mut rx: mpsc::Receiver<Msg>, exporters: Arc<[Arc<dyn Exporter>]>) {
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::Op(op) => export_all(&exporters, &op),
            Msg::Flush(done) => {
                let _ = done.send(());
            }
        }
    }
}
