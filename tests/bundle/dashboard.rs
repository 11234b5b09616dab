//! The Grafana dashboard and its provisioning: sound structure, every datasource the
//! provisioned one, health panels that use the health indicator's thresholds, and every
//! metric the dashboard and the rules query exported by SpaceWatch.

use std::collections::{BTreeSet, HashSet};

use serde_json::Value;

use crate::support::{SpaceWatch, files, mixed_traffic, read};

pub const DASHBOARD: &str = "grafana/dashboards/spacewatch.json";

pub fn dashboard() -> Value {
    serde_json::from_str(&read(DASHBOARD)).expect("the dashboard is JSON")
}

/// Every panel, the ones nested in collapsed rows included.
pub fn panels(d: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for p in d["panels"].as_array().expect("panels") {
        out.push(p);
        if let Some(nested) = p["panels"].as_array() {
            out.extend(nested);
        }
    }
    out
}

/// Rows and text panels lay the dashboard out and query nothing.
fn is_layout(p: &Value) -> bool {
    matches!(p["type"].as_str(), Some("row" | "text"))
}

/// (panel title, expr) of every target of every panel.
pub fn exprs(d: &Value) -> Vec<(String, String)> {
    panels(d)
        .into_iter()
        .flat_map(|p| {
            let title = p["title"].as_str().unwrap_or("").to_string();
            p["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |t| (title.clone(), t["expr"].as_str().unwrap_or("").to_string()))
        })
        .collect()
}

/// The value of every `key:` line of a YAML text (enough for the flat provisioning files,
/// without a YAML parser).
fn yaml_values(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().trim_matches(['"', '\'']).to_string())
        .collect()
}

/// The uid of the one provisioned datasource.
pub fn provisioned_uid() -> String {
    let sources = files("grafana/provisioning/datasources", ".yml");
    assert_eq!(sources.len(), 1, "{sources:?}");
    let text = std::fs::read_to_string(&sources[0]).unwrap();
    assert_eq!(yaml_values(&text, "type"), ["prometheus"], "{text}");
    assert_eq!(
        yaml_values(&text, "url"),
        ["http://prometheus:9090"],
        "{text}"
    );
    let uids = yaml_values(&text, "uid");
    assert_eq!(uids.len(), 1, "{text}");
    uids[0].clone()
}

#[test]
fn panel_ids_and_uids_are_unique_and_every_panel_has_a_query() {
    let d = dashboard();
    assert!(!d["uid"].as_str().unwrap_or("").is_empty(), "dashboard uid");
    assert!(d["schemaVersion"].as_u64().unwrap() >= 39);
    let all = panels(&d);
    let mut ids = HashSet::new();
    let mut uids = HashSet::from([d["uid"].as_str().unwrap().to_string()]);
    let mut queried = 0;
    for p in &all {
        let title = p["title"].as_str().unwrap_or("");
        let id = p["id"].as_u64().unwrap_or_else(|| panic!("{title}: no id"));
        assert!(ids.insert(id), "panel id {id} ({title}) repeated");
        if let Some(uid) = p["uid"].as_str() {
            assert!(uids.insert(uid.to_string()), "uid {uid} ({title}) repeated");
        }
        let g = &p["gridPos"];
        let (x, w) = (g["x"].as_u64().unwrap(), g["w"].as_u64().unwrap());
        assert!(
            x + w <= 24 && w > 0 && g["h"].as_u64().unwrap() > 0,
            "{title}: {g}"
        );
        if is_layout(p) {
            continue;
        }
        let targets = p["targets"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        assert!(!targets.is_empty(), "{title}: no target");
        let mut refs = HashSet::new();
        for t in targets {
            assert!(
                !t["expr"].as_str().unwrap_or("").trim().is_empty(),
                "{title}: a target without expr: {t}"
            );
            assert!(
                refs.insert(t["refId"].as_str().unwrap()),
                "{title}: refId repeated"
            );
        }
        queried += 1;
    }
    // The health row (6 stats, the breakdown, 5 charts), 6 S3 charts, OTel and process.
    assert!(queried >= 20, "only {queried} panels with queries");
}

#[test]
fn every_datasource_reference_is_the_provisioned_prometheus() {
    fn walk<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    if k == "datasource" {
                        out.push(v);
                    }
                    walk(v, out);
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let uid = provisioned_uid();
    let d = dashboard();
    let mut refs = Vec::new();
    walk(&d, &mut refs);
    let targets = exprs(&d).len();
    // Each panel, each target and the bucket variable name their datasource.
    assert!(
        refs.len() > targets,
        "{} references, {targets} targets",
        refs.len()
    );
    for r in refs {
        assert_eq!(r["type"], "prometheus", "{r}");
        assert_eq!(r["uid"].as_str(), Some(uid.as_str()), "{r}");
    }
}

#[test]
fn the_health_panels_use_the_health_indicator_thresholds() {
    let d = dashboard();
    let all = panels(&d);
    let by_title = |t: &str| {
        *all.iter()
            .find(|p| p["title"] == t)
            .unwrap_or_else(|| panic!("no panel {t:?}"))
    };
    assert_eq!(by_title("Storage Operations Health")["type"], "row");
    for title in ["Error rate (5 min)", "Health"] {
        let p = by_title(title);
        assert_eq!(p["type"], "stat");
        let steps: Vec<(Option<f64>, &str)> = p["fieldConfig"]["defaults"]["thresholds"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["value"].as_f64(), s["color"].as_str().unwrap()))
            .collect();
        assert_eq!(
            steps,
            [(None, "green"), (Some(5.0), "yellow"), (Some(10.0), "red")],
            "{title}"
        );
        let expr = p["targets"][0]["expr"].as_str().unwrap();
        assert!(
            expr.contains(r#"status_class=~"4xx|5xx""#) && expr.contains("[5m]"),
            "{expr}"
        );
    }
    let texts: Vec<&str> = by_title("Health")["fieldConfig"]["defaults"]["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["options"]["result"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["🟢 Healthy", "🟡 Degraded", "🔴 Unhealthy"]);
    let otel = exprs(&d)
        .into_iter()
        .filter(|(_, e)| e.contains("spacewatch_otel_spans_dropped_total"))
        .count();
    assert!(otel >= 1, "no OTel export panel");
}

/// The assistant's GenAI metrics each have a panel, in their own row (issue 18).
#[test]
fn the_assistant_has_a_row_with_every_genai_metric() {
    let d = dashboard();
    let top = d["panels"].as_array().unwrap();
    let row = top
        .iter()
        .position(|p| {
            p["type"] == "row" && p["title"].as_str().unwrap().starts_with("AI assistant")
        })
        .expect("an AI assistant row");
    let y = top[row]["gridPos"]["y"].as_u64().unwrap();
    let next = top[row + 1..]
        .iter()
        .find(|p| p["type"] == "row")
        .map_or(u64::MAX, |p| p["gridPos"]["y"].as_u64().unwrap());
    let inside: Vec<&Value> = top
        .iter()
        .filter(|p| p["type"] != "row")
        .filter(|p| (y..next).contains(&p["gridPos"]["y"].as_u64().unwrap()))
        .collect();
    let queried: BTreeSet<String> = inside
        .iter()
        .flat_map(|p| p["targets"].as_array().unwrap())
        .flat_map(|t| metric_names(t["expr"].as_str().unwrap()))
        .collect();
    for family in [
        "spacewatch_gen_ai_client_operation_duration_seconds",
        "spacewatch_gen_ai_client_token_usage",
        "spacewatch_gen_ai_client_errors_total",
        "spacewatch_agent_chat_steps",
        "spacewatch_agent_tool_calls_total",
    ] {
        assert!(
            queried.iter().any(|m| m.starts_with(family)),
            "{family} has no panel in the row: {queried:?}"
        );
    }
    for p in inside {
        let exprs = p["targets"].as_array().unwrap();
        assert!(
            exprs.iter().all(|t| t["expr"]
                .as_str()
                .unwrap()
                .contains(r#"instance=~"$instance""#)),
            "{}: follows the Replica variable",
            p["title"]
        );
    }
}

/// Metric names (`spacewatch_*`, `process_*`) in a PromQL text, leaving out the parts of
/// recording-rule names (which contain `:`).
pub fn metric_names(text: &str) -> BTreeSet<String> {
    let re =
        regex::Regex::new(r"(^|[^A-Za-z0-9_:])((?:spacewatch|process)_[A-Za-z0-9_]+)").unwrap();
    re.captures_iter(text)
        .filter(|c| !text[c.get(2).unwrap().end()..].starts_with(':'))
        .map(|c| c[2].to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_metric_the_bundle_queries_is_exported() {
    let d = dashboard();
    let mut names: BTreeSet<String> = exprs(&d)
        .iter()
        .flat_map(|(_, e)| metric_names(e))
        .collect();
    for rules in files("prometheus/rules", ".yml") {
        let text = std::fs::read_to_string(rules).unwrap();
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .map(|l| l.to_string() + "\n")
            .collect();
        names.extend(metric_names(&code));
    }
    assert!(names.len() >= 15, "{names:?}");
    let dir = tempfile::tempdir().unwrap();
    let sw = SpaceWatch::demo(dir.path());
    mixed_traffic(&sw.base).await;
    let scrape = sw.metrics().await;
    let families: Vec<(&str, &str)> = scrape
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_once(' '))
        .collect();
    let exported = |name: &str| {
        families.iter().any(|(f, t)| {
            *f == name
                || *t == "histogram"
                    && ["_bucket", "_sum", "_count"]
                        .iter()
                        .any(|s| name.strip_suffix(s) == Some(*f))
        })
    };
    let missing: Vec<&String> = names.iter().filter(|n| !exported(n)).collect();
    assert!(
        missing.is_empty(),
        "queried by the dashboard or the rules but not in /metrics: {missing:?}"
    );
}
