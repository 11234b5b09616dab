//! HttpStats under a test clock: complete minutes, route keys, clients, series, events
//! and bounded memory.

use std::net::{IpAddr, Ipv4Addr};

use super::*;
use crate::telemetry::ManualClock;

/// A whole hour (1.8e9 s is one), so minute numbers are easy to read.
const T0: u64 = 1_800_000_000;

fn setup() -> (Arc<ManualClock>, HttpStats) {
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(T0)));
    let stats = HttpStats::new(clock.clone());
    (clock, stats)
}

fn ip(n: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(10, 0, 0, n))
}

fn hit(s: &HttpStats, route: Option<&str>, status: u16, ms: u64, client: u8) {
    s.record(&Exchange {
        route,
        method: HttpMethod::Get,
        status,
        latency: Duration::from_millis(ms),
        client: ip(client),
    });
}

fn at_minute(clock: &ManualClock, m: u64) {
    clock.set(UnixTime::from_secs(T0 + m * 60));
}

#[test]
fn figures_cover_complete_minutes_by_route_template() {
    let (clock, s) = setup();
    for _ in 0..3 {
        hit(&s, Some("/health"), 200, 1, 1);
    }
    hit(&s, None, 404, 1, 2);
    hit(&s, Some("/tools/buckets"), 502, 30, 1);
    hit(&s, Some("/tools/buckets"), 502, 40, 1);
    let o = s.overview();
    assert_eq!((o.last_1m.requests, o.current_minute), (0, 6));
    at_minute(&clock, 1);
    let o = s.overview();
    assert_eq!((o.last_1m.requests, o.last_5m.requests), (6, 6));
    assert_eq!(o.current_minute, 0);
    assert_eq!(o.last_5m.by_class, [0, 3, 0, 1, 2]);
    let v = serde_json::to_value(overview_json(&o)).unwrap();
    assert_eq!(v["status"], "unhealthy"); // 2 of 6 are 5xx
    assert_eq!(v["error_rates_percent"]["5xx"], 33.3333);
    assert_eq!(v["error_rates_percent"]["4xx"], 16.6667);
    assert_eq!(v["requests"]["per_minute_5m"], 1.2);
    assert_eq!(v["unique_clients_30m"], 2);
    let top = &v["routes"]["top_by_volume"];
    assert_eq!(top[0]["route"], "/health");
    assert_eq!(top[0]["requests"], 3);
    assert_eq!(top[1]["route"], "/tools/buckets");
    assert_eq!(top[2]["route"], routes::UNMATCHED);
    assert_eq!(top[2]["errors_4xx"], 1);
    assert_eq!(v["routes"]["slowest_by_p95"][0]["route"], "/tools/buckets");
    let p95 = v["routes"]["slowest_by_p95"][0]["p95_ms"].as_f64().unwrap();
    // Nearest rank ⌈0.95 × 2⌉ = 2 of the two: 40 ms, within the sketch's 1 %.
    assert!((p95 - 40.0).abs() <= 0.4, "{p95}");
    let most = v["routes"]["most_5xx"].as_array().unwrap();
    assert_eq!(most.len(), 1);
    assert_eq!(most[0]["errors_5xx"], 2);
    // Five minutes later the minute has left "5 m" but not the route tables.
    at_minute(&clock, 6);
    let o = s.overview();
    assert_eq!(o.last_5m.requests, 0);
    assert_eq!(o.routes.len(), 3);
    at_minute(&clock, 61);
    assert!(s.overview().routes.is_empty());
}

#[test]
fn unique_clients_cover_thirty_minutes() {
    let (clock, s) = setup();
    for c in [1, 2, 3, 2, 1] {
        hit(&s, Some("/"), 200, 1, c);
    }
    at_minute(&clock, 10);
    hit(&s, Some("/"), 200, 1, 4);
    at_minute(&clock, 30);
    assert_eq!(s.overview().unique_clients_30m, 4);
    at_minute(&clock, 31);
    assert_eq!(s.overview().unique_clients_30m, 1);
    at_minute(&clock, 41);
    assert_eq!(s.overview().unique_clients_30m, 0);
}

#[test]
fn series_sums_steps_of_complete_minutes() {
    let (clock, s) = setup();
    for m in 0..10u64 {
        at_minute(&clock, m);
        for _ in 0..=m {
            hit(&s, Some("/health"), if m == 7 { 500 } else { 200 }, 2, 1);
        }
    }
    at_minute(&clock, 10);
    let points = s.series(10, 5);
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].0, minute_of(UnixTime::from_secs(T0)));
    assert_eq!(points[0].1.requests, 1 + 2 + 3 + 4 + 5);
    assert_eq!(points[1].1.requests, 6 + 7 + 8 + 9 + 10);
    assert_eq!(points[1].1.errors_5xx(), 8);
    let v = serde_json::to_value(series_json(s.now(), 10, 5, &points)).unwrap();
    assert_eq!(v["points"][1]["requests_per_minute"], 8.0);
    assert_eq!(v["points"][0]["p50_ms"].as_f64().unwrap().round(), 2.0);
    // Minutes before the window and the minute in progress are not in it.
    let one = s.series(1, 1);
    assert_eq!(one[0].1.requests, 10);
}

#[test]
fn events_of_the_last_hour_newest_first() {
    let (clock, s) = setup();
    for m in 0..6u64 {
        at_minute(&clock, m);
        (0..10).for_each(|_| hit(&s, Some("/health"), 200, 5, 1));
    }
    at_minute(&clock, 6);
    (0..40).for_each(|_| hit(&s, Some("/health"), 200, 5, 1));
    at_minute(&clock, 7);
    (0..10).for_each(|_| hit(&s, Some("/tools/buckets"), 502, 5, 1));
    at_minute(&clock, 8);
    let e = s.events();
    let kinds: Vec<(EventKind, u64)> = e
        .iter()
        .map(|e| (e.kind, e.minute - minute_of(UnixTime::from_secs(T0))))
        .collect();
    // Minute 7: 10 of the 80 requests of minutes 3–7 are 5xx (12.5 %): above 5 %.
    assert_eq!(
        kinds,
        vec![(EventKind::ErrorRateRise, 7), (EventKind::TrafficSpike, 6)]
    );
    let v = serde_json::to_value(events_json(s.now(), &e, 1)).unwrap();
    assert_eq!(v["total"], 2);
    assert_eq!(v["count"], 1);
    assert_eq!(v["events"][0]["severity"], "critical");
    assert_eq!(v["events"][0]["value"], 12.5);
    // An hour later, those minutes are baseline only.
    at_minute(&clock, 7 + 61);
    let later: Vec<EventKind> = s.events().iter().map(|e| e.kind).collect();
    assert_eq!(later, vec![EventKind::TrafficDrop]); // minute 8, the first silent one
    at_minute(&clock, 8 + 61);
    assert!(s.events().is_empty());
}

#[test]
fn a_clock_that_goes_back_never_overwrites_newer_minutes() {
    let (clock, s) = setup();
    at_minute(&clock, 200);
    hit(&s, Some("/health"), 200, 1, 1);
    at_minute(&clock, 200 - 121); // the same slot, an older minute
    hit(&s, Some("/health"), 200, 1, 1);
    at_minute(&clock, 201);
    assert_eq!(s.overview().last_1m.requests, 1);
}

#[test]
fn memory_stays_bounded_under_hostile_traffic() {
    let (clock, s) = setup();
    // 300 minutes of every route name and client address an attacker can invent, with
    // latencies over the whole sketch range.
    for m in 0..300u64 {
        at_minute(&clock, m);
        for i in 0..400u64 {
            s.record(&Exchange {
                route: Some(&format!("/r{}", (m * 400 + i) % 5000)),
                method: HttpMethod::Post,
                status: 200 + (i % 4) as u16 * 100,
                latency: Duration::from_micros(10 + (i * 7919 % 400) * (i * i)),
                client: IpAddr::V4(Ipv4Addr::from((m * 400 + i) as u32)),
            });
        }
    }
    let o = s.overview();
    assert_eq!(o.route_keys, routes::MAX_ROUTE_KEYS);
    assert!(o.routes.len() <= routes::MAX_ROUTE_KEYS);
    // Within 5 % of the true 12,000 distinct clients of the last 30 minutes.
    let u = o.unique_clients_30m as f64;
    assert!((u - 12_000.0).abs() / 12_000.0 < 0.05, "{u}");
    // The documented bound: 121 total sketches, 61 × 64 route cells, 31 client counters.
    let sketch_max = 1037 * 4;
    let bound = 121 * sketch_max
        + 61 * routes::MAX_ROUTE_KEYS * (sketch_max + std::mem::size_of::<Cell>())
        + 31 * HyperLogLog::BYTES;
    let held = s.heap_bytes();
    assert!(held <= bound, "{held} > {bound}");
}
