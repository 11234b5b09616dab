use super::*;
use crate::telemetry::sketch::nearest_rank;

const T0: u64 = 1_700_000_400; // a multiple of 3600 s: slot boundaries line up

fn sample(op: OperationType, error: bool, ms: u64) -> Sample {
    Sample::new(
        op,
        if error { 500 } else { 200 },
        100,
        Duration::from_millis(ms),
    )
}

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs)
}

fn count(w: &mut Windows, kind: WindowKind, now: u64) -> u64 {
    w.snapshot(kind, at(now)).all.cell.count
}

#[test]
fn an_operation_leaves_each_window_after_its_length() {
    let mut w = Windows::new(Duration::from_secs(300), at(T0));
    w.record(at(T0), &sample(OperationType::ListObjects, false, 5));
    for (kind, len) in [
        (WindowKind::Current, 300),
        (WindowKind::Hour, 3600),
        (WindowKind::Day, 86_400),
    ] {
        assert_eq!(count(&mut w, kind, T0 + len - 1), 1, "{kind:?} just before");
        assert_eq!(count(&mut w, kind, T0 + len), 0, "{kind:?} at its length");
    }
}

#[test]
fn counts_are_exact_over_a_full_day_of_traffic() {
    let mut w = Windows::new(Duration::from_secs(300), at(T0));
    // One operation every 7 s for 24 h, every 5th one an error.
    let mut n = 0u64;
    for t in (0..86_400).step_by(7) {
        let err = n.is_multiple_of(5);
        w.record(
            at(T0 + t),
            &sample(OperationType::ALL[(n % 10) as usize], err, 10),
        );
        n += 1;
    }
    let now = T0 + 86_399;
    let day = w.snapshot(WindowKind::Day, at(now));
    assert_eq!(day.all.cell.count, n);
    assert_eq!(day.all.cell.errors, n.div_ceil(5));
    assert_eq!(day.all.cell.bytes, n * 100);
    let per_type: u64 = day.per_type.iter().map(|t| t.cell.count).sum();
    assert_eq!(per_type, n);
    // The hour window holds the operations of the last 360 ten-second slots.
    let expect_hour = (0..86_400u64)
        .step_by(7)
        .filter(|t| (T0 + t) / 10 > now / 10 - 360)
        .count() as u64;
    assert_eq!(count(&mut w, WindowKind::Hour, now), expect_hour);
}

#[test]
fn percentiles_are_within_one_percent() {
    let mut w = Windows::new(Duration::from_secs(300), at(T0));
    let mut exact: Vec<u64> = Vec::new();
    for i in 0..10_000u64 {
        let ms = 1 + (i * 7919) % 2000; // 1..2000 ms, scrambled order
        exact.push(ms);
        w.record(
            at(T0 + i % 200),
            &sample(OperationType::GetObject, false, ms),
        );
    }
    exact.sort_unstable();
    let snap = w.snapshot(WindowKind::Current, at(T0 + 200));
    let t = snap.per_type[OperationType::GetObject.index()];
    for (q, est) in [(0.5, t.p50_ms), (0.95, t.p95_ms), (0.99, t.p99_ms)] {
        let truth = exact[nearest_rank(q, 10_000) as usize - 1] as f64;
        assert!(
            (est - truth).abs() / truth <= 0.01,
            "q{q}: {est} vs {truth}"
        );
    }
}

#[test]
fn every_window_reads_the_nearest_rank_so_the_slowest_of_four_is_the_tail() {
    // 0.09, 1.8, 8.2 and 79 ms: ⌈0.95·4⌉ = ⌈0.99·4⌉ = 4, the 79 ms one (⌊q·(n−1)⌋ gave
    // 8.2 ms, below the 22 ms mean); p50 is rank 2.
    let mut w = Windows::new(Duration::from_secs(300), at(T0));
    for (i, us) in [90u64, 1800, 8200, 79_000].into_iter().enumerate() {
        let s = Sample::new(OperationType::GetObject, 200, 1, Duration::from_micros(us));
        w.record(at(T0 + i as u64), &s);
    }
    let near = |got: f64, want: f64| (got - want).abs() / want <= 0.01;
    for kind in [WindowKind::Current, WindowKind::Hour, WindowKind::Day] {
        let snap = w.snapshot(kind, at(T0 + 10));
        for t in [snap.all, snap.per_type[OperationType::GetObject.index()]] {
            assert!(near(t.p95_ms, 79.0), "{kind:?} p95 {}", t.p95_ms);
            assert!(near(t.p99_ms, 79.0), "{kind:?} p99 {}", t.p99_ms);
            assert!(near(t.p50_ms, 1.8), "{kind:?} p50 {}", t.p50_ms);
        }
    }
}

#[test]
fn rates_divide_by_the_time_covered() {
    let mut w = Windows::new(Duration::from_secs(300), at(T0));
    (0..60).for_each(|i| w.record(at(T0 + i), &sample(OperationType::ListBuckets, false, 1)));
    let s = w.snapshot(WindowKind::Current, at(T0 + 60));
    assert!((s.ops_per_second() - 1.0).abs() < 1e-9);
    let later = w.snapshot(WindowKind::Current, at(T0 + 1000));
    assert_eq!(later.covered, Duration::from_secs(300));
}

#[test]
fn memory_does_not_grow_with_the_rate() {
    let filled = |per_slot: u64| {
        let mut w = Windows::new(Duration::from_secs(300), at(T0));
        for t in (0..86_400).step_by(30) {
            for k in 0..per_slot {
                let op = OperationType::ALL[(k % 10) as usize];
                let ms = 1 + (t + k * 37) % 500;
                w.record(at(T0 + t), &sample(op, false, ms));
            }
        }
        w.heap_bytes()
    };
    let (low, high) = (filled(20), filled(200));
    assert!(
        high <= low + low / 10,
        "10x the rate: {low} -> {high} bytes"
    );
}

#[test]
fn tallies_split_status_classes_and_latencies_exactly_and_slide() {
    let mut w = Windows::new(Duration::from_secs(300), at(T0));
    let op = OperationType::PutObject;
    // 8 operations per status class at T0, latencies from 0.3 ms to 297 s.
    let statuses = [200, 204, 301, 304, 404, 403, 500, 503];
    let mut expect_le = [0u64; LATENCY_BOUNDS];
    let mut n = 0u64;
    for (i, status) in statuses.iter().cycle().take(32).enumerate() {
        let d = Duration::from_micros(300 + 9_973 * (i as u64).pow(3));
        w.record(at(T0), &Sample::new(op, *status, 1, d));
        if let Some(c) = expect_le.get_mut(latency_bucket(d.as_secs_f64())) {
            *c += 1;
        }
        n += 1;
    }
    // One more, two minutes later: it outlives the others in the current window.
    w.record(
        at(T0 + 120),
        &Sample::new(op, 200, 1, Duration::from_millis(1)),
    );
    let [cur, hour, day] = w.tallies(at(T0 + 200));
    let t = cur.per_type[op.index()];
    assert_eq!(t.cell.count, n + 1);
    assert_eq!(t.by_class, [8 + 1, 8, 8, 8]);
    assert_eq!(t.by_class.iter().sum::<u64>(), t.cell.count);
    assert_eq!(t.by_class[2] + t.by_class[3], t.cell.errors);
    expect_le[latency_bucket(0.001)] += 1;
    assert_eq!(t.le, expect_le);
    assert_eq!(hour.per_type[op.index()], t);
    assert_eq!(day.per_type[op.index()], t);
    assert_eq!(cur.covered, Duration::from_secs(200));
    // The current window lets go of T0's operations after 300 s; the hour keeps them.
    let [cur, hour, _] = w.tallies(at(T0 + 300));
    assert_eq!(cur.per_type[op.index()].cell.count, 1);
    assert_eq!(cur.per_type[op.index()].by_class, [1, 0, 0, 0]);
    assert_eq!(hour.per_type[op.index()].cell.count, n + 1);
    // The tallies and the snapshot agree.
    let snap = w.snapshot(WindowKind::Hour, at(T0 + 300));
    assert_eq!(
        snap.per_type[op.index()].cell,
        hour.per_type[op.index()].cell
    );
}
