//! Access-log parser throughput on one core (issue 8, "Benchmark"), over a ≥ 100 MB log of
//! generated 27-field lines (`benches/support/gen_access_log.rs`, seed 1):
//!
//! - `plain_parse`: every line of the plain object split and every field parsed.
//! - `gzip_decompress`: the same text as `gzip -1`, only decompressed into the same fixed
//!   buffer the line reader uses (the ceiling for the next one).
//! - `gzip_parse`: decompress + split + parse. Target: ≥ 0.8 × `gzip_decompress`.
//!
//! All three report throughput in bytes of *text* (decompressed), so their MB/s compare.
//! They run twice: group `accesslog` by wall time, group `accesslog_cpu` by the bench
//! thread's CPU time (`support/thread_cpu.rs`), which other jobs on a shared machine do not
//! inflate — the honest "one core" figure when the machine is busy.
//! `scripts/bench-accesslog.sh` times the same parse against goaccess as whole processes.
//!
//! Group `summarize` (issue 18, item 1) digests objects whose every line names a bucket of
//! its own (`tests/common/hostile_logs.rs`), 10,000 and 80,000 lines, and reports the cost
//! per line: it stays flat when the (bucket, hour) groups are found by hash, and grows with
//! the object when they are searched.

#[path = "support/gen_access_log.rs"]
mod gen_access_log;
#[path = "../tests/common/hostile_logs.rs"]
mod hostile_logs;
#[path = "support/thread_cpu.rs"]
mod thread_cpu;

use criterion::measurement::Measurement;
use criterion::{Criterion, Throughput, black_box, criterion_group, criterion_main};
use flate2::bufread::MultiGzDecoder;
use spacewatch::accesslog::parse::{Compression, End, GZIP_BUFFER, parse_object};
use spacewatch::accesslog::summary::summarize;
use std::io::{Read, Write};
use std::sync::OnceLock;
use std::time::Duration;

const LOG_BYTES: usize = 100_000_000;

/// The plain log and its gzip, made once for both groups.
fn data() -> &'static (String, Vec<u8>) {
    static DATA: OnceLock<(String, Vec<u8>)> = OnceLock::new();
    DATA.get_or_init(make_data)
}

fn make_data() -> (String, Vec<u8>) {
    let mut text = String::new();
    gen_access_log::Generator::new(1).fill(&mut text, LOG_BYTES);
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).expect("gzip in memory");
    let gz = enc.finish().expect("gzip in memory");
    (text, gz)
}

/// Parses everything and checks that every line was well-formed (a bench over lines that
/// fail early would measure nothing).
fn parse_all(data: &[u8], c: Compression, lines: u64) -> u64 {
    let mut sum = 0u64;
    let r = parse_object(data, c, u64::MAX, |_, parsed| {
        let l = parsed.expect("generated lines are well-formed");
        sum = sum.wrapping_add(l.bytes_sent ^ l.time as u64);
        black_box(&l);
    });
    assert_eq!(
        (r.end, r.stats.lines, r.stats.malformed),
        (End::Complete, lines, 0)
    );
    sum
}

fn bench<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let (text, gz) = data();
    let lines = text.bytes().filter(|&b| b == b'\n').count() as u64;
    eprintln!(
        "{group}: access log: {} bytes, {lines} lines ({:.0} bytes/line), gzip -1: {} bytes",
        text.len(),
        text.len() as f64 / lines as f64,
        gz.len()
    );
    let mut g = c.benchmark_group(group);
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::BytesDecimal(text.len() as u64));
    g.bench_function("plain_parse", |b| {
        b.iter(|| parse_all(text.as_bytes(), Compression::Plain, lines))
    });
    g.bench_function("gzip_decompress", |b| {
        let mut buf = vec![0u8; GZIP_BUFFER];
        b.iter(|| {
            let mut dec = MultiGzDecoder::new(&gz[..]);
            let mut total = 0;
            while let Ok(n @ 1..) = dec.read(&mut buf) {
                total += n;
            }
            assert_eq!(total, text.len());
            black_box(&buf);
        })
    });
    g.bench_function("gzip_parse", |b| {
        b.iter(|| parse_all(gz, Compression::Gzip, lines))
    });
    g.finish();
}

/// Wall time, as criterion measures by default.
fn wall(c: &mut Criterion) {
    bench(c, "accesslog");
}

/// The bench thread's own CPU time (see `support/thread_cpu.rs`): the one-core figure on a
/// shared machine.
fn cpu(c: &mut Criterion<thread_cpu::ThreadCpu>) {
    bench(c, "accesslog_cpu");
}

/// The per-line cost of digesting an object whose lines each name another bucket.
fn summarize_distinct_buckets(c: &mut Criterion) {
    let mut g = c.benchmark_group("summarize");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for lines in [10_000usize, 80_000] {
        let text = hostile_logs::distinct_buckets(lines, 1_700_000_000);
        g.throughput(Throughput::Elements(lines as u64));
        g.bench_function(format!("distinct_buckets_{lines}"), |b| {
            b.iter(|| {
                let s = summarize("x.log", text.as_bytes(), u64::MAX).expect("summarized");
                assert_eq!(s.lines, lines as u64);
                black_box(s)
            })
        });
    }
    g.finish();
}

criterion_group!(wall_group, wall);
criterion_group!(summarize_group, summarize_distinct_buckets);
criterion_group! {
    name = cpu_group;
    config = Criterion::default().with_measurement(thread_cpu::ThreadCpu);
    targets = cpu
}
criterion_main!(wall_group, cpu_group, summarize_group);
