//! Each endpoint's answer against the truth of the fixture.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::header::HeaderMap;
use serde_json::Value;

use super::fixture::{Obj, Req, date, quantile};
use crate::support::{Server, metric_sum, parse_metrics};

pub struct Ctx<'a> {
    pub s: &'a Server,
    pub h: HeaderMap,
    pub objs: &'a [Obj],
    pub truth: &'a [Req],
    pub current_hour: i64,
}

impl Ctx<'_> {
    pub async fn get(&self, path: &str) -> Value {
        let r = self.s.get(path, self.h.clone()).await;
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    pub async fn post(&self, path: &str) -> Value {
        let r = self
            .s
            .http
            .post(self.s.url(path))
            .headers(self.h.clone())
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    fn alpha(&self) -> impl Iterator<Item = &Req> {
        self.truth.iter().filter(|r| r.bucket == "alpha")
    }
}

fn class(s: u16) -> &'static str {
    match s {
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

pub async fn files_newest_first(c: &Ctx<'_>) {
    let v = c.get("/logs/access/files").await;
    assert_eq!(v["count"], c.objs.len());
    let mut want: Vec<&Obj> = c.objs.iter().collect();
    want.sort_by_key(|o| std::cmp::Reverse(o.delivered));
    let got: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    let want: Vec<&str> = want.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(got, want);
    let big = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["too_large"] == true)
        .unwrap();
    assert!(big["key"].as_str().unwrap().ends_with("FFFFFFFFFFFFFFFF"));
}

pub async fn reads_page_and_refuse_the_oversized(c: &Ctx<'_>) {
    for o in c.objs.iter().filter(|o| !o.over_cap).take(2) {
        let v = c
            .get(&format!("/logs/access/read?key={}&limit=1000", o.key))
            .await;
        assert_eq!(v["total_lines"], o.lines, "{}", o.key);
        assert_eq!(v["malformed_lines"], o.malformed, "{}", o.key);
        let lines = v["lines"].as_array().unwrap();
        assert_eq!(lines.len() as u64, o.lines);
        let mine: Vec<&Req> = c.truth.iter().filter(|r| r.object == o.key).collect();
        let parsed: Vec<&Value> = lines.iter().filter(|l| l.get("error").is_none()).collect();
        assert_eq!(parsed.len(), mine.len());
        for (l, r) in parsed.iter().zip(&mine) {
            assert_eq!(l["key"].as_str(), r.key, "decoded key");
            assert_eq!(l["user_agent"], r.ua, "unescaped user agent");
            assert_eq!(l["status"], r.status);
            assert_eq!(l["remote_ip"], r.ip);
        }
        let page = c
            .get(&format!("/logs/access/read?key={}&offset=5&limit=3", o.key))
            .await;
        assert_eq!(page["returned"], 3);
        assert_eq!(page["lines"][0]["line"], 6);
    }
    let big = c.objs.iter().find(|o| o.over_cap).unwrap();
    let r =
        c.s.get(&format!("/logs/access/read?key={}", big.key), c.h.clone())
            .await;
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await.unwrap();
    assert!(v["detail"].as_str().unwrap().contains("MAX_LOG_BYTES"));
}

/// The request metrics of `reqs` as the endpoint should answer them.
fn expect_metrics(reqs: &[&Req], m: &Value) {
    assert_eq!(m["requests_total"], reqs.len());
    assert_eq!(m["bytes_sent"], reqs.iter().map(|r| r.sent).sum::<u64>());
    let mut classes: BTreeMap<&str, u64> = BTreeMap::new();
    let mut methods: BTreeMap<&str, u64> = BTreeMap::new();
    for r in reqs {
        *classes.entry(class(r.status)).or_default() += 1;
        *methods.entry(r.method).or_default() += 1;
    }
    for (k, n) in &classes {
        assert_eq!(m["by_status_class"][k], *n, "class {k}");
    }
    for (k, n) in &methods {
        assert_eq!(m["by_method"][k], *n, "method {k}");
    }
    let ips: BTreeSet<&str> = reqs.iter().map(|r| r.ip).collect();
    assert_eq!(m["unique_ips"], ips.len());
    let total: Vec<u64> = reqs.iter().filter_map(|r| r.total).collect();
    let turn: Vec<u64> = reqs.iter().filter_map(|r| r.turn).collect();
    for (q, name) in [(0.5, "p50"), (0.95, "p95"), (0.99, "p99")] {
        assert_eq!(
            m["total_time_ms"][name].as_u64(),
            quantile(total.clone(), q),
            "total {name}"
        );
        assert_eq!(
            m["turn_around_ms"][name].as_u64(),
            quantile(turn.clone(), q),
            "turn {name}"
        );
    }
    assert_eq!(m["total_time_ms"]["count"], total.len());
}

pub async fn request_metrics_are_exact(c: &Ctx<'_>) {
    let v = c
        .get("/logs/access/request-metrics?source_bucket=alpha")
        .await;
    let all: Vec<&Req> = c.alpha().collect();
    expect_metrics(&all, &v["metrics"]);
    let cov = &v["coverage"];
    assert_eq!(cov["objects_skipped"], 1, "the object over the cap");
    let malformed: u64 = c
        .objs
        .iter()
        .filter(|o| !o.over_cap)
        .map(|o| o.malformed)
        .sum();
    assert_eq!(cov["malformed_lines"], malformed);
    // The last 6 whole hours.
    let since = c.current_hour - 5 * 3600;
    let v = c
        .get("/logs/access/request-metrics?source_bucket=alpha&hours=6")
        .await;
    let recent: Vec<&Req> = c.alpha().filter(|r| r.t >= since).collect();
    assert!(!recent.is_empty() && recent.len() < all.len());
    expect_metrics(&recent, &v["metrics"]);
    // Every source together.
    let v = c.get("/logs/access/request-metrics").await;
    assert_eq!(v["metrics"]["requests_total"], c.truth.len());
}

pub async fn top_ips_of_a_day(c: &Ctx<'_>) -> String {
    let day = date(c.truth[0].t + 3600);
    let v = c
        .get(&format!(
            "/metrics/top-ips?source_bucket=alpha&date={day}&limit=100"
        ))
        .await;
    let mut want: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for r in c.alpha().filter(|r| date(r.t) == day) {
        let e = want.entry(r.ip).or_default();
        e.0 += 1;
        e.1 += r.sent;
        e.2 += u64::from(r.status >= 400);
    }
    let got: BTreeMap<&str, (u64, u64, u64)> = v["top_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let n = |k: &str| t[k].as_u64().unwrap();
            (
                t["ip"].as_str().unwrap(),
                (n("requests"), n("bytes"), n("errors")),
            )
        })
        .collect();
    assert_eq!(got, want, "top IPs of {day}");
    let order: Vec<u64> = v["top_ips"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["requests"].as_u64().unwrap())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] >= w[1]),
        "busiest first: {order:?}"
    );
    let two = c
        .get(&format!(
            "/metrics/top-ips?source_bucket=alpha&date={day}&limit=2"
        ))
        .await;
    assert_eq!(two["top_ips"].as_array().unwrap().len(), 2.min(want.len()));
    assert_eq!(two["top_ips"][0]["requests"], order[0]);
    day
}

pub async fn search_is_newest_first_and_counts_everything(c: &Ctx<'_>) {
    type Case = (&'static str, Box<dyn Fn(&Req) -> bool>);
    let cases: Vec<Case> = vec![
        ("status_prefix=4", Box::new(|r: &Req| r.status / 100 == 4)),
        ("status_prefix=50", Box::new(|r: &Req| r.status / 10 == 50)),
        (
            "method=put&object_key=release",
            Box::new(|r: &Req| r.method == "PUT" && r.key.is_some_and(|k| k.contains("release"))),
        ),
        ("ip=2001:db8::5", Box::new(|r: &Req| r.ip == "2001:db8::5")),
        (
            "contains=rclone",
            Box::new(|r: &Req| r.ua.contains("rclone")),
        ),
        (
            "object_key=caf%C3%A9",
            Box::new(|r: &Req| r.key.is_some_and(|k| k.contains("café"))),
        ),
    ];
    for (q, f) in cases {
        let v = c
            .get(&format!(
                "/logs/access/search?source_bucket=alpha&{q}&limit=5"
            ))
            .await;
        let mut want: Vec<i64> = c.alpha().filter(|r| f(r)).map(|r| r.t).collect();
        assert_eq!(v["count"], want.len(), "{q}");
        assert_eq!(v["truncated"], want.len() > 5, "{q}");
        want.sort_unstable_by(|a, b| b.cmp(a));
        want.truncate(5);
        let got: Vec<i64> = v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                chrono::DateTime::parse_from_rfc3339(r["time"].as_str().unwrap())
                    .unwrap()
                    .timestamp()
            })
            .collect();
        assert_eq!(got, want, "{q}: newest first");
    }
    let r =
        c.s.get("/logs/access/search?status_prefix=4x", c.h.clone())
            .await;
    assert_eq!(r.status(), 400);
}

pub async fn an_object_audit_is_its_whole_history(c: &Ctx<'_>) {
    let key = "docs/release notes.txt";
    let v = c
        .get("/logs/access/object-audit?source_bucket=alpha&object_key=docs/release%20notes.txt&methods=PUT,DELETE,GET")
        .await;
    let want: Vec<(i64, &str, &str, u64)> = c
        .alpha()
        .filter(|r| r.key == Some(key) && matches!(r.method, "PUT" | "DELETE" | "GET"))
        .map(|r| (r.t, r.op, r.ip, u64::from(r.status)))
        .collect();
    let got: Vec<(i64, &str, &str, u64)> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                chrono::DateTime::parse_from_rfc3339(e["time"].as_str().unwrap())
                    .unwrap()
                    .timestamp(),
                e["operation"].as_str().unwrap(),
                e["remote_ip"].as_str().unwrap(),
                e["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got, want, "oldest first");
    assert_eq!(v["count"], want.len());
}

fn prefix(key: &str, depth: usize) -> String {
    let dirs: Vec<&str> = key.split('/').collect();
    let n = (dirs.len() - 1).min(depth);
    dirs[..n].iter().map(|d| format!("{d}/")).collect()
}

pub async fn hot_prefixes_add_up(c: &Ctx<'_>) {
    for depth in [1, 2] {
        let v = c
            .get(&format!(
                "/logs/access/hot-prefixes?source_bucket=alpha&depth={depth}&limit=100"
            ))
            .await;
        let mut want: BTreeMap<String, (u64, u64, u64, u64)> = BTreeMap::new();
        for r in c.alpha() {
            let Some(k) = r.key else { continue };
            let e = want.entry(prefix(k, depth)).or_default();
            e.0 += 1;
            e.1 += u64::from(r.status / 100 == 4);
            e.2 += u64::from(r.status / 100 == 5);
            e.3 += u64::from(r.status == 503 || r.err == Some("SlowDown"));
        }
        let got: BTreeMap<String, (u64, u64, u64, u64)> = v["by_requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let n = |k: &str| p[k].as_u64().unwrap();
                (
                    p["prefix"].as_str().unwrap().to_string(),
                    (
                        n("requests"),
                        n("errors_4xx"),
                        n("errors_5xx"),
                        n("slowdowns"),
                    ),
                )
            })
            .collect();
        assert_eq!(got, want, "depth {depth}");
        let slow: Vec<u64> = v["by_slowdowns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slowdowns"].as_u64().unwrap())
            .collect();
        assert!(slow.iter().all(|n| *n > 0) && slow.windows(2).all(|w| w[0] >= w[1]));
    }
}

fn log_op(op: &str) -> &'static str {
    match op {
        "REST.GET.OBJECT" => "GetObject",
        "REST.PUT.OBJECT" => "PutObject",
        "REST.HEAD.OBJECT" => "HeadObject",
        "REST.DELETE.OBJECT" => "DeleteObject",
        "REST.GET.BUCKET" => "ListObjects",
        _ => "Other",
    }
}

/// The log-derived families equal the truth: every object counted exactly once.
pub async fn prometheus_counts_each_object_once(c: &Ctx<'_>) -> String {
    let text =
        c.s.get("/metrics", HeaderMap::new())
            .await
            .text()
            .await
            .unwrap();
    let s = parse_metrics(&text);
    for bucket in ["alpha", "beta"] {
        let mine: Vec<&Req> = c.truth.iter().filter(|r| r.bucket == bucket).collect();
        let mut want: BTreeMap<(&str, &str), u64> = BTreeMap::new();
        for r in &mine {
            *want.entry((log_op(r.op), class(r.status))).or_default() += 1;
        }
        for ((op, cls), n) in &want {
            let got = metric_sum(
                &s,
                "spacewatch_access_log_requests_total",
                &[("bucket", bucket), ("operation", op), ("status_class", cls)],
            );
            assert_eq!(got as u64, *n, "{bucket} {op} {cls}");
        }
        let all = metric_sum(
            &s,
            "spacewatch_access_log_requests_total",
            &[("bucket", bucket)],
        );
        assert_eq!(all as u64, mine.len() as u64, "{bucket}");
        let sent = metric_sum(
            &s,
            "spacewatch_access_log_sent_bytes_total",
            &[("bucket", bucket)],
        );
        assert_eq!(sent as u64, mine.iter().map(|r| r.sent).sum::<u64>());
        let timed = metric_sum(
            &s,
            "spacewatch_access_log_total_time_seconds_count",
            &[("bucket", bucket)],
        );
        assert_eq!(
            timed as u64,
            mine.iter().filter(|r| r.total.is_some()).count() as u64
        );
    }
    let objects = metric_sum(&s, "spacewatch_access_log_objects_total", &[]);
    assert_eq!(
        objects as usize,
        c.objs.len() - 1,
        "every object but the oversized one"
    );
    let malformed = metric_sum(
        &s,
        "spacewatch_access_log_lines_total",
        &[("result", "malformed")],
    );
    assert_eq!(
        malformed as u64,
        c.objs
            .iter()
            .filter(|o| !o.over_cap)
            .map(|o| o.malformed)
            .sum::<u64>()
    );
    text.lines()
        .filter(|l| l.starts_with("spacewatch_access_log"))
        .collect::<Vec<_>>()
        .join("\n")
}
