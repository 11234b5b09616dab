//! Each rule of the module doc, at its edges.

use super::*;

/// A minute with `requests` requests, `errors` of them 5xx, all taking `ms`.
struct M {
    requests: u64,
    errors: u64,
    sketch: Sketch<u32>,
}

fn m(requests: u64, errors: u64, ms: f64) -> M {
    let mut sketch = Sketch::default();
    (0..requests).for_each(|_| sketch.insert(ms));
    M {
        requests,
        errors,
        sketch,
    }
}

fn run(minutes: &[M]) -> Vec<Event> {
    let views: Vec<MinuteView<'_>> = minutes
        .iter()
        .enumerate()
        .map(|(i, x)| MinuteView {
            minute: 1000 + i as u64,
            requests: x.requests,
            errors_5xx: x.errors,
            sketch: &x.sketch,
        })
        .collect();
    detect(&views, 0)
}

fn kinds(events: &[Event]) -> Vec<(EventKind, u64)> {
    events.iter().map(|e| (e.kind, e.minute - 1000)).collect()
}

fn steady(n: usize, requests: u64) -> Vec<M> {
    (0..n).map(|_| m(requests, 0, 10.0)).collect()
}

#[test]
fn traffic_spike_needs_twice_the_baseline_and_twenty_requests() {
    let mut mins = steady(5, 10);
    mins.push(m(20, 0, 10.0)); // exactly 2 × 10 and ≥ 20: a spike
    mins.push(m(40, 0, 10.0)); // still spiking: the same run, no new event
    mins.push(m(10, 0, 10.0));
    let e = run(&mins);
    assert_eq!(kinds(&e), vec![(EventKind::TrafficSpike, 5)]);
    assert_eq!(e[0].value, 20.0);
    assert_eq!(e[0].baseline, Some(10.0));
    assert_eq!(e[0].threshold, 20.0);
    assert_eq!(e[0].severity(), "warning");
    assert!(e[0].message().contains("2.0×"), "{}", e[0].message());
    // 19 requests on a baseline of 5/min is more than twice, but under the floor of 20.
    let mut quiet = steady(5, 5);
    quiet.push(m(19, 0, 10.0));
    assert!(run(&quiet).is_empty());
    // Just under twice the baseline.
    let mut under = steady(5, 20);
    under.push(m(39, 0, 10.0));
    assert!(run(&under).is_empty());
}

#[test]
fn spikes_need_five_minutes_of_baseline() {
    let mut mins = steady(4, 10);
    mins.push(m(100, 0, 10.0));
    assert!(run(&mins).is_empty());
}

#[test]
fn the_baseline_is_the_last_sixty_minutes() {
    // 100/min long ago, then 60 minutes of 10/min: a minute of 25 is a spike against
    // the last hour (mean 10), which it would not be if the old minutes still counted.
    let mut mins: Vec<M> = (0..30).map(|_| m(100, 0, 10.0)).collect();
    mins.extend(steady(60, 10));
    mins.push(m(25, 0, 10.0));
    assert_eq!(kinds(&run(&mins)), vec![(EventKind::TrafficSpike, 90)]);
}

#[test]
fn a_drop_to_zero_is_reported_once() {
    let mut mins = steady(6, 3);
    mins.extend([m(0, 0, 0.0), m(0, 0, 0.0), m(3, 0, 10.0)]);
    let e = run(&mins);
    assert_eq!(kinds(&e), vec![(EventKind::TrafficDrop, 6)]);
    assert_eq!(e[0].severity(), "critical");
    // Under one request per minute on average, silence is normal.
    let mut sparse: Vec<M> = (0..11).map(|i| m(u64::from(i % 2 == 0), 0, 10.0)).collect();
    sparse.push(m(0, 0, 0.0));
    assert!(run(&sparse).is_empty());
}

#[test]
fn latency_spike_compares_p95_with_the_baseline_p95() {
    let mut mins = steady(5, 10); // 50 baseline requests at 10 ms
    mins.push(m(10, 0, 21.0)); // p95 21 ms ≥ 2 × 10 ms (within the sketch's 1 %)
    mins.push(m(10, 0, 25.0)); // still slow: same run
    let e = run(&mins);
    assert_eq!(kinds(&e), vec![(EventKind::LatencySpike, 5)]);
    assert!((e[0].value - 21.0).abs() / 21.0 < 0.01);
    assert!((e[0].baseline.unwrap() - 10.0).abs() / 10.0 < 0.01);
    // Nine slow requests are too few to judge.
    let mut few = steady(5, 10);
    few.push(m(9, 0, 100.0));
    assert!(run(&few).is_empty());
    // 1.8 × is no spike.
    let mut mild = steady(5, 10);
    mild.push(m(10, 0, 18.0));
    assert!(run(&mild).is_empty());
}

#[test]
fn the_5xx_rate_crosses_levels_up_and_down_over_five_minutes() {
    // Minute 0: 100 requests, 1 error → 1 %: rose above 1 %.
    // Minute 1: 100 requests, 5 errors → 6/200 = 3 %: rose above 2 %.
    // Minute 2: 100 requests, 9 errors → 15/300 = 5 %: rose above 5 % (critical).
    // Minutes 3–7: clean; the rolling rate decays: 15/400 = 3.75 % (fell below 5 %),
    // 15/500 = 3 %, 14/500 = 2.8 %, 9/500 = 1.8 % (fell below 2 %), 0 % (fell below 1 %).
    let mut mins = vec![m(100, 1, 10.0), m(100, 5, 10.0), m(100, 9, 10.0)];
    mins.extend(steady(5, 100));
    let e = run(&mins);
    let got: Vec<(EventKind, u64, f64)> = e
        .iter()
        .map(|e| (e.kind, e.minute - 1000, e.threshold))
        .collect();
    use EventKind::{ErrorRateRecovery as Down, ErrorRateRise as Up};
    assert_eq!(
        got,
        vec![
            (Up, 0, 1.0),
            (Up, 1, 2.0),
            (Up, 2, 5.0),
            (Down, 3, 5.0),
            (Down, 6, 2.0),
            (Down, 7, 1.0),
        ]
    );
    assert_eq!(e[2].severity(), "critical");
    assert_eq!(e[0].severity(), "warning");
    assert_eq!(e[3].severity(), "info");
    assert!((e[3].value - 3.75).abs() < 1e-9);
    assert_eq!(
        e[2].message(),
        "5xx rate rose above 5 % (5.00 % over 5 min)"
    );
}

#[test]
fn silence_keeps_the_5xx_level_and_context_minutes_are_not_reported() {
    let mut mins = vec![m(10, 1, 10.0)]; // 10 %: rose above 5 %
    mins.extend((0..10).map(|_| m(0, 0, 0.0)));
    mins.push(m(10, 1, 10.0)); // 10 % again: no change of level
    assert_eq!(kinds(&run(&mins)), vec![(EventKind::ErrorRateRise, 0)]);
    let views: Vec<MinuteView<'_>> = mins
        .iter()
        .enumerate()
        .map(|(i, x)| MinuteView {
            minute: i as u64,
            requests: x.requests,
            errors_5xx: x.errors,
            sketch: &x.sketch,
        })
        .collect();
    assert!(detect(&views, 1).is_empty());
}
