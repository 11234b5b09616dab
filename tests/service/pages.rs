//! The dashboard's pages and assets: served from the binary with a strict
//! Content-Security-Policy, every referenced file present; `/api/ui-config` offers the
//! demo credentials only in demo mode and never a real secret.

use std::sync::Arc;

use reqwest::header::HeaderMap;
use serde_json::Value;
use spacewatch::config::{DEMO_SECRET, DemoOffer, Secret};
use spacewatch::telemetry::SystemClock;
use spacewatch::web::CONTENT_SECURITY_POLICY;

use crate::support::{Harness, KEY};

/// The `/static/…` files a text refers to, and the modules a script imports.
fn references(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split("/static/")
        .skip(1)
        .map(|p| {
            p.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect()
        })
        .collect();
    out.extend(
        text.split("from './")
            .skip(1)
            .map(|p| p.chars().take_while(|c| *c != '\'').collect::<String>()),
    );
    out
}

fn assert_locked_down(h: &reqwest::header::HeaderMap, what: &str) {
    assert_eq!(
        h["content-security-policy"], CONTENT_SECURITY_POLICY,
        "{what}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["referrer-policy"], "no-referrer", "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_and_assets_come_from_the_binary_under_a_strict_csp() {
    let h = Harness::start().await;
    for d in [
        "default-src 'none'",
        "script-src 'self';",
        "style-src 'self';",
        "connect-src 'self';",
        "frame-ancestors 'none'",
    ] {
        assert!(CONTENT_SECURITY_POLICY.contains(d), "{d}");
    }
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    let mut seen = std::collections::BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    for (path, title) in [
        ("/", "Storage dashboard"),
        ("/dashboard", "Storage dashboard"),
        ("/config", "Storage dashboard"),
        ("/admin", "Mission Control"),
    ] {
        let r = h.get(path, HeaderMap::new()).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
        assert_locked_down(r.headers(), path);
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("<title>SpaceWatch — {title}</title>")),
            "{path}"
        );
        todo.extend(references(&html));
    }
    // Every file the pages and modules refer to is served, with its type.
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let r = h.get(&format!("/static/{name}"), HeaderMap::new()).await;
        assert_eq!(r.status(), 200, "{name}");
        let kind = r.headers()["content-type"].to_str().unwrap().to_string();
        let want = match name.rsplit('.').next() {
            Some("js") => "text/javascript; charset=utf-8",
            Some("css") => "text/css; charset=utf-8",
            Some("svg") => "image/svg+xml",
            other => panic!("unexpected asset type {other:?}"),
        };
        assert_eq!(kind, want, "{name}");
        assert_locked_down(r.headers(), &name);
        if name.ends_with(".js") {
            todo.extend(references(&r.text().await.unwrap()));
        }
    }
    assert!(seen.len() >= 14, "{seen:?}");
    let r = h.get("/static/nothing.js", HeaderMap::new()).await;
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["detail"], "Not Found");
}

async fn ui_config(configure: impl FnOnce(&mut spacewatch::config::Settings)) -> Value {
    let h = Harness::start_with(configure, Arc::new(SystemClock)).await;
    h.json("/api/ui-config").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ui_config_offers_the_demo_key_only_in_demo_mode() {
    let plain = ui_config(|s| {
        s.api_key = Some(Secret::new("admin-key-that-stays-home"));
        s.knobs.dashboard_refresh_sec = 7;
    })
    .await;
    assert_eq!(plain["demo"], false);
    assert_eq!(plain["demo_credentials"], Value::Null);
    assert_eq!(plain["refresh_seconds"], 7);
    assert_eq!(plain["api_key_protection"], true);
    assert_eq!(plain["agent_configured"], false);
    assert!(!plain.to_string().contains("admin-key-that-stays-home"));

    let demo = ui_config(|s| s.demo = Some(DemoOffer::new(KEY, DEMO_SECRET))).await;
    assert_eq!(demo["demo"], true);
    assert_eq!(demo["refresh_seconds"], 30);
    let c = &demo["demo_credentials"];
    assert_eq!(
        (c["key"].as_str(), c["secret"].as_str()),
        (Some(KEY), Some(DEMO_SECRET))
    );
    assert_eq!(c["log_bucket"], "demo-logs");

    // A secret given with --demo-secret is never handed to a browser.
    let custom = ui_config(|s| s.demo = Some(DemoOffer::new(KEY, "my-own-demo-secret"))).await;
    assert_eq!(custom["demo_credentials"]["key"], KEY);
    assert_eq!(custom["demo_credentials"]["secret"], Value::Null);
    assert!(!custom.to_string().contains("my-own-demo-secret"));
}
