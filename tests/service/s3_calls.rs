//! The S3 call metrics equal the calls the store actually served, by API and status class,
//! with the bytes each way.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::gateway::{data, gateway_client};
use crate::support::{Harness, KEY, SECRET, metric_sum, parse_metrics, tenant, tenant_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_call_metrics_match_the_store_count() {
    let h = Harness::start().await;
    let before = h.store.served().snapshot();
    // A mix of tools and gateway calls, some failing.
    for path in [
        "/tools/buckets",
        "/tools/list-all?bucket=alpha",
        "/tools/storage-summary?bucket=alpha",
        "/tools/top-largest?bucket=alpha",
        "/tools/list-all?bucket=not-there",
        "/s3/alpha?prefix=dir/",
        "/s3/alpha/missing-key",
    ] {
        h.get(path, tenant()).await.bytes().await.unwrap();
    }
    h.get("/tools/buckets", tenant_with(KEY, "wrong")).await;
    let c = gateway_client(&h, KEY, SECRET);
    let (mut up, mut down) = (0u64, 0u64);
    for (i, n) in [10_000usize, 250_000, 1].into_iter().enumerate() {
        let body = data(n, i as u64);
        c.put_object()
            .bucket("gamma")
            .key(format!("o{i}"))
            .body(body.into())
            .send()
            .await
            .unwrap();
        up += n as u64;
        let got = c
            .get_object()
            .bucket("gamma")
            .key(format!("o{i}"))
            .send()
            .await
            .unwrap();
        down += got.body.collect().await.unwrap().into_bytes().len() as u64;
        c.head_object()
            .bucket("gamma")
            .key(format!("o{i}"))
            .send()
            .await
            .unwrap();
    }
    c.delete_object()
        .bucket("gamma")
        .key("o2")
        .send()
        .await
        .unwrap();
    h.state.recorder.flush().await;

    let after = h.store.served().snapshot();
    let served: BTreeMap<(&str, &str), u64> = after
        .iter()
        .map(|(k, n)| (*k, n - before.get(k).copied().unwrap_or(0)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let text = h
        .get("/metrics", Default::default())
        .await
        .text()
        .await
        .unwrap();
    let samples = parse_metrics(&text);
    let mut metered: BTreeMap<(String, String), u64> = BTreeMap::new();
    for s in samples
        .iter()
        .filter(|s| s.name == "spacewatch_s3_requests_total" && s.value > 0.0)
    {
        metered.insert(
            (s.labels["api"].clone(), s.labels["status_class"].clone()),
            s.value as u64,
        );
    }
    let served: BTreeMap<(String, String), u64> = served
        .into_iter()
        .map(|((a, c), n)| ((a.to_string(), c.to_string()), n))
        .collect();
    assert_eq!(metered, served, "SpaceWatch's count vs the store's count");
    for api in [
        "ListBuckets",
        "ListObjectsV2",
        "HeadBucket",
        "GetObject",
        "PutObject",
        "HeadObject",
        "DeleteObject",
    ] {
        let n = metric_sum(&samples, "spacewatch_s3_requests_total", &[("api", api)]);
        assert!(n > 0.0, "{api} was exercised");
        let hist = metric_sum(
            &samples,
            "spacewatch_s3_total_request_latency_seconds_count",
            &[("api", api)],
        );
        assert_eq!(hist, n, "{api}: one latency sample per call");
    }
    let uploaded = metric_sum(
        &samples,
        "spacewatch_s3_uploaded_bytes_total",
        &[("api", "PutObject")],
    );
    assert_eq!(uploaded as u64, up);
    let downloaded = metric_sum(
        &samples,
        "spacewatch_s3_downloaded_bytes_total",
        &[("api", "GetObject")],
    );
    // The one failing GetObject brought an XML error body down as well.
    assert!(
        downloaded as u64 >= down && downloaded as u64 <= down + 1024,
        "{downloaded} vs {down}"
    );
    let per_bucket = metric_sum(
        &samples,
        "spacewatch_s3_bucket_requests_total",
        &[("bucket", "gamma")],
    );
    assert_eq!(per_bucket, 10.0, "3 puts, 3 gets, 3 heads, 1 delete");

    let v: Value = h.json("/metrics/operations").await;
    let s3 = &v["s3_requests"];
    let total: u64 = metered.values().sum();
    assert_eq!(s3["all"]["requests"], total);
    assert_eq!(s3["by_api"]["PutObject"]["bytes_uploaded"], up);
    assert!(
        s3["by_api"]["GetObject"]["first_byte_latency_ms"]["p50"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    assert_eq!(
        v["bucket_analytics"]["gamma"]["s3_requests"]["requests"],
        10
    );
}
