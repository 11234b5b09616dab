//! Buckets through the gateway are current (created or deleted, usable or gone at once;
//! one made elsewhere is usable when the tenant's own credentials reach it), anonymous
//! requests get what the store gives anyone, and every forwarded request is one
//! operation whose upstream call the store counted too.

use std::sync::Arc;

use serde_json::Value;
use spacewatch::demo::{DemoStore, StoreOptions};
use spacewatch::telemetry::SystemClock;

use crate::gateway::gateway_client;
use crate::support::{
    Harness, KEY, SECRET, metric_sum, parse_metrics, s3_client, settings_for, tenant,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buckets_made_or_removed_anywhere_are_current_at_once() {
    let h = Harness::start().await;
    let g = gateway_client(&h, KEY, SECRET);
    // The tenant's bucket list is fetched (and cached) by its first request.
    g.list_objects_v2().bucket("alpha").send().await.unwrap();
    // Made through the gateway: usable by the next request.
    g.create_bucket()
        .bucket("fresh-through")
        .send()
        .await
        .unwrap();
    g.put_object()
        .bucket("fresh-through")
        .key("k")
        .body(b"1".to_vec().into())
        .send()
        .await
        .unwrap();
    // Made at the store itself, behind SpaceWatch's back, within the cache's life.
    s3_client(&h.store)
        .create_bucket()
        .bucket("fresh-elsewhere")
        .send()
        .await
        .unwrap();
    g.put_object()
        .bucket("fresh-elsewhere")
        .key("k")
        .body(b"2".to_vec().into())
        .send()
        .await
        .unwrap();
    // Deleted through the gateway: gone for the next request.
    g.delete_object()
        .bucket("fresh-through")
        .key("k")
        .send()
        .await
        .unwrap();
    g.delete_bucket()
        .bucket("fresh-through")
        .send()
        .await
        .unwrap();
    let r = h.get("/s3/fresh-through/k", tenant()).await;
    assert_eq!(r.status(), 404);
    let text = r.text().await.unwrap();
    assert!(text.contains("<Code>NoSuchBucket</Code>"), "{text}");
    // A bucket that does not exist is "Bucket not found", in the record too.
    let r = h.get("/s3/never-was/k", tenant()).await;
    assert_eq!(r.status(), 404);
    let v = h.json("/logs/operations?limit=1").await;
    assert_eq!(v["logs"][0]["error"], "Bucket not found", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_requests_get_what_the_store_gives_anyone() {
    let mut o = StoreOptions::single(KEY, SECRET);
    o.anonymous_reads = true;
    let store = DemoStore::start_with(o).await.unwrap();
    let c = s3_client(&store);
    c.create_bucket().bucket("public").send().await.unwrap();
    c.put_object()
        .bucket("public")
        .key("hello.txt")
        .body(b"hello, anyone".to_vec().into())
        .send()
        .await
        .unwrap();
    let settings = settings_for(&store);
    let h = Harness::serve(store, settings, Arc::new(SystemClock)).await;
    let http = reqwest::Client::new();
    let r = http
        .get(h.url("/s3/public/hello.txt"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "hello, anyone");
    // What the store refuses anyone, it refuses here.
    let r = http
        .put(h.url("/s3/public/not-yours.txt"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<Code>AccessDenied</Code>")
    );
    let v = h.json("/logs/operations?limit=2").await;
    for e in v["logs"].as_array().unwrap() {
        assert_eq!(e["tenant"], "0000000000000000", "the anonymous tenant: {e}");
        assert_eq!(
            e["bucket"],
            Value::Null,
            "no bucket label without a check: {e}"
        );
    }
    // The anonymous rate limit holds them (2 a second, a burst of 10, by default).
    let h2 = Harness::start_with(|s| s.knobs.rate_limit_rps = 1.0, Arc::new(SystemClock)).await;
    let mut limited = 0;
    for _ in 0..30 {
        let r = http
            .get(h2.url("/s3/alpha/dir/obj-0000"))
            .send()
            .await
            .unwrap();
        limited += usize::from(r.status() == 429);
    }
    assert!(
        limited >= 15,
        "anonymous requests are rate limited: {limited}"
    );
    assert_eq!(
        h2.get("/s3/alpha/dir/obj-0000", tenant()).await.status(),
        200
    );
}

/// Every forwarded request is one operation, named by its S3 API, and one upstream call
/// that the store itself counted under the same name: the two ledgers agree exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_forwarded_request_is_one_operation_the_store_counted() {
    use aws_sdk_s3::types::{Delete, ObjectIdentifier, Tag, Tagging};
    let h = Harness::start().await;
    let g = gateway_client(&h, KEY, SECRET);
    let before = h.store.served().snapshot();
    let recorded = h.state.recorder.total_recorded();
    g.create_bucket().bucket("ledger").send().await.unwrap();
    for i in 0..3 {
        g.put_object()
            .bucket("ledger")
            .key(format!("k{i}"))
            .body(vec![b'x'; 10 + i].into())
            .send()
            .await
            .unwrap();
    }
    g.copy_object()
        .bucket("ledger")
        .key("copy")
        .copy_source("ledger/k0")
        .send()
        .await
        .unwrap();
    g.head_object()
        .bucket("ledger")
        .key("k1")
        .send()
        .await
        .unwrap();
    g.get_bucket_location()
        .bucket("ledger")
        .send()
        .await
        .unwrap();
    g.list_objects().bucket("ledger").send().await.unwrap();
    let _ = g
        .put_object_tagging()
        .bucket("ledger")
        .key("k1")
        .tagging(
            Tagging::builder()
                .tag_set(Tag::builder().key("a").value("b").build().unwrap())
                .build()
                .unwrap(),
        )
        .send()
        .await;
    let ids =
        ["k0", "k1", "k2", "copy"].map(|k| ObjectIdentifier::builder().key(k).build().unwrap());
    g.delete_objects()
        .bucket("ledger")
        .delete(
            Delete::builder()
                .set_objects(Some(ids.to_vec()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    g.delete_bucket().bucket("ledger").send().await.unwrap();
    h.state.recorder.flush().await;
    let after = h.store.served().snapshot();
    let served: u64 = after.values().sum::<u64>() - before.values().sum::<u64>();
    let ops = h.state.recorder.total_recorded() - recorded;
    // The tenant's first request verified its credentials with one ListBuckets.
    assert_eq!(
        ops + 1,
        served,
        "one store request per operation (and the verification)"
    );
    let text = h
        .get("/metrics", Default::default())
        .await
        .text()
        .await
        .unwrap();
    let m = parse_metrics(&text);
    // Per API and status class, SpaceWatch's calls are the store's requests.
    for ((api, class), n) in &after {
        let was = before.get(&(*api, *class)).copied().unwrap_or(0);
        let counted = metric_sum(
            &m,
            "spacewatch_s3_requests_total",
            &[("api", api), ("status_class", class)],
        ) as u64;
        assert_eq!(counted, n - was, "{api} {class}");
    }
    let all = metric_sum(&m, "spacewatch_s3_requests_total", &[]) as u64;
    assert_eq!(
        all, served,
        "no call SpaceWatch counted went uncounted by the store"
    );
    let v = h.json("/logs/operations?limit=20").await;
    let names: Vec<&str> = v["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["s3_api"].as_str())
        .collect();
    for api in [
        "CreateBucket",
        "PutObject",
        "CopyObject",
        "HeadObject",
        "GetBucketLocation",
        "ListObjects",
        "PutObjectTagging",
        "DeleteObjects",
        "DeleteBucket",
    ] {
        assert!(names.contains(&api), "{api} in {names:?}");
    }
    let family = |f: &str| metric_sum(&m, "spacewatch_s3_requests_total", &[("family", f)]) as u64;
    assert_eq!(
        family("PutRequests"),
        3 + 1 + 1,
        "PutObject ×3, CopyObject, PutObjectTagging"
    );
    assert_eq!(family("DeleteRequests"), 1, "DeleteObjects");
}
