//! The storage tools against ground truth computed here.

use serde_json::Value;

use crate::support::{Harness, put_many, s3_client, tenant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn summary_top_and_recent_agree_with_the_objects() {
    let h = Harness::start().await;
    put_many(&h.store, "beta", 1100).await; // more than one ListObjectsV2 page
    let sizes: Vec<u64> = (0..1100u64).map(|i| 100 + i).collect();
    let total: u64 = sizes.iter().sum();

    let v: Value = h
        .get("/tools/storage-summary?bucket=beta", tenant())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["object_count"], 1100);
    assert_eq!(v["total_bytes"], total);
    assert_eq!(v["average_object_bytes"], total / 1100);
    assert_eq!(
        v["total_size_human"],
        format!("{:.2} KiB", total as f64 / 1024.0)
    );

    let v: Value = h
        .get("/tools/top-largest?bucket=beta&limit=5", tenant())
        .await
        .json()
        .await
        .unwrap();
    let got: Vec<u64> = v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["size"].as_u64().unwrap())
        .collect();
    assert_eq!(got, [1199, 1198, 1197, 1196, 1195]);
    assert_eq!(v["objects"][0]["key"], "dir/obj-1099");
    assert_eq!(v["scanned"], 1100);

    // Recent: overwrite three objects, one after another; they are the newest, in order.
    let c = s3_client(&h.store);
    for k in ["dir/obj-0007", "dir/obj-0500", "dir/obj-0003"] {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        c.put_object()
            .bucket("beta")
            .key(k)
            .body(b"new".to_vec().into())
            .send()
            .await
            .unwrap();
    }
    let v: Value = h
        .get("/tools/recent-objects?bucket=beta&limit=3", tenant())
        .await
        .json()
        .await
        .unwrap();
    let keys: Vec<&str> = v["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["dir/obj-0003", "dir/obj-0500", "dir/obj-0007"]);

    let v: Value = h
        .get(
            "/tools/storage-summary?bucket=beta&prefix=dir/obj-10",
            tenant(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["object_count"], 100, "prefix dir/obj-10xx");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_are_enforced() {
    let h = Harness::start().await;
    for (path, status) in [
        ("/tools/top-largest?bucket=alpha&limit=51", 400),
        ("/tools/top-largest?bucket=alpha&limit=0", 400),
        ("/tools/top-largest?bucket=alpha&limit=50", 200),
        ("/tools/recent-objects?bucket=alpha&limit=201", 400),
        ("/tools/recent-objects?bucket=alpha&limit=200", 200),
        ("/tools/recent-objects", 400),
    ] {
        assert_eq!(h.get(path, tenant()).await.status(), status, "{path}");
    }
    let v: Value = h
        .get("/tools/recent-objects?bucket=alpha", tenant())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["objects"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_validated() {
    let h = Harness::start().await;
    let r = h
        .http
        .post(h.url("/validate-credentials"))
        .headers(tenant())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-operation-type"], "LIST_BUCKETS");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["bucket_count"], 3);
    assert_eq!(v["fingerprint"].as_str().unwrap().len(), 16);
    let bad = crate::support::tenant_with(crate::support::KEY, "wrong");
    let r = h
        .http
        .post(h.url("/validate-credentials"))
        .headers(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
