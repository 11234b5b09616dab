//! The AI assistant against a real SpaceWatch, the demo store (seeded as `serve --demo`
//! seeds it) and a scripted OpenAI-compatible model: real tool calls with the right
//! numbers, parallel calls, the JSON fallback, the bounds, failures of the model, session
//! memory and its isolation, secrets, spans and metrics — and the same tools over MCP.

mod bounds;
mod chat;
mod failures;
mod fanout;
mod mcp;
mod mcp_bounds;
mod model;
mod sessions;
mod telemetry;

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::config::{AgentSettings, Secret, Settings};
use spacewatch::demo::{DemoStore, StoreOptions};
use spacewatch::telemetry::SystemClock;

use crate::support::{Harness, KEY, SECRET, s3_client, settings_for};
use model::{Got, Model, Reply};

pub const AGENT_KEY: &str = "sk-agent-test-Vq93mZk1x0Lp";
pub const ADMIN_KEY: &str = "admin-key-for-agent-tests-7h3Q";
pub const MODEL: &str = "test-model";
/// A second tenant of the same store, owning no bucket.
pub const KEY2: &str = "OTHERKEY0123456789AB";
pub const SECRET2: &str = "other-secret-Rk27Wq0PzLm";

/// The demo store with two accounts, seeded as `serve --demo` seeds it.
pub async fn demo_store() -> DemoStore {
    let store = DemoStore::start_with(StoreOptions {
        users: vec![(KEY.into(), SECRET.into()), (KEY2.into(), SECRET2.into())],
        restricted: Vec::new(),
        anonymous_reads: false,
        bind: "127.0.0.1:0".into(),
    })
    .await
    .expect("store starts");
    let now = spacewatch::telemetry::Clock::now(&SystemClock);
    spacewatch::demo::seed(&store.endpoint(), KEY, SECRET, now)
        .await
        .expect("demo seed");
    store
}

/// Settings with the agent pointing at `model`, an admin key, and `configure` applied.
pub fn agent_settings(store: &DemoStore, model_url: &str) -> Settings {
    let mut s = settings_for(store);
    s.agent = Some(AgentSettings {
        url: model_url.to_string(),
        key: Some(Secret::new(AGENT_KEY)),
        model: Some(MODEL.into()),
    });
    s.api_key = Some(Secret::new(ADMIN_KEY));
    s
}

/// A SpaceWatch with the demo store and a model answering with `script`.
pub async fn start(
    script: impl Fn(&Got, usize) -> Reply + Send + Sync + 'static,
    configure: impl FnOnce(&mut Settings),
) -> (Harness, Model) {
    let model = Model::start(script).await;
    let store = demo_store().await;
    let mut settings = agent_settings(&store, &model.url);
    configure(&mut settings);
    let h = Harness::serve(store, settings, Arc::new(SystemClock)).await;
    (h, model)
}

/// The demo tenant's headers, with its log and metrics buckets.
pub fn demo_tenant() -> HeaderMap {
    tenant_of(KEY, SECRET)
}

pub fn tenant_of(key: &str, secret: &str) -> HeaderMap {
    let mut h = crate::support::tenant_with(key, secret);
    for (k, v) in [
        ("X-Log-Bucket", "demo-logs"),
        ("X-Log-Prefix", "access-logs/"),
        ("X-Metrics-Bucket", "demo-metrics"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    h
}

/// `POST /chat` with `body`; the status and the JSON answer.
pub async fn chat(h: &Harness, headers: HeaderMap, body: Value) -> (u16, Value) {
    let resp = h
        .http
        .post(h.url("/chat"))
        .headers(headers)
        .json(&body)
        .send()
        .await
        .expect("chat request");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let v = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON answer: {text}"));
    (status, v)
}

/// An admin endpoint's JSON.
pub async fn admin_json(h: &Harness, path: &str) -> Value {
    let resp = h
        .http
        .get(h.url(path))
        .header("X-API-Key", ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

/// Objects and bytes of a bucket, counted from the store with the SDK (ground truth).
pub async fn truth_summary(store: &DemoStore, bucket: &str) -> (u64, u64) {
    let c = s3_client(store);
    let mut pages = c.list_objects_v2().bucket(bucket).into_paginator().send();
    let (mut n, mut bytes) = (0u64, 0u64);
    while let Some(p) = pages.next().await {
        for o in p.expect("listing").contents() {
            n += 1;
            bytes += o.size().unwrap_or(0) as u64;
        }
    }
    (n, bytes)
}

/// No secret of the test in any captured model request, in the server's log lines, or in
/// `extra` (answers).
pub async fn assert_no_secrets(h: &Harness, model: &Model, extra: &[&Value]) {
    let logs = h.flush_logs().await;
    let mut texts: Vec<String> = model.requests().into_iter().map(|g| g.raw).collect();
    texts.push(logs);
    texts.extend(extra.iter().map(|v| v.to_string()));
    for t in &texts {
        for secret in [SECRET, SECRET2, AGENT_KEY, ADMIN_KEY] {
            assert!(!t.contains(secret), "a secret leaked: {secret} in {t}");
        }
    }
    for g in model.requests() {
        assert_eq!(
            g.authorization.as_deref(),
            Some(format!("Bearer {AGENT_KEY}").as_str()),
            "the agent key goes in Authorization"
        );
    }
}
