//! What the fleet view must agree with: the sum of the replicas' own views, the test's
//! own count of what it sent, and — for percentiles — the exact values from the
//! replicas' operation logs, to within the documented bucket bound.

use serde_json::Value;
use spacewatch::telemetry::prom::LATENCY_BUCKETS;

use crate::support::Replica;
use crate::traffic::Truth;

pub fn rfc3339(v: &Value) -> f64 {
    let s = v.as_str().unwrap_or_else(|| panic!("a timestamp: {v}"));
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_micros() as f64
        / 1e6
}

pub fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a count: {v}"))
}

pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

/// The exact `q` quantile (nearest rank) of `sorted`.
fn exact(sorted: &[f64], q: f64) -> f64 {
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted[rank - 1]
}

/// `[lower, upper]` in ms of the latency bucket holding `ms` (upper is infinite above
/// the largest bound, where `histogram_quantile` answers the largest bound).
fn bucket(ms: f64) -> (f64, f64) {
    let s = ms / 1000.0;
    let i = LATENCY_BUCKETS.partition_point(|b| *b < s);
    let lo = if i == 0 {
        0.0
    } else {
        LATENCY_BUCKETS[i - 1] * 1000.0
    };
    let hi = LATENCY_BUCKETS.get(i).map_or(f64::INFINITY, |b| b * 1000.0);
    (lo, hi)
}

/// The documented bound: the fleet's percentile lies in the bucket of the exact value
/// (the logs round durations to the µs, so a value on a bound may be either side).
fn assert_in_bucket(fleet_ms: f64, exact_ms: f64, what: &str) {
    let lo = bucket(exact_ms - 0.001).0;
    let hi = bucket(exact_ms + 0.001).1;
    let top = LATENCY_BUCKETS[LATENCY_BUCKETS.len() - 1] * 1000.0;
    assert!(
        fleet_ms >= lo - 0.001 && (fleet_ms <= hi + 0.001 || fleet_ms == top),
        "{what}: fleet {fleet_ms} ms, exact {exact_ms} ms, bucket [{lo}, {hi}]"
    );
}

/// Every operation's (type, duration ms) from the replicas' operation logs.
pub async fn durations(replicas: &[&Replica]) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for r in replicas {
        let logs = r.json("/logs/operations?limit=1000").await;
        for l in logs["logs"].as_array().unwrap() {
            out.push((
                l["operation_type"].as_str().unwrap().to_string(),
                f(&l["duration_ms"]),
            ));
        }
    }
    out
}

pub fn check_percentiles(window: &Value, ops: &[(String, f64)], label: &str) {
    let mut all: Vec<f64> = ops.iter().map(|(_, d)| *d).collect();
    all.sort_by(f64::total_cmp);
    for (key, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
        assert_in_bucket(f(&window[key]), exact(&all, q), &format!("{label} {key}"));
    }
    for (op, entry) in window["operation_breakdown"].as_object().unwrap() {
        let mut d: Vec<f64> = ops
            .iter()
            .filter(|(t, _)| t == op)
            .map(|(_, d)| *d)
            .collect();
        d.sort_by(f64::total_cmp);
        assert_eq!(d.len() as u64, u(&entry["request_count"]), "{label} {op}");
        for (key, q) in [("p50", 0.5), ("p95", 0.95), ("p99", 0.99)] {
            assert_in_bucket(f(&entry[key]), exact(&d, q), &format!("{label} {op} {key}"));
        }
    }
}

/// The fleet window equals the sum of the replicas' windows in every count, error,
/// byte and (weighted) mean.
pub fn check_sums(fleet: &Value, own: &[&Value], label: &str) {
    let sum = |k: &str| own.iter().map(|w| u(&w[k])).sum::<u64>();
    for k in [
        "total_operations",
        "error_operations",
        "total_bytes_transferred",
    ] {
        assert_eq!(u(&fleet[k]), sum(k), "{label} {k}");
    }
    let n = sum("total_operations") as f64;
    let weighted: f64 = own
        .iter()
        .map(|w| f(&w["avg_latency_ms"]) * u(&w["total_operations"]) as f64)
        .sum();
    // Each replica rounds its mean to the µs.
    let tolerance = 0.0006 + 0.0005 * own.len() as f64;
    assert!(
        (f(&fleet["avg_latency_ms"]) - weighted / n).abs() <= tolerance,
        "{label} avg {} vs {}",
        fleet["avg_latency_ms"],
        weighted / n
    );
    let fb = fleet["operation_breakdown"].as_object().unwrap();
    let mut types: Vec<&String> = own
        .iter()
        .flat_map(|w| w["operation_breakdown"].as_object().unwrap().keys())
        .collect();
    types.sort();
    types.dedup();
    assert_eq!(fb.len(), types.len(), "{label}: {fb:?}");
    for op in types {
        for k in ["request_count", "error_count", "bytes_transferred"] {
            let own_sum: u64 = own
                .iter()
                .map(|w| w["operation_breakdown"][op][k].as_u64().unwrap_or(0))
                .sum();
            assert_eq!(u(&fb[op][k]), own_sum, "{label} {op} {k}");
        }
    }
}

pub fn check_truth(window: &Value, truth: &Truth, label: &str) {
    let (n, e) = truth.total();
    assert_eq!(u(&window["total_operations"]), n, "{label}");
    assert_eq!(u(&window["error_operations"]), e, "{label}");
    for (op, (n, e)) in &truth.0 {
        let b = &window["operation_breakdown"][*op];
        assert_eq!(
            (u(&b["request_count"]), u(&b["error_count"])),
            (*n, *e),
            "{label} {op}"
        );
    }
}

/// Fleet rate = Σ countᵢ / coveredᵢ at the scrape; a replica's own rate, read later,
/// divides by a longer covered time, at most the scrape's age longer.
pub fn check_rates(fleet: &Value, own: &[&Value], ages: &[f64]) {
    let got = f(&fleet["operations_per_second"]);
    let lower: f64 = own.iter().map(|w| f(&w["operations_per_second"])).sum();
    let upper: f64 = own
        .iter()
        .zip(ages)
        .map(|(w, age)| {
            let (n, rate) = (
                u(&w["total_operations"]) as f64,
                f(&w["operations_per_second"]),
            );
            if n == 0.0 {
                0.0
            } else {
                n / (n / rate - age - 1.0).max(1.0)
            }
        })
        .sum();
    assert!(
        got >= lower * 0.999 - 1e-4 && got <= upper * 1.001 + 1e-4,
        "fleet {got} ops/s, replicas {lower} .. {upper}"
    );
}
