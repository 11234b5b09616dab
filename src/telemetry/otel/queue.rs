//! Bounded, non-blocking hand-off of finished spans to the OTLP exporter.
//!
//! A span that ends on the request path is offered to a bounded queue with `try_send`:
//! the request never waits for the collector. When the queue is full (the collector is
//! slow or down) the span is dropped and counted; when an export fails, its spans are
//! counted as dropped too. Both counts are Prometheus counters, so an operator sees on
//! `/metrics` that traces are being lost instead of finding out from a gap in Jaeger.
//! The SDK's own batch processor bounds its queue too, but keeps its drop count to
//! itself; that is why this one exists.

use std::time::Duration;

use opentelemetry::Context;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{Span, SpanData, SpanExporter, SpanProcessor};
use prometheus::IntCounter;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// What became of the spans handed to the queue.
#[derive(Debug, Clone)]
pub struct SpanCounters {
    pub dropped: IntCounter,
    pub exported: IntCounter,
}

/// The processor the tracer provider calls; cheap and never blocking.
#[derive(Debug)]
pub struct QueueProcessor {
    tx: mpsc::Sender<SpanData>,
    counters: SpanCounters,
}

impl SpanProcessor for QueueProcessor {
    fn on_start(&self, _: &mut Span, _: &Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        if self.tx.try_send(span).is_err() {
            self.counters.dropped.inc();
        }
    }

    /// Flushing waits on the network, so it is async: [`Flush::flush`].
    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
        Ok(())
    }
}

/// Asks the export task to send everything queued; resolves when it has tried.
#[derive(Debug, Clone)]
pub struct Flush(mpsc::Sender<oneshot::Sender<()>>);

impl Flush {
    pub async fn flush(&self, timeout: Duration) {
        let (tx, rx) = oneshot::channel();
        if self.0.send(tx).await.is_ok() {
            let _ = tokio::time::timeout(timeout, rx).await;
        }
    }
}

/// Batching of the export task.
#[derive(Debug, Clone, Copy)]
pub struct Batching {
    pub max_queue: usize,
    pub max_batch: usize,
    pub delay: Duration,
}

/// Starts the export task on the current runtime; returns the processor and its flush.
pub fn start<E: SpanExporter + 'static>(
    exporter: E,
    b: Batching,
    counters: SpanCounters,
) -> (QueueProcessor, Flush) {
    let (tx, rx) = mpsc::channel(b.max_queue.max(1));
    let (flush_tx, flush_rx) = mpsc::channel(8);
    let task = Task {
        exporter,
        rx,
        flush_rx,
        max_batch: b.max_batch.max(1),
        delay: b.delay,
        counters: counters.clone(),
    };
    tokio::spawn(task.run());
    (QueueProcessor { tx, counters }, Flush(flush_tx))
}

struct Task<E> {
    exporter: E,
    rx: mpsc::Receiver<SpanData>,
    flush_rx: mpsc::Receiver<oneshot::Sender<()>>,
    max_batch: usize,
    delay: Duration,
    counters: SpanCounters,
}

impl<E: SpanExporter> Task<E> {
    async fn run(mut self) {
        let mut batch = Vec::with_capacity(self.max_batch);
        let mut next = Instant::now() + self.delay;
        loop {
            let room = self.max_batch - batch.len();
            tokio::select! {
                req = self.flush_rx.recv() => {
                    while let Ok(span) = self.rx.try_recv() {
                        batch.push(span);
                        if batch.len() >= self.max_batch {
                            self.export(&mut batch).await;
                        }
                    }
                    self.export(&mut batch).await;
                    match req {
                        Some(done) => { let _ = done.send(()); }
                        None => return,
                    }
                }
                n = self.rx.recv_many(&mut batch, room) => {
                    if n == 0 {
                        // Every processor is gone: the provider was dropped.
                        self.export(&mut batch).await;
                        return;
                    }
                    if batch.len() >= self.max_batch {
                        self.export(&mut batch).await;
                    }
                }
                _ = tokio::time::sleep_until(next) => {
                    self.export(&mut batch).await;
                    next = Instant::now() + self.delay;
                }
            }
        }
    }

    async fn export(&mut self, batch: &mut Vec<SpanData>) {
        if batch.is_empty() {
            return;
        }
        let n = batch.len() as u64;
        match self.exporter.export(std::mem::take(batch)).await {
            Ok(()) => self.counters.exported.inc_by(n),
            Err(_) => self.counters.dropped.inc_by(n),
        }
    }
}
