//! The soak in 30 seconds: the real binary (`serve --demo`) under the soak client of
//! `examples/soak` — mixed tool and gateway traffic at a fixed rate, a quarter failing
//! on purpose — and the same checks as `scripts/soak.sh`: no unexpected error, RSS growth
//! within 10 % after the warm-up, and the client's counts equal to `/metrics`,
//! `/metrics/operations` and `/logs/operations`.

use std::time::Duration;

use crate::process::serve;

#[path = "../../examples/soak/traffic.rs"]
#[allow(dead_code)]
mod traffic;
#[path = "../../examples/soak/verify.rs"]
mod verify;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_30_second_soak_counts_exactly_and_keeps_memory_flat() {
    let dir = tempfile::tempdir().unwrap();
    let server = serve(
        &["--demo"],
        dir.path(),
        &[
            ("RATE_LIMIT_RPS", "0"),
            ("MAX_STORAGE_METRICS_SAMPLES", "4096"),
        ],
    );
    let rate = 90.0;
    let cfg = traffic::Config {
        base: server.base.clone(),
        duration: Duration::from_secs(30),
        // The server (with the demo store's file I/O threads) reaches its working size
        // within about 1,200 requests — measured: RSS flat from there on at 30 and at
        // 90 requests/s, whatever the concurrency — so the warm-up sends 1,350.
        warmup: Duration::from_secs(15),
        rate,
        key: "SPACEWATCHDEMOKEY000".into(),
        secret: "spacewatch-demo-secret-key".into(),
        admin_key: None,
        pid: Some(server.child.id()),
        // Bounds the connections a latency spike on this shared machine can open.
        max_in_flight: 32,
    };
    let summary = verify::soak(cfg).await;
    let pretty = serde_json::to_string_pretty(&summary).unwrap();
    assert_eq!(summary["ok"], true, "{pretty}");
    // The verdict rests on real traffic: every request sent, a quarter injected failures.
    let sent = summary["requests"].as_u64().unwrap();
    assert!(sent as f64 >= rate * 30.0 * 0.95, "{pretty}");
    assert_eq!(summary["answered"].as_u64(), Some(sent), "{pretty}");
    assert_eq!(summary["unexpected_errors"], 0, "{pretty}");
    let injected = (0..sent)
        .filter(|n| traffic::KINDS[traffic::MIX[(*n % 20) as usize]].injected)
        .count();
    assert!(
        injected as u64 >= sent / 5,
        "a quarter of the mix fails on purpose"
    );
    assert_eq!(
        summary["injected_errors"].as_u64(),
        Some(injected as u64),
        "{pretty}"
    );
    let growth = summary["rss_kib"]["growth_percent"].as_f64().unwrap();
    assert!(growth <= verify::MAX_RSS_GROWTH_PERCENT, "{pretty}");
    for check in ["metrics", "metrics_operations", "logs_operations"] {
        assert_eq!(summary["checks"][check]["equal"], true, "{check}: {pretty}");
    }
    let (status, out) = server.stop("-TERM");
    assert!(status.success(), "{status:?}");
    let logged =
        out.matches("] STORAGE_OP: ").count() + out.matches("] STORAGE_OP_ERROR: ").count();
    assert_eq!(logged as u64, sent, "one log line per operation");
    assert!(!out.contains("panicked"), "{out}");
}
