//! The soak run and its verdict: what SpaceWatch says it saw — `/metrics`
//! (`spacewatch_operations_total` by operation and status class), `/metrics/operations`
//! (the 24 h window's per-type counts and errors, the total since start) and
//! `/logs/operations` (every entry, by request id) — against what the client counted;
//! the server's RSS from the end of the warm-up to the end; and no error that was not
//! injected.
//!
//! `/logs/operations` answers at most 1,000 entries, newest first, so it is read once a
//! second during the run and the entries are gathered by request id: each poll must
//! overlap the one before (a full page of unseen entries is reported as a possible gap).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::{Value, json};

use super::traffic::{self, Config, Tally};

/// RSS may grow at most this much from the end of the warm-up to the end.
pub const MAX_RSS_GROWTH_PERCENT: f64 = 10.0;

/// Longest page of `/logs/operations`.
const LOG_PAGE: usize = 1000;

/// The server's own figures at one moment.
#[derive(Debug, Default)]
struct Figures {
    /// (operation, status class) → `spacewatch_operations_total`.
    prom: BTreeMap<(String, String), u64>,
    /// operation → (request_count, error_count) of the 24 h window.
    breakdown: BTreeMap<String, (u64, u64)>,
    total: u64,
}

fn admin(req: reqwest::RequestBuilder, cfg: &Config) -> reqwest::RequestBuilder {
    match &cfg.admin_key {
        Some(k) => req.header("X-API-Key", k),
        None => req,
    }
}

async fn get_json(http: &reqwest::Client, cfg: &Config, path: &str) -> Result<Value, String> {
    let resp = admin(http.get(format!("{}{path}", cfg.base)), cfg)
        .send()
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("{path}: {}", resp.status()));
    }
    resp.json().await.map_err(|e| format!("{path}: {e}"))
}

async fn figures(http: &reqwest::Client, cfg: &Config) -> Result<Figures, String> {
    let text = http
        .get(format!("{}/metrics", cfg.base))
        .send()
        .await
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("/metrics: {e}"))?
        .text()
        .await
        .map_err(|e| format!("/metrics: {e}"))?;
    let mut f = Figures::default();
    let label = |l: &str, name: &str| -> Option<String> {
        let start = l.find(&format!("{name}=\""))? + name.len() + 2;
        Some(l[start..start + l[start..].find('"')?].to_string())
    };
    for l in text
        .lines()
        .filter(|l| l.starts_with("spacewatch_operations_total{"))
    {
        let (op, class) = (label(l, "operation"), label(l, "status_class"));
        let value = l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok());
        if let (Some(op), Some(class), Some(v)) = (op, class, value) {
            f.prom.insert((op, class), v as u64);
        }
    }
    let ops = get_json(http, cfg, "/metrics/operations").await?;
    let breakdown = ops["trends"]["window_24h"]["operation_breakdown"].as_object();
    for (op, v) in breakdown.into_iter().flatten() {
        let n = |k: &str| v[k].as_u64().unwrap_or(0);
        f.breakdown
            .insert(op.clone(), (n("request_count"), n("error_count")));
    }
    f.total = ops["total_operations_since_start"].as_u64().unwrap_or(0);
    Ok(f)
}

/// Entries of `/logs/operations` gathered by request id, and polls that may have missed
/// some.
#[derive(Debug, Default)]
struct Gathered {
    entries: BTreeMap<String, (String, u16)>,
    gaps: u64,
    failed_polls: u64,
}

async fn poll_logs(http: &reqwest::Client, cfg: &Config, prefix: &str, g: &Mutex<Gathered>) {
    let path = format!("/logs/operations?limit={LOG_PAGE}");
    let Ok(v) = get_json(http, cfg, &path).await else {
        g.lock().failed_polls += 1;
        return;
    };
    let logs = v["logs"].as_array().cloned().unwrap_or_default();
    let mut g = g.lock();
    let mut oldest_was_new = false;
    for e in &logs {
        let Some(id) = e["request_id"].as_str().filter(|id| id.starts_with(prefix)) else {
            continue;
        };
        let op = e["operation_type"].as_str().unwrap_or_default().to_string();
        let status = e["status_code"].as_u64().unwrap_or(0) as u16;
        oldest_was_new = g.entries.insert(id.to_string(), (op, status)).is_none();
    }
    if logs.len() == LOG_PAGE && oldest_was_new {
        g.gaps += 1;
    }
}

/// Runs the soak and returns its summary (`"ok"` says whether every check held).
pub async fn soak(cfg: Config) -> Value {
    let cfg = Arc::new(cfg);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(cfg.max_in_flight)
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client");
    let run_id = format!("{:x}", std::process::id() as u64 * 1_000_003 + rand_seed());
    let prefix = format!("soak-{run_id}-");
    let mut problems = Vec::new();
    let before = match figures(&http, &cfg).await {
        Ok(f) => f,
        Err(e) => return json!({ "ok": false, "problems": [e] }),
    };
    let started = Instant::now();
    let gathered = Arc::new(Mutex::new(Gathered::default()));
    let poller = {
        let (http, cfg, prefix, g) = (http.clone(), cfg.clone(), prefix.clone(), gathered.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                poll_logs(&http, &cfg, &prefix, &g).await;
            }
        })
    };
    let rss = cfg.pid.map(|pid| traffic::sample_rss(pid, started));
    let (tally, rate) = traffic::run(&cfg, &http, &run_id).await;
    // Streamed answers are recorded as their bodies end: give the last ones a moment.
    tokio::time::sleep(Duration::from_secs(1)).await;
    poller.abort();
    poll_logs(&http, &cfg, &prefix, &gathered).await;
    let rss = rss.map(|(samples, task)| {
        task.abort();
        let s = samples.lock().clone();
        rss_summary(&s, cfg.warmup.as_secs_f64(), &mut problems)
    });
    let after = figures(&http, &cfg).await.unwrap_or_else(|e| {
        problems.push(e);
        Figures::default()
    });
    let gathered = std::mem::take(&mut *gathered.lock());
    let checks = json!({
        "metrics": compare_prom(&tally, &before, &after, &mut problems),
        "metrics_operations": compare_breakdown(&tally, &before, &after, &mut problems),
        "logs_operations": compare_logs(&tally, &gathered, &mut problems),
    });
    if tally.unexpected > 0 {
        problems.push(format!(
            "{} errors that were not injected",
            tally.unexpected
        ));
    }
    if tally.injected_errors == 0 {
        problems.push("no injected error was answered as expected".into());
    }
    if rate < cfg.rate * 0.9 {
        problems.push(format!("rate {rate:.1}/s below the {}/s asked", cfg.rate));
    }
    summary(&cfg, &tally, rate, rss, checks, problems)
}

/// Not cryptographic: only keeps two runs against one server apart.
fn rand_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn summary(
    cfg: &Config,
    t: &Tally,
    rate: f64,
    rss: Option<Value>,
    checks: Value,
    problems: Vec<String>,
) -> Value {
    let by_op: BTreeMap<String, BTreeMap<String, u64>> =
        t.by_op
            .iter()
            .fold(BTreeMap::new(), |mut m, ((op, status), n)| {
                m.entry(op.clone())
                    .or_default()
                    .insert(status.to_string(), *n);
                m
            });
    let by_kind: BTreeMap<&str, Value> = t
        .by_kind
        .iter()
        .map(|(k, (sent, ok))| (*k, json!({ "sent": sent, "as_expected": ok })))
        .collect();
    json!({
        "ok": problems.is_empty(),
        "duration_s": cfg.duration.as_secs_f64(),
        "warmup_s": cfg.warmup.as_secs_f64(),
        "rate_asked": cfg.rate,
        "rate_achieved": (rate * 10.0).round() / 10.0,
        "requests": t.sent,
        "answered": t.answers.len(),
        "injected_errors": t.injected_errors,
        "unexpected_errors": t.unexpected,
        "unexpected_examples": t.unexpected_examples,
        "by_operation": by_op,
        "by_kind": by_kind,
        "rss_kib": rss,
        "checks": checks,
        "problems": problems,
    })
}

fn rss_summary(samples: &[(f64, u64)], warmup: f64, problems: &mut Vec<String>) -> Value {
    let Some(&(_, warm)) = samples.iter().find(|(t, _)| *t >= warmup) else {
        problems.push("no RSS sample after the warm-up".into());
        return Value::Null;
    };
    let after: Vec<u64> = samples
        .iter()
        .filter(|(t, _)| *t >= warmup)
        .map(|s| s.1)
        .collect();
    let end = *after.last().unwrap_or(&warm);
    let max = after.iter().copied().max().unwrap_or(warm);
    let growth = (end as f64 - warm as f64) / warm as f64 * 100.0;
    if growth > MAX_RSS_GROWTH_PERCENT {
        problems.push(format!(
            "RSS grew {growth:.1} % after the warm-up ({warm} -> {end} KiB)"
        ));
    }
    json!({
        "start": samples.first().map(|s| s.1),
        "warmup": warm,
        "end": end,
        "max_after_warmup": max,
        "growth_percent": (growth * 100.0).round() / 100.0,
        "samples": samples.len(),
        // Every 30th sample: how it got there.
        "curve": samples.iter().step_by(30).map(|(t, kib)| json!([t.round(), kib])).collect::<Vec<_>>(),
    })
}

fn class(status: u16) -> &'static str {
    match status {
        0..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// `/metrics`: every (operation, status class) series moved by exactly the client's count.
fn compare_prom(t: &Tally, before: &Figures, after: &Figures, problems: &mut Vec<String>) -> Value {
    let mut client: BTreeMap<(String, String), u64> = BTreeMap::new();
    for ((op, status), n) in &t.by_op {
        *client
            .entry((op.clone(), class(*status).into()))
            .or_default() += n;
    }
    let mut mismatches = Vec::new();
    for (series, now) in &after.prom {
        let moved = now.saturating_sub(before.prom.get(series).copied().unwrap_or(0));
        let sent = client.get(series).copied().unwrap_or(0);
        if moved != sent {
            mismatches.push(format!(
                "{} {}: client {sent}, /metrics {moved}",
                series.0, series.1
            ));
        }
    }
    if after.prom.is_empty() {
        mismatches.push("no spacewatch_operations_total series".into());
    }
    verdict("/metrics", mismatches, client.len(), problems)
}

/// `/metrics/operations`: per type, requests and errors moved by the client's counts.
fn compare_breakdown(
    t: &Tally,
    before: &Figures,
    after: &Figures,
    problems: &mut Vec<String>,
) -> Value {
    let mut client: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for ((op, status), n) in &t.by_op {
        let e = client.entry(op.clone()).or_default();
        e.0 += n;
        if *status >= 400 {
            e.1 += n;
        }
    }
    let mut mismatches = Vec::new();
    let ops: std::collections::BTreeSet<&String> =
        client.keys().chain(after.breakdown.keys()).collect();
    for op in ops {
        let (b, a) = (
            before.breakdown.get(op).copied().unwrap_or_default(),
            after.breakdown.get(op).copied().unwrap_or_default(),
        );
        let moved = (a.0.saturating_sub(b.0), a.1.saturating_sub(b.1));
        let sent = client.get(op).copied().unwrap_or_default();
        if moved != sent {
            mismatches.push(format!(
                "{op}: client (requests, errors) {sent:?}, /metrics/operations {moved:?}"
            ));
        }
    }
    let total = after.total.saturating_sub(before.total);
    if total != t.answers.len() as u64 {
        mismatches.push(format!(
            "total_operations_since_start moved {total}, client {}",
            t.answers.len()
        ));
    }
    verdict("/metrics/operations", mismatches, client.len(), problems)
}

/// `/logs/operations`: the same requests, each once, with the same type and status.
fn compare_logs(t: &Tally, g: &Gathered, problems: &mut Vec<String>) -> Value {
    let mut mismatches = Vec::new();
    let missing = t
        .answers
        .keys()
        .filter(|id| !g.entries.contains_key(*id))
        .count();
    let extra = g
        .entries
        .keys()
        .filter(|id| !t.answers.contains_key(*id))
        .count();
    let differ = t
        .answers
        .iter()
        .filter(|(id, a)| g.entries.get(*id).is_some_and(|e| e != *a))
        .count();
    for (what, n) in [
        ("missing from", missing),
        ("not sent but in", extra),
        ("different in", differ),
    ] {
        if n > 0 {
            mismatches.push(format!("{n} requests {what} /logs/operations"));
        }
    }
    if g.gaps > 0 || g.failed_polls > 0 {
        mismatches.push(format!(
            "{} possible gaps, {} failed polls",
            g.gaps, g.failed_polls
        ));
    }
    let mut by_op: BTreeMap<(String, u16), u64> = BTreeMap::new();
    for v in g.entries.values() {
        *by_op.entry(v.clone()).or_default() += 1;
    }
    if by_op != t.by_op {
        mismatches.push("per (type, status) counts differ".into());
    }
    verdict("/logs/operations", mismatches, g.entries.len(), problems)
}

fn verdict(
    what: &str,
    mismatches: Vec<String>,
    compared: usize,
    problems: &mut Vec<String>,
) -> Value {
    let equal = mismatches.is_empty();
    problems.extend(mismatches.iter().map(|m| format!("{what}: {m}")));
    json!({ "equal": equal, "compared": compared, "mismatches": mismatches })
}
