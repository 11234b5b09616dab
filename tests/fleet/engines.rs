//! Three replicas, one store, one engine scraping every second — once with Prometheus,
//! once with VictoriaMetrics. Known traffic goes unevenly through the replicas, some of
//! it failing; then:
//! - `/fleet/operations` on any replica equals the sum of the replicas' own
//!   `/metrics/operations` and the test's own count (exact after a scrape); its
//!   percentiles lie in the latency bucket of the exact values, computed here from the
//!   replicas' operation logs; `replicas` lists each replica `up`;
//! - `/fleet/timeseries` charts them;
//! - a replica stopped is `up: false` and the totals are the live replicas';
//! - a stalled engine is a 504 within the timeout, a stopped one a 502 at once.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::checks::{
    check_percentiles, check_rates, check_sums, check_truth, durations, f, rfc3339, u,
};
use crate::support::{Engine, Kind, Replica, free_port, require, store};
use crate::traffic::{Truth, send};

/// The engine timeout the replicas run with (seconds).
const TIMEOUT: f64 = 2.0;
/// The basic-auth password in the engine URL: it must never come back.
const ENGINE_PASSWORD: &str = "engine-pass-Xy71";

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Polls the fleet view on `r` until the engine has scraped every one of `n` replicas
/// after `after` (Unix seconds): from then on the counts must be exact. The per-bucket
/// series and a type's latency histogram are new with the traffic, and VictoriaMetrics
/// makes a new series searchable a few seconds after its first sample (docs/fleet.md), so the
/// view must also list `demo-assets` and a latency for every type.
async fn fresh_view(r: &Replica, n: usize, after: f64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let v = r.json("/fleet/operations").await;
        let replicas = v["replicas"].as_array().cloned().unwrap_or_default();
        let fresh = replicas
            .iter()
            .filter(|x| x["up"] == true && x["last_scrape"].is_string())
            .filter(|x| rfc3339(&x["last_scrape"]) > after)
            .count();
        let latencies = v["current_5m"]["operation_breakdown"]
            .as_object()
            .is_some_and(|b| b.values().all(|t| t["avg_latency_ms"].as_f64() > Some(0.0)));
        if fresh == n && latencies && v["bucket_analytics"].get("demo-assets").is_some() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "no fresh scrape of {n} replicas: {v}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn scenario(kind: Kind) {
    require(kind.program());
    let store = store().await;
    let port = free_port();
    let url = format!("http://fleet:{ENGINE_PASSWORD}@127.0.0.1:{port}");
    let timeout = TIMEOUT.to_string();
    let args = [
        "--prometheus-url",
        url.as_str(),
        "--prometheus-timeout-sec",
        timeout.as_str(),
    ];
    let mut replicas: Vec<Replica> = (0..3).map(|_| Replica::start(&store, &args, &[])).collect();
    let targets: Vec<String> = replicas.iter().map(|r| r.addr.clone()).collect();
    let mut engine = Engine::start(kind, port, &targets);
    engine.wait_up(3).await;

    // Uneven traffic: 5, 2 and 1 rounds of ten requests, two of each ten failing and
    // one refused before admission.
    let mut truth = Truth::default();
    let mut own_truth = Vec::new();
    for (i, rounds) in [5, 2, 1].into_iter().enumerate() {
        let t = send(&replicas[i].base, rounds, &format!("r{i}")).await;
        truth.merge(&t);
        own_truth.push(t);
    }
    let sent_at = unix_now();

    // Any replica answers for the fleet: the one that saw least, and another.
    let fleet = fresh_view(&replicas[2], 3, sent_at + 0.5).await;
    let fleet_again = fresh_view(&replicas[0], 3, sent_at + 0.5).await;
    let own: Vec<Value> = {
        let mut v = Vec::new();
        for r in &replicas {
            v.push(r.json("/metrics/operations").await);
        }
        v
    };
    let read_at = unix_now();
    for (label, view) in [
        ("fleet via replica 2", &fleet),
        ("fleet via replica 0", &fleet_again),
    ] {
        let cur: Vec<&Value> = own.iter().map(|o| &o["current_5m"]).collect();
        check_sums(&view["current_5m"], &cur, label);
        check_truth(&view["current_5m"], &truth, label);
        for w in ["window_1h", "window_24h"] {
            let ws: Vec<&Value> = own.iter().map(|o| &o["trends"][w]).collect();
            check_sums(&view["trends"][w], &ws, &format!("{label} {w}"));
        }
        let (n, _) = truth.total();
        assert_eq!(u(&view["trends"]["operations_last_1h"]), n);
        assert_eq!(u(&view["trends"]["operations_last_24h"]), n);
        assert_eq!(u(&view["total_operations_tracked"]), n);
    }
    for (o, t) in own.iter().zip(&own_truth) {
        check_truth(&o["current_5m"], t, "a replica's own view");
    }
    // Per-bucket analytics of the last hour add up too (the fleet has no S3 part).
    let fb = fleet["bucket_analytics"].as_object().unwrap();
    assert!(fb.contains_key("demo-assets"), "{fb:?}");
    for (bucket, entry) in fb {
        for k in ["operation_count", "error_count", "bytes_transferred"] {
            let s: u64 = own
                .iter()
                .map(|o| o["bucket_analytics"][bucket][k].as_u64().unwrap_or(0))
                .sum();
            assert_eq!(u(&entry[k]), s, "bucket {bucket} {k}");
        }
        let p95s: Vec<f64> = own
            .iter()
            .filter_map(|o| o["bucket_analytics"][bucket]["p95"].as_f64())
            .collect();
        let max = p95s.iter().cloned().fold(0.0, f64::max);
        assert!(
            (f(&entry["p95"]) - max).abs() < 0.01,
            "bucket {bucket} p95 {entry} vs {p95s:?}"
        );
    }
    // Percentiles: within the documented bound of the exact values.
    let all: Vec<&Replica> = replicas.iter().collect();
    let ops = durations(&all).await;
    check_percentiles(&fleet["current_5m"], &ops, "current_5m");
    check_percentiles(&fleet["trends"]["window_24h"], &ops, "window_24h");
    // And the interpolation is the engine's own histogram_quantile over the same sums.
    for (q, key) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
        let expr = format!(
            "histogram_quantile({q}, sum by (le) (spacewatch_window_operation_duration_seconds_bucket{{job=\"spacewatch\", window=\"5m\"}}))"
        );
        let r = engine.query(&expr).await;
        let engine_ms: f64 = r[0]["value"][1].as_str().unwrap().parse::<f64>().unwrap() * 1000.0;
        let ours = f(&fleet["current_5m"][key]);
        assert!(
            (engine_ms - ours).abs() <= 0.0011,
            "{key}: engine {engine_ms} ms, fleet {ours} ms"
        );
    }
    // The replicas: each one up, with its own count and identity.
    let listed = fleet["replicas"].as_array().unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(fleet["replicas_up"], 3);
    let mut ages = Vec::new();
    for (r, o) in replicas.iter().zip(&own) {
        let entry = listed
            .iter()
            .find(|x| x["instance"] == r.addr.as_str())
            .unwrap_or_else(|| panic!("{} not in {listed:?}", r.addr));
        assert_eq!(entry["up"], true);
        assert_eq!(
            u(&entry["operations_5m"]),
            u(&o["current_5m"]["total_operations"])
        );
        let id = entry["service_instance_id"].as_str().unwrap();
        assert!(id.ends_with(&format!(":{}", r.port())), "{id}");
        ages.push(read_at - rfc3339(&entry["last_scrape"]));
    }
    let ops_rates: Vec<&Value> = own.iter().map(|o| &o["current_5m"]).collect();
    check_rates(&fleet["current_5m"], &ops_rates, &ages);
    let source = &fleet["source"];
    assert_eq!(source["engine_url"], format!("http://127.0.0.1:{port}/"));
    assert_eq!(source["job"], "spacewatch");
    assert!(rfc3339(&source["evaluated_at"]) >= sent_at);
    assert!(!fleet.to_string().contains(ENGINE_PASSWORD));

    // Charts over every replica, once the engine's range queries see the traffic: its
    // rate needs the scrapes before and after it inside a 10-s step's window, which on a
    // loaded machine may take a step or two longer than the instant view above.
    let deadline = Instant::now() + Duration::from_secs(30);
    let chart = loop {
        let (status, chart, _) = replicas[1]
            .admin("/fleet/timeseries?window=5m&resolution=10s")
            .await;
        assert_eq!(status, 200, "{chart}");
        let busy = chart["series"]["operations_per_second"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_f64)
            .fold(0.0, f64::max);
        if busy > 0.0 || Instant::now() > deadline {
            break chart;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    let points = chart["timestamps"].as_array().unwrap().len();
    assert_eq!(points, 31);
    let series = &chart["series"];
    for k in [
        "operations_per_second",
        "errors_per_second",
        "error_rate_percent",
        "bytes_per_second",
        "latency_p50_ms",
        "latency_p95_ms",
        "latency_p99_ms",
        "replicas_up",
    ] {
        assert_eq!(
            series[k].as_array().map(Vec::len),
            Some(points),
            "{k}: {chart}"
        );
    }
    let max_up = series["replicas_up"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .fold(0.0, f64::max);
    assert_eq!(max_up, 3.0, "{chart}");
    let busy = series["operations_per_second"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .fold(0.0, f64::max);
    assert!(busy > 0.0, "{chart}");
    assert_eq!(chart["by_replica"].as_object().unwrap().len(), 3, "{chart}");
    let (status, bad, _) = replicas[1].admin("/fleet/timeseries?window=7x").await;
    assert_eq!(status, 400, "{bad}");

    // A replica stops: the engine sees it down, and the totals are the live replicas'.
    replicas[2].stop();
    let deadline = Instant::now() + Duration::from_secs(30);
    let after_stop = loop {
        let v = replicas[0].json("/fleet/operations").await;
        let down = v["replicas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["instance"] == replicas[2].addr.as_str() && x["up"] == false);
        if down {
            break v;
        }
        assert!(Instant::now() < deadline, "replica 2 never down: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(after_stop["replicas_up"], 2);
    let live: Vec<&Value> = own[..2].iter().map(|o| &o["current_5m"]).collect();
    check_sums(&after_stop["current_5m"], &live, "after a replica stopped");
    let mut live_truth = own_truth[0].clone();
    live_truth.merge(&own_truth[1]);
    check_truth(
        &after_stop["current_5m"],
        &live_truth,
        "after a replica stopped",
    );

    // A stalled engine: 504 within the timeout, never a hang.
    engine.freeze();
    let (status, body, took) = replicas[0].admin("/fleet/operations").await;
    engine.thaw();
    assert_eq!(status, 504, "{body}");
    assert!(took < Duration::from_secs_f64(TIMEOUT + 1.5), "{took:?}");
    assert!(
        body["detail"].as_str().unwrap().contains("did not answer"),
        "{body}"
    );
    // A stopped engine: 502 at once; /health says how the last query went.
    engine.stop();
    for path in ["/fleet/operations", "/fleet/timeseries"] {
        let (status, body, took) = replicas[1].admin(path).await;
        assert_eq!(status, 502, "{path}: {body}");
        assert!(took < Duration::from_secs(1), "{path}: {took:?}");
        let detail = body["detail"].as_str().unwrap();
        assert!(
            detail.contains("cannot be reached") && !detail.contains(ENGINE_PASSWORD),
            "{detail}"
        );
    }
    let (_, health, _) = replicas[1].admin("/health").await;
    let fleet_health = &health["fleet"];
    assert_eq!(fleet_health["configured"], true, "{health}");
    assert_eq!(fleet_health["last_query"]["ok"], false, "{health}");
    assert_eq!(
        fleet_health["engine_url"],
        format!("http://127.0.0.1:{port}/")
    );
    assert!(!health.to_string().contains(ENGINE_PASSWORD));
    // Nothing of the engine's password in what the replicas logged either.
    for r in &replicas {
        assert!(!r.output.lock().contains(ENGINE_PASSWORD));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs prometheus"]
async fn fleet_view_from_prometheus() {
    scenario(Kind::Prometheus).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs victoria-metrics"]
async fn fleet_view_from_victoria_metrics() {
    scenario(Kind::VictoriaMetrics).await;
}
