//! Mission Control's cost: what the recording layer adds to every request, and what an
//! admin read costs over full retention.
//!
//! * `http_stats/record` — one `HttpStats::record` (route lookup, two cells, the client
//!   hash into the HyperLogLog), against
//! * `http_stats/floor_histogramvec_observe` — one `prometheus::HistogramVec` observe,
//!   the floor the recorder bench uses, measured in the same run.
//! * `http_stats/overview`, `series_60m`, `events` — the three admin reads with 120
//!   minutes × 30 routes of traffic retained.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use prometheus::{HistogramOpts, HistogramVec};
use spacewatch::mission::{Exchange, HttpStats};
use spacewatch::telemetry::prom::LATENCY_BUCKETS;
use spacewatch::telemetry::{HttpMethod, ManualClock, SystemClock, UnixTime};

const ROUTES: [&str; 30] = [
    "/",
    "/dashboard",
    "/config",
    "/admin",
    "/static/{name}",
    "/api/ui-config",
    "/health",
    "/metrics",
    "/metrics/operations",
    "/logs/operations",
    "/stats",
    "/admin/api/mission-control",
    "/admin/api/timeseries",
    "/admin/api/events",
    "/tools/buckets",
    "/tools/list-all",
    "/tools/storage-summary",
    "/tools/top-largest",
    "/tools/recent-objects",
    "/validate-credentials",
    "/s3",
    "/s3/",
    "/s3/{bucket}",
    "/s3/{bucket}/",
    "/s3/{bucket}/{*key}",
    "/metrics/series",
    "/metrics/top-ips",
    "/chat",
    "/mcp",
    "/metrics/snapshot",
];

fn exchange(i: u64) -> Exchange<'static> {
    Exchange {
        route: Some(ROUTES[(i % 30) as usize]),
        method: HttpMethod::Get,
        status: if i.is_multiple_of(50) { 502 } else { 200 },
        latency: Duration::from_micros(200 + (i * 7919) % 5000),
        client: IpAddr::V4(Ipv4Addr::from((i % 200) as u32)),
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("http_stats");
    let stats = HttpStats::new(Arc::new(SystemClock));
    let mut i = 0u64;
    g.bench_function("record", |b| {
        b.iter(|| {
            i += 1;
            stats.record(&exchange(i));
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

    let start = 1_800_000_000;
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(start)));
    let full = HttpStats::new(clock.clone());
    for m in 0..121u64 {
        clock.set(UnixTime::from_secs(start + m * 60));
        for k in 0..600 {
            full.record(&exchange(m * 600 + k));
        }
    }
    eprintln!(
        "http_stats heap with 120 min x 30 routes: {} KiB",
        full.heap_bytes() / 1024
    );
    g.bench_function("overview", |b| b.iter(|| full.overview()));
    g.bench_function("series_60m", |b| b.iter(|| full.series(60, 1)));
    g.bench_function("events", |b| b.iter(|| full.events()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
