//! The cost of each part of `Recorder::record`, one by one — the evidence behind its
//! design (plain counters under the one lock, one log computation per record, an inline
//! request id, no per-record wake-up of the export task).

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use spacewatch::telemetry::bucket::Buckets;
use spacewatch::telemetry::log::{LogFormat, LogSink};
use spacewatch::telemetry::prom::OperationCounters;
use spacewatch::telemetry::recent::Journal;
use spacewatch::telemetry::window::{Sample, Windows};
use spacewatch::telemetry::{
    Clock, HttpMethod, Operation, OperationType, RequestId, SystemClock, TraceId, UnixTime,
};

const T: u64 = 1_800_000_000;

fn op(i: u64) -> Operation {
    Operation {
        started_at: UnixTime::from_secs(T),
        operation: OperationType::ALL[(i % 10) as usize],
        method: HttpMethod::Get,
        route: "/tools/list-all",
        bucket: Some(Arc::from(format!("bucket-{}", i % 50).as_str())),
        tenant: None,
        status: 200,
        duration: Duration::from_micros(500 + i * 37 % 9000),
        bytes_in: 0,
        bytes_out: 10,
        first_byte: None,
        error: None,
        s3_api: None,
        named_bucket: None,
        request_id: RequestId::new("req-0123456789abcdef0123456789abcdef").unwrap(),
        trace_id: TraceId::default(),
    }
}

fn sample(o: &Operation) -> Sample {
    Sample::new(o.operation, o.status, o.bytes_transferred(), o.duration)
}

fn benches(c: &mut Criterion) {
    let ops: Vec<Operation> = (0..1000).map(op).collect();
    let now = UnixTime::from_secs(T);
    let mut i = 0usize;
    let mut next = || {
        i = (i + 1) % ops.len();
        &ops[i]
    };
    let mut counters = OperationCounters::new();
    c.bench_function("sink/prometheus_counters", |b| {
        b.iter(|| counters.record(next()))
    });
    let mut windows = Windows::new(Duration::from_secs(300), now);
    let samples: Vec<Sample> = ops.iter().map(sample).collect();
    let mut j = 0usize;
    c.bench_function("sink/windows", |b| {
        b.iter(|| {
            j = (j + 1) % samples.len();
            windows.record(now, &samples[j])
        })
    });
    let mut buckets = Buckets::new(500);
    c.bench_function("sink/buckets", |b| {
        b.iter(|| {
            j = (j + 1) % samples.len();
            let o = &ops[j];
            buckets.record(now, o.bucket.as_ref().unwrap(), o, &samples[j])
        })
    });
    c.bench_function("part/sample_bin", |b| b.iter(|| sample(next())));
    let mut journal = Journal::new(10_000);
    c.bench_function("sink/journal_push", |b| {
        b.iter_batched(
            || next().clone(),
            |o| {
                let d = journal.push(o);
                if journal.pushed().is_multiple_of(4096) {
                    journal.take_unexported(usize::MAX);
                }
                d
            },
            criterion::BatchSize::SmallInput,
        )
    });
    let lock = parking_lot::Mutex::new(0u64);
    c.bench_function("part/mutex", |b| b.iter(|| *lock.lock() += 1));
    c.bench_function("part/system_clock", |b| b.iter(|| SystemClock.now()));
    // One operation's log line, formatted and written (to io::sink): what the export
    // task spends per operation on the log, in each format.
    for (name, format) in [("json", LogFormat::Json), ("human", LogFormat::Human)] {
        let sink = LogSink::new(format, Box::new(std::io::sink()), Arc::new(SystemClock));
        c.bench_function(&format!("sink/log_line_{name}"), |b| {
            b.iter(|| sink.operation(next(), f64::INFINITY))
        });
    }
}

criterion_group! {
    name = group;
    config = Criterion::default().measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = benches
}
criterion_main!(group);
