//! The read paths of issue 18, probed as the review probed them: hostile objects a tenant
//! can put in its own log and metrics buckets (generated here, `tests/common/hostile_logs.rs`)
//! against the real server and store, each request bounded in time and memory; keys and
//! prefixes that would leave the named bucket, refused with nothing read or written (the
//! store checked); heavy jobs under their limits, stopped when the client leaves; results
//! cached by ETag and scoped to the tenant that read them.

mod budgets;
mod escapes;
mod jobs;
mod reuse;

use std::sync::Arc;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;
use spacewatch::config::Settings;
use spacewatch::telemetry::SystemClock;

use crate::support::{Harness, KEY, SECRET, s3_client, settings_for};

/// The tenant's headers, with its log bucket `logs` (prefix `access/`) and metrics bucket
/// `metrics`.
pub fn headers() -> HeaderMap {
    let mut h = crate::support::tenant_with(KEY, SECRET);
    for (k, v) in [
        ("X-Log-Bucket", "logs"),
        ("X-Log-Prefix", "access/"),
        ("X-Metrics-Bucket", "metrics"),
    ] {
        h.insert(k, HeaderValue::from_static(v));
    }
    h
}

/// A store holding `alpha` (three objects), `logs` and `metrics`, and a server configured
/// by `configure`.
pub async fn rig(configure: impl FnOnce(&mut Settings)) -> Harness {
    let store = spacewatch::demo::DemoStore::start(KEY, SECRET)
        .await
        .expect("store starts");
    let c = s3_client(&store);
    for b in ["alpha", "logs", "metrics"] {
        c.create_bucket().bucket(b).send().await.unwrap();
    }
    crate::support::put_many(&store, "alpha", 3).await;
    let mut settings = settings_for(&store);
    configure(&mut settings);
    Harness::serve(store, settings, Arc::new(SystemClock)).await
}

/// Puts `body` at `key` of `bucket`.
pub async fn put(h: &Harness, bucket: &str, key: &str, body: Vec<u8>) {
    s3_client(&h.store)
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(body.into())
        .send()
        .await
        .unwrap();
}

/// A GET of `path` as the tenant: the status and the JSON body (`Null` when not JSON).
pub async fn get(h: &Harness, path: &str, headers: HeaderMap) -> (u16, Value) {
    let r = h.get(path, headers).await;
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Requests the store answered, by S3 API (all statuses).
pub fn served(h: &Harness, api: &str) -> u64 {
    h.store
        .served()
        .snapshot()
        .iter()
        .filter(|((a, _), _)| *a == api)
        .map(|(_, n)| n)
        .sum()
}

/// Now, unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
