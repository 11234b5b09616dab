//! `promtool` on the bundle's Prometheus files and on a live scrape.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{SpaceWatch, files, mixed_traffic, repo, require, run};

/// Names after `- alert:` in every rule file.
pub fn alert_names() -> Vec<String> {
    files("prometheus/rules", ".yml")
        .iter()
        .flat_map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.lines()
                .filter_map(|l| l.trim().strip_prefix("- alert:"))
                .map(|n| n.trim().to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
#[ignore = "needs prometheus (promtool)"]
fn promtool_accepts_the_config_and_every_rule_file() {
    require("promtool");
    let rules = files("prometheus/rules", ".yml");
    assert!(rules.len() >= 2, "recording and alert rules: {rules:?}");
    let (ok, out, err) = run(Command::new("promtool")
        .args(["check", "config", "prometheus.yml"])
        .current_dir(repo("")));
    assert!(ok, "{out}{err}");
    // The config's rule_files glob is relative to it: promtool must have found them all.
    for r in &rules {
        let rel = r
            .strip_prefix(repo(""))
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(
            out.contains(&format!("Checking {rel}")),
            "{rel} not loaded:\n{out}"
        );
    }
    assert!(
        out.contains(&format!("SUCCESS: {} rule files found", rules.len())),
        "{out}"
    );
    for r in &rules {
        let (ok, out, err) = run(Command::new("promtool").args(["check", "rules"]).arg(r));
        assert!(ok && out.contains("SUCCESS"), "{}: {out}{err}", r.display());
    }
    // SPEC §13: error rate 5 % and 10 %, and p99 latency.
    let names = alert_names();
    for a in [
        "SpaceWatchErrorRateDegraded",
        "SpaceWatchErrorRateUnhealthy",
        "SpaceWatchLatencyP99High",
    ] {
        assert!(names.iter().any(|n| n == a), "{a} in {names:?}");
    }
}

#[test]
#[ignore = "needs prometheus (promtool)"]
fn rule_unit_tests_pass_and_cover_every_alert() {
    require("promtool");
    let tests = files("prometheus/tests", ".yml");
    assert!(!tests.is_empty(), "no rule unit tests in prometheus/tests");
    let (ok, out, err) = run(Command::new("promtool")
        .args(["test", "rules"])
        .args(&tests)
        .current_dir(repo("")));
    assert!(ok, "{out}{err}");
    assert_eq!(out.matches("SUCCESS").count(), tests.len(), "{out}");
    let text: String = tests
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    for alert in alert_names() {
        // Each alert has a case where it fires (exp_labels follows) and one where it doesn't.
        let firing = format!("alertname: {alert}\n        exp_alerts:\n          - exp_labels:");
        let quiet = format!("alertname: {alert}\n        exp_alerts: []");
        assert!(text.contains(&firing), "no test where {alert} fires");
        assert!(text.contains(&quiet), "no test where {alert} stays quiet");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs prometheus (promtool)"]
async fn a_live_scrape_after_traffic_passes_promtool_check_metrics() {
    require("promtool");
    let dir = tempfile::tempdir().unwrap();
    let sw = SpaceWatch::demo(dir.path());
    let sent = mixed_traffic(&sw.base).await;
    let scrape = sw.metrics().await;
    // The traffic is in the scrape, so its histograms and labelled series are linted too.
    let recorded: f64 = scrape
        .lines()
        .filter(|l| l.starts_with("spacewatch_operations_total{"))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert_eq!(recorded, sent as f64, "{scrape}");
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(scrape.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    // Exit 3 with lint problems on stderr, 1 on a parse error.
    assert!(out.status.success(), "{:?}: {report}", out.status);
    assert_eq!(report.trim(), "", "promtool check metrics reported");
}
