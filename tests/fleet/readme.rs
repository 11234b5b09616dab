//! The fleet examples of the documentation (the `bash fleet` block of `docs/fleet.md`),
//! run verbatim with curl and jq against `serve --demo --prometheus-url` and a real
//! Prometheus scraping it.

use std::process::Command;
use std::time::{Duration, Instant};

use spacewatch::config::{DEMO_KEY, DEMO_SECRET};

use crate::support::{Engine, Kind, Replica, free_port, require};

fn fleet_examples() -> Vec<String> {
    let text = include_str!("../../docs/fleet.md");
    let mut inside = false;
    let mut out = Vec::new();
    for line in text.lines() {
        match line.trim() {
            "```bash fleet" => inside = true,
            "```" => inside = false,
            l if inside && l.starts_with("curl ") => out.push(l.to_string()),
            _ => {}
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs prometheus, curl and jq"]
async fn the_readme_fleet_examples_work_as_written() {
    require("curl");
    require("jq");
    let lines = fleet_examples();
    assert!(lines.len() >= 5, "{lines:?}");
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let r = Replica::spawn(&["--demo", "--prometheus-url", &url], &[]);
    let engine = Engine::start(Kind::Prometheus, port, std::slice::from_ref(&r.addr));
    engine.wait_up(1).await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let resp = client
            .get(format!("{}/tools/buckets", r.base))
            .header("X-Spaces-Key", DEMO_KEY)
            .header("X-Spaces-Secret", DEMO_SECRET)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    // Scraped once the engine's sum shows them.
    let deadline = Instant::now() + Duration::from_secs(30);
    while engine
        .query(r#"sum(spacewatch_window_operations{window="5m"}) == 3"#)
        .await
        .is_empty()
    {
        assert!(Instant::now() < deadline, "not scraped:\n{}", engine.log());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for line in &lines {
        let cmd = line
            .replace("http://localhost:8000", &r.base)
            .replace("curl ", "curl -sSf ");
        let out = Command::new("bash")
            .args(["-o", "pipefail", "-c", &cmd])
            .output()
            .expect("bash runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && !stdout.trim().is_empty(),
            "{line}\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if line.contains("current_5m") {
            assert!(!stdout.contains("null"), "{line}: {stdout}");
        }
        if line.contains("total_operations") {
            let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(v["total_operations"], 3, "{stdout}");
        }
        if line.contains(".replicas[]") {
            assert!(
                stdout.contains(r#""up":true"#) && stdout.contains(&r.addr),
                "{stdout}"
            );
        }
        if line.contains("/health") {
            assert!(
                stdout.contains(&format!("\"engine_url\": \"{url}/\"")),
                "{stdout}"
            );
        }
    }
}
