//! Memory of the full windows: 24 h of traffic at two rates (and a worst-case latency
//! spread), read from `Windows::heap_bytes`. Prints the figures; the target is ≤ 8 MiB
//! whatever the rate.

use std::time::Duration;

use std::sync::Arc;

use spacewatch::telemetry::bucket::Buckets;
use spacewatch::telemetry::window::{Sample, Windows};
use spacewatch::telemetry::{HttpMethod, Operation, OperationType, RequestId, TraceId, UnixTime};

const START: u64 = 1_800_000_000;

fn operation(i: u64, bucket: &Arc<str>, duration: Duration) -> Operation {
    Operation {
        started_at: UnixTime::from_secs(START),
        operation: OperationType::ALL[(i % 10) as usize],
        method: HttpMethod::Get,
        route: "/x",
        bucket: Some(bucket.clone()),
        tenant: None,
        status: if i.is_multiple_of(20) { 500 } else { 200 },
        duration,
        bytes_in: 0,
        bytes_out: 2048,
        first_byte: None,
        error: None,
        s3_api: None,
        named_bucket: None,
        request_id: RequestId::new("r").unwrap(),
        trace_id: TraceId::default(),
    }
}

/// Windows plus per-bucket state after 24 h of traffic.
fn fill(per_second: u64, buckets: u64, spread: impl Fn(u64) -> Duration) -> usize {
    let mut w = Windows::new(Duration::from_secs(300), UnixTime::from_secs(START));
    let mut b = Buckets::new(500);
    let names: Vec<Arc<str>> = (0..buckets).map(|b| format!("bucket-{b}").into()).collect();
    let mut i = 0u64;
    for s in 0..86_400 {
        let now = UnixTime::from_secs(START + s);
        for _ in 0..per_second {
            let name = &names[(i % buckets) as usize];
            let op = operation(i, name, spread(i));
            let sample = Sample::new(op.operation, op.status, op.bytes_transferred(), op.duration);
            w.record(now, &sample);
            b.record(now, name, &op, &sample);
            i += 1;
        }
    }
    w.heap_bytes() + b.heap_bytes()
}

fn main() {
    let mib = |b: usize| b as f64 / (1024.0 * 1024.0);
    let realistic = |i: u64| Duration::from_micros(500 + (i * 7919) % 5000 * ((i % 7) + 1).pow(3));
    for per_second in [2, 40] {
        let bytes = fill(per_second, 50, realistic);
        println!(
            "24 h at {per_second:>2} ops/s, 10 types, 50 buckets, 0.5 ms–5 s: {:.2} MiB",
            mib(bytes)
        );
    }
    // Latencies spread over the whole sketch range (1 µs … 27 h): the sketches' worst case.
    let wide = |i: u64| Duration::from_nanos(1_000 * 10u64.pow((i % 9) as u32) + i % 997);
    let bytes = fill(40, 500, wide);
    println!(
        "24 h at 40 ops/s, 500 buckets, latencies over 9 decades: {:.2} MiB",
        mib(bytes)
    );
}
