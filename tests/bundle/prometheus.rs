//! A real Prometheus (the `prometheus` binary) scraping a real SpaceWatch with the
//! bundle's config and rules: every dashboard query returns data, and the error-rate
//! alerts fire when the error rate does.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::dashboard::{dashboard, exprs};
use crate::support::{
    SpaceWatch, failures, files, free_port, mixed_traffic, read, require, successes,
};

/// Prometheus on a free port, its config and data in a temporary directory; killed on drop.
struct Prometheus {
    child: Child,
    base: String,
    dir: TempDir,
}

impl Prometheus {
    /// Starts it with a copy of `prometheus.yml` and the rules that scrapes `target`
    /// every second and evaluates the rules every second.
    fn start(target: &str) -> Self {
        require("prometheus");
        let dir = tempfile::tempdir().unwrap();
        let config = replace(&read("prometheus.yml"), "spacewatch:8000", target);
        let config = replace(&config, "scrape_interval: 15s", "scrape_interval: 1s");
        let config = replace(
            &config,
            "evaluation_interval: 15s",
            "evaluation_interval: 1s",
        );
        std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
        // The `for:` durations are minutes in the real rules. Read as seconds here, they
        // keep their order and the rules their expressions, and an alert fires in seconds.
        let minutes = regex::Regex::new(r"for: (\d+)m").unwrap();
        let rules_dir = dir.path().join("prometheus/rules");
        std::fs::create_dir_all(&rules_dir).unwrap();
        let mut shortened = 0;
        for rules in files("prometheus/rules", ".yml") {
            let text = std::fs::read_to_string(&rules).unwrap();
            shortened += minutes.find_iter(&text).count();
            let text = minutes.replace_all(&text, "for: ${1}s");
            std::fs::write(rules_dir.join(rules.file_name().unwrap()), &*text).unwrap();
        }
        assert!(
            shortened >= 3,
            "the alerts have `for:` durations in minutes"
        );
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
        let child = Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("prometheus starts");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            dir,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("prometheus.log")).unwrap_or_default()
    }

    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Value {
        let url = url::Url::parse_with_params(&format!("{}{path}", self.base), query).unwrap();
        let resp = reqwest::get(url)
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}\n{}", self.log()));
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["status"], "success", "{path} {query:?}: {v}");
        v["data"].clone()
    }

    /// The result vector of an instant query.
    async fn query(&self, expr: &str) -> Vec<Value> {
        let data = self.get("/api/v1/query", &[("query", expr)]).await;
        data["result"].as_array().cloned().unwrap_or_default()
    }

    /// The state (`inactive`, `pending`, `firing`) of every alerting rule, by name.
    async fn alert_states(&self) -> Vec<(String, String)> {
        let data = self.get("/api/v1/rules", &[("type", "alert")]).await;
        data["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["rules"].as_array().unwrap().iter())
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap().to_string();
                (s("name"), s("state"))
            })
            .collect()
    }

    /// Waits until the query has a sample, i.e. SpaceWatch is scraped and the rules run.
    async fn wait_until(&self, expr: &str, timeout: Duration) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let r = self.query(expr).await;
            if !r.is_empty() {
                return r;
            }
            assert!(
                Instant::now() < deadline,
                "{expr}: nothing after {timeout:?}\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while reqwest::get(format!("{}/-/ready", self.base))
            .await
            .map_or(true, |r| r.status() != 200)
        {
            assert!(
                Instant::now() < deadline,
                "prometheus not ready:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.wait_until(r#"up{job="spacewatch"} == 1"#, Duration::from_secs(30))
            .await;
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `text` with `from` replaced by `to`; `from` must occur.
fn replace(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "{from:?} not found in prometheus.yml");
    text.replace(from, to)
}

/// The sample value of a vector element (NaN for "NaN").
fn value(sample: &Value) -> f64 {
    sample["value"][1].as_str().unwrap().parse().unwrap()
}

/// A dashboard expression with Grafana's variables replaced as Grafana would: the
/// interval ones by 1m (60 scrapes here), a multi-value variable by its "All" value.
fn substitute(expr: &str, d: &Value) -> String {
    let mut e = expr
        .replace("$__rate_interval", "1m")
        .replace("$__interval", "1m")
        .replace("$__range", "1m");
    for v in d["templating"]["list"].as_array().unwrap() {
        let name = v["name"].as_str().unwrap();
        let all = v["allValue"]
            .as_str()
            .unwrap_or_else(|| panic!("variable {name} has no allValue"));
        e = e
            .replace(&format!("${{{name}}}"), all)
            .replace(&format!("${name}"), all);
    }
    assert!(!e.contains('$'), "a variable left in {e}");
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs prometheus"]
async fn every_dashboard_query_returns_data_from_real_prometheus() {
    let dir = tempfile::tempdir().unwrap();
    // The assistant's panels need chats: a scripted model stands in for the agent.
    let model = crate::model::start().await;
    let env = crate::model::env(&model);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sw = SpaceWatch::demo_with(dir.path(), &env);
    let prom = Prometheus::start(&sw.addr);
    prom.ready().await;
    let sent = mixed_traffic(&sw.base).await;
    crate::model::chats(&sw.base).await;
    // Scraped once the total shows every operation sent; rates need a later scrape too.
    let total = format!("sum(spacewatch_operations_total) >= {sent}");
    prom.wait_until(&total, Duration::from_secs(30)).await;
    let d = dashboard();
    let queries = exprs(&d);
    assert!(queries.len() >= 30, "{} queries", queries.len());
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut missing = Vec::new();
    for (title, expr) in &queries {
        let promql = substitute(expr, &d);
        // Non-empty, with at least one number: not only the NaN of a 0/0 quantile.
        loop {
            let r = prom.query(&promql).await;
            if r.iter().any(|s| value(s).is_finite()) {
                break;
            }
            if Instant::now() > deadline {
                missing.push(format!("{title}: {promql} -> {r:?}"));
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    assert!(
        missing.is_empty(),
        "queries without data:\n{}",
        missing.join("\n")
    );
    // The traffic shows in the panels: the GET_OBJECT failures and the uploaded bytes.
    let errors = prom
        .query(r#"sum(increase(spacewatch_operations_total{operation="GET_OBJECT",status_class="4xx"}[5m]))"#)
        .await;
    assert!(value(&errors[0]) > 0.0, "{errors:?}");
    let up = prom.query("sum(spacewatch_s3_uploaded_bytes_total)").await;
    assert_eq!(value(&up[0]), 64.0 * 1024.0, "{up:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs prometheus"]
async fn error_rate_alerts_fire_in_real_prometheus() {
    let dir = tempfile::tempdir().unwrap();
    let sw = SpaceWatch::demo(dir.path());
    let prom = Prometheus::start(&sw.addr);
    prom.ready().await;
    let ratio = "spacewatch:operation_errors:ratio_rate5m";
    // 1 failure in 40 (2.5 %): healthy. The successes are scraped before the failure, so
    // no scrape ever sees a higher ratio.
    successes(&sw.base, 39).await;
    prom.wait_until(
        "sum(spacewatch_operations_total) >= 39",
        Duration::from_secs(30),
    )
    .await;
    failures(&sw.base, 1).await;
    let r = prom
        .wait_until(&format!("{ratio} > 0"), Duration::from_secs(30))
        .await;
    assert!(value(&r[0]) < 0.05, "{r:?}");
    // Two evaluation rounds, so the alerts have seen that ratio.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let states = prom.alert_states().await;
    assert!(states.len() >= 3, "{states:?}");
    for (name, state) in &states {
        assert_eq!(state, "inactive", "{name} with 2.5 % errors: {states:?}");
    }
    // 100 more failures: 101 in 140 (72 %), above both thresholds.
    failures(&sw.base, 100).await;
    let deadline = Instant::now() + Duration::from_secs(60);
    let state = |states: &[(String, String)], name: &str| {
        states
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.clone())
            .unwrap_or_else(|| panic!("no alert {name}"))
    };
    loop {
        let states = prom.alert_states().await;
        let degraded = state(&states, "SpaceWatchErrorRateDegraded");
        let unhealthy = state(&states, "SpaceWatchErrorRateUnhealthy");
        if degraded == "firing" && unhealthy == "firing" {
            // Fast operations and a reachable target stay quiet throughout.
            assert_eq!(state(&states, "SpaceWatchLatencyP99High"), "inactive");
            assert_eq!(state(&states, "SpaceWatchDown"), "inactive");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not firing after 60 s: {states:?}\n{}",
            prom.log()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let r = prom.query(ratio).await;
    assert!(value(&r[0]) > 0.10, "{r:?}");
    let alerts = prom.get("/api/v1/alerts", &[]).await;
    let firing: Vec<(&str, &str)> = alerts["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == "firing")
        .map(|a| {
            let l = &a["labels"];
            (
                l["alertname"].as_str().unwrap(),
                l["severity"].as_str().unwrap(),
            )
        })
        .collect();
    for expected in [
        ("SpaceWatchErrorRateDegraded", "warning"),
        ("SpaceWatchErrorRateUnhealthy", "critical"),
    ] {
        assert!(firing.contains(&expected), "{expected:?} in {firing:?}");
    }
}
