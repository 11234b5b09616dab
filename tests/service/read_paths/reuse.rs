//! What a read leaves for the next: an object that failed is remembered by its ETag (a
//! retry does not read it again; a new version is read); a search without a window reads
//! a bounded number of objects and finds them in the cache the next time; what one tenant
//! read is never what another gets.

use std::sync::Arc;

use serde_json::Value;
use spacewatch::telemetry::SystemClock;

use super::{get, headers, now, put, rig, served};
use crate::hostile_logs::{distinct_buckets, gzip, line};
use crate::support::Server;

fn skipped(v: &Value) -> Vec<(String, String)> {
    v["coverage"]["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["key"].as_str().unwrap().into(),
                s["reason"].as_str().unwrap().into(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_object_is_not_read_again_until_its_etag_changes() {
    let h = rig(|s| s.knobs.access_log_job_bytes = 4 << 20).await;
    let good = gzip(distinct_buckets(2, now()).as_bytes());
    let mut damaged = good.clone();
    damaged.truncate(damaged.len() / 2);
    put(
        &h,
        "logs",
        "access/2024-01-01-00-00-00-WIDE",
        distinct_buckets(20_000, now()).into_bytes(),
    )
    .await;
    put(&h, "logs", "access/2024-01-01-00-00-01-DAMAGED.gz", damaged).await;
    let path = "/logs/access/request-metrics";
    let gets = served(&h, "GetObject");
    let (status, first) = get(&h, path, headers()).await;
    assert_eq!(status, 200, "{first}");
    let reasons = skipped(&first);
    assert_eq!(reasons.len(), 2, "{first}");
    assert!(
        reasons
            .iter()
            .any(|(k, r)| k.ends_with("WIDE") && r.contains("ACCESS_LOG_JOB_BYTES"))
    );
    assert!(
        reasons
            .iter()
            .any(|(k, r)| k.ends_with("DAMAGED.gz") && r == "damaged gzip")
    );
    assert_eq!(served(&h, "GetObject"), gets + 2);
    let (_, again) = get(&h, path, headers()).await;
    assert_eq!(skipped(&again), reasons, "the same answer");
    assert_eq!(served(&h, "GetObject"), gets + 2, "neither was read again");
    // A search asks another question of the damaged object: its bytes are still damaged.
    let (_, search) = get(&h, "/logs/access/search", headers()).await;
    assert!(
        skipped(&search)
            .iter()
            .any(|(k, _)| k.ends_with("DAMAGED.gz"))
    );
    assert_eq!(
        served(&h, "GetObject"),
        gets + 3,
        "only the wide one was searched"
    );
    // Repaired, it is a new version: read and counted.
    put(&h, "logs", "access/2024-01-01-00-00-01-DAMAGED.gz", good).await;
    let (_, repaired) = get(&h, path, headers()).await;
    assert_eq!(served(&h, "GetObject"), gets + 4, "{repaired}");
    assert_eq!(repaired["metrics"]["requests_total"], 2, "{repaired}");
    assert_eq!(skipped(&repaired).len(), 1);
    // Damaged bytes a search met first are not read for the summaries either.
    let mut broken = gzip(distinct_buckets(3, now()).as_bytes());
    broken.truncate(broken.len() / 2);
    put(&h, "logs", "access/2024-01-01-00-00-02-BROKEN.gz", broken).await;
    let (_, search) = get(&h, "/logs/access/search?contains=x", headers()).await;
    assert!(
        skipped(&search)
            .iter()
            .any(|(k, r)| k.ends_with("BROKEN.gz") && r == "damaged gzip")
    );
    let gets = served(&h, "GetObject");
    let (_, metrics) = get(&h, path, headers()).await;
    assert!(
        skipped(&metrics)
            .iter()
            .any(|(k, _)| k.ends_with("BROKEN.gz"))
    );
    assert_eq!(served(&h, "GetObject"), gets, "not read again: {metrics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_without_a_window_reads_at_most_its_share_then_the_cache() {
    let h = rig(|_| {}).await;
    let mut text = String::new();
    line(&mut text, "alpha", now(), "192.0.2.3", "ua");
    for i in 0..1000 {
        let key = format!("access/2024-01-01-00-{:02}-{:02}-{i:04}", i / 60, i % 60);
        put(&h, "logs", &key, text.clone().into_bytes()).await;
    }
    let path = "/logs/access/search?status_prefix=2&limit=5";
    let mut read = Vec::new();
    for round in 0..3 {
        let (lists, gets) = (served(&h, "ListObjectsV2"), served(&h, "GetObject"));
        let (status, v) = get(&h, path, headers()).await;
        assert_eq!(status, 200, "{v}");
        let listed = served(&h, "ListObjectsV2") - lists;
        assert!(listed <= 2, "round {round}: one listing ({listed} pages)");
        let c = &v["coverage"];
        let n = |f: &str| c[f].as_u64().unwrap();
        read.push((
            n("objects_read"),
            n("objects_cached"),
            n("objects_deferred"),
            served(&h, "GetObject") - gets,
        ));
        let seen = n("objects_read") + n("objects_cached");
        assert_eq!(v["count"], seen, "round {round}: every line read counts");
    }
    // ACCESS_LOG_MAX_OBJECTS is 500: the newest 500, then the rest, then the cache.
    assert_eq!(
        read,
        [(500, 0, 500, 500), (500, 500, 0, 500), (0, 1000, 0, 0)],
        "(read, cached, deferred, GETs) per round"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto (pip install 'moto[server]')"]
async fn what_one_tenant_read_is_never_what_another_gets() {
    let moto = crate::moto::Moto::start();
    let store = crate::moto::direct(&moto.endpoint);
    store.create_bucket().bucket("logs").send().await.unwrap();
    for i in 0..3 {
        store
            .put_object()
            .bucket("logs")
            .key(format!("access/2024-01-01-00-00-0{i}-X"))
            .body(distinct_buckets(2, now()).into_bytes().into())
            .send()
            .await
            .unwrap();
    }
    let mut s = spacewatch::config::Settings::for_tests();
    s.endpoint = Some(moto.endpoint.clone());
    s.region = "us-east-1".into();
    s.knobs.rate_limit_rps = 0.0;
    let server = Server::start(s, Arc::new(SystemClock)).await;
    let as_ = |key: &str| {
        let mut h = crate::support::tenant_with(key, "secret");
        for (k, v) in [("X-Log-Bucket", "logs"), ("X-Log-Prefix", "access/")] {
            h.insert(k, reqwest::header::HeaderValue::from_static(v));
        }
        h
    };
    let coverage = |v: &Value| {
        let c = &v["coverage"];
        (c["objects_read"].as_u64(), c["objects_cached"].as_u64())
    };
    let path = "/logs/access/request-metrics";
    let read = |key: &'static str| {
        let h = as_(key);
        let server = &server;
        async move {
            let r = server.get(path, h).await;
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(coverage(&read("TENANTA").await), (Some(3), Some(0)));
    assert_eq!(
        coverage(&read("TENANTA").await),
        (Some(0), Some(3)),
        "its own reads"
    );
    assert_eq!(
        coverage(&read("TENANTB").await),
        (Some(3), Some(0)),
        "not A's"
    );
}
