//! The health panel's "this replica / fleet" switch in Chromium: with a real Prometheus
//! scraping the server, the Fleet side shows the engine's figures (`/fleet/operations`),
//! the replica side `/health`'s, and without the admin key the fleet side says how to
//! get it.

use crate::driver::Browser;
use crate::fleet_support::{Engine, Kind, free_port};
use crate::server::{ADMIN_KEY, Options, TestServer, demo_tenant};

#[test]
#[ignore = "needs chromium and prometheus"]
fn the_fleet_switch_shows_the_engines_figures() {
    let engine_port = free_port();
    let s = TestServer::start(Options {
        refresh_sec: 1,
        admin_key: true,
        fleet_engine: Some(format!("http://127.0.0.1:{engine_port}")),
        real_clock: true,
        ..Options::default()
    });
    let target = s.base.trim_start_matches("http://").to_string();
    let engine = Engine::start(Kind::Prometheus, engine_port, &[target]);
    s.rt.block_on(engine.wait_up(1));
    // Traffic of the one replica: 6 operations, 2 of them failing (33 % → unhealthy).
    for path in [
        "/tools/buckets",
        "/tools/buckets",
        "/tools/list-all?bucket=demo-assets",
        "/tools/list-all?bucket=demo-assets",
        "/tools/list-all?bucket=no-such-bucket",
        "/tools/list-all?bucket=no-such-bucket",
    ] {
        s.get(path, demo_tenant());
    }
    s.rt.block_on(async {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let r = engine
                .query(r#"sum(spacewatch_window_operations{window="5m"})"#)
                .await;
            let n = r
                .first()
                .and_then(|v| v["value"][1].as_str())
                .unwrap_or("0");
            if n == "6" {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the engine saw {n} of 6"
            );
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    });
    let mut b = Browser::start();
    b.open(1280, 800);
    b.goto(&s.url("/"));
    b.wait("!document.getElementById('health-scope').hidden");
    assert_eq!(b.text("#m-total"), "6", "this replica, from /health");
    // Fleet without the admin key: the panel says how to get it.
    b.click("input[name=health-scope][value=fleet]");
    b.wait("document.getElementById('health-error').textContent.includes('admin key')");
    // With the key Mission Control keeps for the tab: the engine's figures.
    b.eval(&format!(
        "sessionStorage.setItem('spacewatch.admin-key', '{ADMIN_KEY}')"
    ));
    b.click("#health-refresh");
    b.wait("!document.getElementById('health-fleet').hidden && document.getElementById('health-error').hidden");
    let fleet = s.json("/fleet/operations", {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("X-API-Key", ADMIN_KEY.parse().unwrap());
        h
    });
    assert_eq!(fleet["current_5m"]["total_operations_5m"], 6, "{fleet}");
    assert_eq!(b.text("#m-total"), "6", "the fleet, from the engine");
    assert!(b.text("#health-fleet").contains("1 of 1 replicas up"));
    assert_eq!(
        b.eval("document.getElementById('health-status').dataset.status"),
        "unhealthy"
    );
    assert_eq!(
        b.eval("document.getElementById('health').dataset.scope"),
        "fleet"
    );
    b.screenshot("dashboard-fleet-1280x800");
    b.log().assert_clean(&s.base, &[401]);
}
