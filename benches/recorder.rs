//! The recorder's hot path against its floor, the /metrics/operations query over full
//! 24 h windows, and the memory of those windows.
//!
//! * `record/all_sinks` — one Operation into Prometheus, the windows (3 windows + the
//!   bucket window), the recent log and the export queue, timed in batches the export
//!   task can drain between batches (the request-path cost when the exporter keeps up).
//! * `record/floor_histogramvec_observe` — one `prometheus::HistogramVec`
//!   `with_label_values(..).observe(..)`: the floor the issue names.
//! * `export/log_line` — what the export task spends per operation (format + write).
//! * `query/metrics_operations_24h` — GET /metrics/operations through the router, with
//!   every slot of every window populated.
//!
//! Window memory is reported by the `windows_memory` bench.

// It builds the whole application: the gateway's nested stage futures need the depth the
// library asks for too (src/lib.rs).
#![recursion_limit = "256"]

use std::io::sink;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use prometheus::{HistogramOpts, HistogramVec};
use spacewatch::telemetry::log::{LogFormat, LogSink};
use spacewatch::telemetry::prom::{LATENCY_BUCKETS, new_registry};
use spacewatch::telemetry::{
    Clock, Fingerprint, HttpMethod, ManualClock, Operation, OperationType, Recorder,
    RecorderConfig, RequestId, SystemClock, TraceId, UnixTime,
};

fn operation(i: u64, at: UnixTime) -> Operation {
    Operation {
        started_at: at,
        operation: OperationType::ALL[(i % 10) as usize],
        method: HttpMethod::Get,
        route: "/tools/list-all",
        bucket: Some(Arc::from(format!("bucket-{}", i % 50).as_str())),
        tenant: Some(Fingerprint([7; 8])),
        status: if i.is_multiple_of(20) { 404 } else { 200 },
        // A log-normal-ish spread of latencies, 0.5 ms to ~5 s.
        duration: Duration::from_micros(500 + (i * 7919) % 5000 * ((i % 7) + 1).pow(3)),
        bytes_in: 0,
        bytes_out: 2048 + i % 4096,
        first_byte: None,
        error: None,
        s3_api: None,
        named_bucket: None,
        request_id: RequestId::new("req-0123456789abcdef0123456789abcdef").unwrap(),
        trace_id: TraceId([9; 16]),
    }
}

fn recorder(clock: Arc<dyn Clock>) -> Recorder {
    let registry = new_registry("bench");
    let log = Arc::new(LogSink::new(
        LogFormat::Human,
        Box::new(sink()),
        clock.clone(),
    ));
    Recorder::new(
        &RecorderConfig::default(),
        clock,
        &registry,
        log,
        Vec::new(),
    )
}

fn bench_record(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    let _guard = rt.enter();
    let rec = recorder(Arc::new(SystemClock));
    let ops: Vec<Operation> = (0..1000).map(|i| operation(i, UnixTime(0))).collect();
    let mut g = c.benchmark_group("record");
    g.bench_function("all_sinks", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(8192);
                let batch: Vec<Operation> =
                    (0..n).map(|i| ops[(i % 1000) as usize].clone()).collect();
                let start = Instant::now();
                for op in batch {
                    rec.record(op);
                }
                total += start.elapsed();
                rt.block_on(rec.flush());
                left -= n;
            }
            total
        })
    });
    let hv = HistogramVec::new(
        HistogramOpts::new("floor_seconds", "floor").buckets(LATENCY_BUCKETS.to_vec()),
        &["operation", "status_class"],
    )
    .expect("valid");
    g.bench_function("floor_histogramvec_observe", |b| {
        b.iter(|| {
            hv.with_label_values(&["LIST_OBJECTS", "2xx"])
                .observe(0.012_3)
        })
    });
    g.finish();

    let log = LogSink::new(LogFormat::Human, Box::new(sink()), Arc::new(SystemClock));
    c.bench_function("export/log_line", |b| {
        b.iter_batched(
            || ops[3].clone(),
            |op| log.operation(&op, 5000.0),
            BatchSize::SmallInput,
        )
    });
}

/// Fills every window slot: 24 h of traffic, `per_second` operations each second.
fn fill_day(clock: &ManualClock, rec: &Recorder, start: u64, per_second: u64) {
    let mut i = 0;
    for s in 0..86_400 {
        clock.set(UnixTime::from_secs(start + s));
        for _ in 0..per_second {
            rec.record(operation(i, UnixTime::from_secs(start + s)));
            i += 1;
        }
    }
}

fn bench_query(c: &mut Criterion, rt: &tokio::runtime::Runtime) {
    use tower::ServiceExt;
    let _guard = rt.enter();
    let start = 1_800_000_000;
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(start)));
    let mut settings = spacewatch::config::Settings::for_tests();
    settings.knobs.max_bucket_labels = 500;
    let state = spacewatch::server::build_state(
        settings,
        spacewatch::server::Runtime {
            clock: clock.clone(),
            log_writer: Box::new(sink()),
        },
    )
    .expect("state");
    fill_day(&clock, &state.recorder, start, 2);
    rt.block_on(state.recorder.flush());
    eprintln!(
        "windows after 24 h at 2 ops/s, 10 types, 50 buckets: {} KiB",
        state.recorder.windows_heap_bytes() / 1024
    );
    let router = spacewatch::api::app(state);
    c.bench_function("query/metrics_operations_24h", |b| {
        b.to_async(rt).iter(|| {
            let r = router.clone();
            async move {
                let req = http::Request::get("/metrics/operations")
                    .body(axum::body::Body::empty())
                    .unwrap();
                let resp = r.oneshot(req).await.unwrap();
                axum::body::to_bytes(resp.into_body(), usize::MAX)
                    .await
                    .unwrap()
            }
        })
    });
}

fn benches(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    bench_record(c, &rt);
    bench_query(c, &rt);
}

criterion_group! {
    name = group;
    config = Criterion::default().measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(group);
