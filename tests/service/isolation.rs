//! Tenant isolation: tenant B gets 403 for tenant A's bucket on every tool and gateway
//! route, and never sees A's cached bucket list.

use reqwest::header::HeaderMap;
use serde_json::Value;
use spacewatch::demo::StoreOptions;

use crate::support::{KEY, SECRET, put_many, s3_client_as, start_on_store, tenant, tenant_with};

const B: (&str, &str) = ("TENANTBKEY0000000000", "tenant-b-secret-xyz");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_b_never_reaches_tenant_a() {
    let mut o = StoreOptions::single(KEY, SECRET);
    o.users.push((B.0.into(), B.1.into()));
    let h = start_on_store(o, |_| {}).await;
    s3_client_as(&h.store, KEY, SECRET)
        .create_bucket()
        .bucket("alpha")
        .send()
        .await
        .unwrap();
    put_many(&h.store, "alpha", 2).await;
    s3_client_as(&h.store, B.0, B.1)
        .create_bucket()
        .bucket("b-own")
        .send()
        .await
        .unwrap();
    let b = || tenant_with(B.0, B.1);
    // A warms its cached list.
    let a: Value = h
        .get("/tools/buckets", tenant())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(a["buckets"][0]["name"], "alpha");

    for path in [
        "/tools/list-all?bucket=alpha",
        "/tools/storage-summary?bucket=alpha",
        "/tools/top-largest?bucket=alpha",
        "/tools/recent-objects?bucket=alpha",
        "/s3/alpha",
        "/s3/alpha/dir/obj-0000",
    ] {
        let r = h.get(path, b()).await;
        assert_eq!(r.status(), 403, "{path}");
        assert_eq!(
            crate::support::error_text(r).await,
            "Bucket not allowed for these credentials",
            "{path}"
        );
    }
    for method in [
        reqwest::Method::PUT,
        reqwest::Method::HEAD,
        reqwest::Method::DELETE,
    ] {
        let r = h
            .http
            .request(method.clone(), h.url("/s3/alpha/dir/obj-0000"))
            .headers(b())
            .body("x")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{method}");
    }
    // B's own list is B's; A's bucket is not in it.
    let v: Value = h.get("/tools/buckets", b()).await.json().await.unwrap();
    let names: Vec<&str> = v["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["b-own"]);
    // A's key with a wrong secret does not ride on A's cached list.
    let r = h
        .get("/tools/list-all?bucket=alpha", tenant_with(KEY, "guessed"))
        .await;
    assert_eq!(r.status(), 401);
    // And A's object is untouched.
    let ok = h.get("/s3/alpha/dir/obj-0000", tenant()).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.bytes().await.unwrap().len(), 100);
    let _ = HeaderMap::new();
}
