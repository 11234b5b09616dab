//! The integrity, isolation and denial-of-service holes of the hardening review, each
//! probed the way it was found: corrupted aws-chunked uploads, dot segments in keys,
//! anonymous requests with huge query strings.

use reqwest::header::{HeaderMap, HeaderValue};
use spacewatch::telemetry::prom::Refusal;

use crate::support::{Harness, s3_client, tenant};

fn crc32_b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(crc32fast::hash(data).to_be_bytes())
}

/// An aws-chunked body (unsigned chunks) of `data` in `chunk`-byte chunks, with a CRC32
/// trailer of value `crc`.
fn chunked(data: &[u8], chunk: usize, crc: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for c in data.chunks(chunk.max(1)) {
        out.extend(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend(c);
        out.extend(b"\r\n");
    }
    out.extend(format!("0\r\nx-amz-checksum-crc32:{crc}\r\n\r\n").as_bytes());
    out
}

async fn put_chunked(h: &Harness, key: &str, body: Vec<u8>, decoded: usize) -> reqwest::Response {
    let mut hd = tenant();
    for (k, v) in [
        ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-trailer", "x-amz-checksum-crc32"),
    ] {
        hd.insert(k, HeaderValue::from_static(v));
    }
    hd.insert("x-amz-decoded-content-length", decoded.into());
    h.http
        .put(h.url(&format!("/s3/alpha/{key}")))
        .headers(hd)
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn stored(h: &Harness, key: &str) -> Option<Vec<u8>> {
    let got = s3_client(&h.store)
        .get_object()
        .bucket("alpha")
        .key(key)
        .send()
        .await
        .ok()?;
    Some(got.body.collect().await.unwrap().into_bytes().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_aws_chunked_uploads_store_nothing() {
    let h = Harness::start().await;
    let small = b"hello world".to_vec();
    let big = crate::gateway::data(300_000, 7);
    let cases: Vec<(&str, Vec<u8>, usize, &str)> = vec![
        (
            "wrong crc",
            chunked(&small, 64, &crc32_b64(b"x")),
            11,
            "checksum",
        ),
        (
            "wrong crc, many chunks",
            chunked(&big, 8192, &crc32_b64(b"x")),
            big.len(),
            "checksum",
        ),
        (
            "longer than declared",
            chunked(&small, 4, &crc32_b64(&small)),
            10,
            "longer",
        ),
        (
            "shorter than declared",
            chunked(&small, 4, &crc32_b64(&small)),
            12,
            "shorter",
        ),
        (
            "empty, wrong crc",
            chunked(b"", 1, &crc32_b64(b"x")),
            0,
            "checksum",
        ),
        ("bad framing", b"zz\r\nhello\r\n".to_vec(), 5, "chunk"),
    ];
    for (i, (what, body, decoded, says)) in cases.into_iter().enumerate() {
        let key = format!("corrupt-{i}.bin");
        let r = put_chunked(&h, &key, body, decoded).await;
        assert_eq!(r.status().as_u16(), 400, "{what}");
        let detail = crate::support::error_text(r).await;
        assert!(detail.contains(says), "{what}: {detail}");
        assert_eq!(stored(&h, &key).await, None, "{what}: nothing committed");
    }
    // The same bodies with the right checksum and length are stored byte for byte.
    for (i, data) in [small, big, Vec::new()].into_iter().enumerate() {
        let key = format!("good-{i}.bin");
        let r = put_chunked(
            &h,
            &key,
            chunked(&data, 8192, &crc32_b64(&data)),
            data.len(),
        )
        .await;
        assert_eq!(r.status().as_u16(), 200, "good upload {i}");
        assert_eq!(stored(&h, &key).await, Some(data), "good upload {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dot_segments_never_reach_another_bucket() {
    let h = Harness::start().await;
    let store = s3_client(&h.store);
    store
        .put_object()
        .bucket("beta")
        .key("secret.txt")
        .body(b"beta's".to_vec().into())
        .send()
        .await
        .unwrap();
    let before = h.store.served().snapshot();
    for path in [
        "/s3/alpha/%2E%2E/beta/secret.txt",
        "/s3/alpha/%2e%2e/beta/secret.txt",
        "/s3/alpha/.%2E/beta/secret.txt",
        "/s3/alpha/dir/%2E%2E/%2E%2E/beta/secret.txt",
        "/s3/alpha/dir/%2E/obj-0000",
    ] {
        let (status, body) = h.raw("GET", path, &tenant(), Vec::new()).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body.contains("'..'"), "{path}: {body}");
    }
    let put = "/s3/alpha/%2E%2E/zz-created/p.txt";
    let (status, body) = h.raw("PUT", put, &tenant(), b"x".to_vec()).await;
    assert_eq!(status, 400, "{body}");
    let after = h.store.served().snapshot();
    let gets = |m: &std::collections::BTreeMap<(&str, &str), u64>| {
        m.iter()
            .filter(|((api, _), _)| *api != "ListBuckets")
            .map(|(_, n)| n)
            .sum::<u64>()
    };
    assert_eq!(
        gets(&after),
        gets(&before),
        "no object call reached the store"
    );
    let buckets = store.list_buckets().send().await.unwrap();
    assert!(
        buckets
            .buckets()
            .iter()
            .all(|b| b.name() != Some("zz-created")),
        "no bucket was created"
    );
    // The record keeps the bucket the tenant named; no figure counts it as alpha's.
    let v = h.json("/logs/operations?limit=10").await;
    for e in v["logs"].as_array().unwrap() {
        assert_eq!(e["bucket"], "alpha", "{e}");
        assert_eq!(e["status_code"], 400);
    }
    let ops = h.json("/metrics/operations").await;
    assert!(
        ops["bucket_analytics"].get("alpha").is_none(),
        "a refused key is not alpha's: {}",
        ops["bucket_analytics"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_requests_move_no_figure_and_grow_nothing() {
    let h = Harness::start().await;
    let huge = "p".repeat(60_000);
    let n = 200;
    for i in 0..n {
        let mut hd = HeaderMap::new();
        if i % 2 == 1 {
            // A key without a secret: as anonymous as no header at all.
            hd.insert("X-Spaces-Key", HeaderValue::from_static("K"));
        }
        let path = if i % 4 < 2 {
            format!("/s3/alpha?{huge}=1")
        } else {
            format!("/tools/list-all?bucket=alpha&{huge}=1")
        };
        let r = h.get(&path, hd).await;
        assert_eq!(r.status().as_u16(), 400);
        assert!(!r.headers().contains_key("x-operation-type"));
        let body = r.text().await.unwrap();
        assert!(
            body.len() < 1024,
            "the answer echoes at most a bounded text"
        );
    }
    let logs = h.flush_logs().await;
    assert_eq!(h.state.recorder.total_recorded(), 0, "no operation");
    assert_eq!(h.state.recorder.recent_len(), 0, "nothing in the journal");
    assert_eq!(
        logs.len(),
        0,
        "nothing logged: {}",
        &logs[..logs.len().min(400)]
    );
    assert_eq!(
        h.state.counters.refused_count(Refusal::CredentialsMissing),
        n
    );
    let health = h.json("/health").await;
    assert_eq!(health["status"], "healthy");
    assert_eq!(health["storage_metrics"]["total_operations_5m"], 0);
    let ops = h.json("/metrics/operations").await;
    assert_eq!(ops["bucket_analytics"], serde_json::json!({}));
    let metrics = h
        .get("/metrics", HeaderMap::new())
        .await
        .text()
        .await
        .unwrap();
    assert!(!metrics.contains("bucket=\"alpha\""), "alpha got no label");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tenants_error_text_is_bounded_everywhere() {
    let h = Harness::start().await;
    let huge = "q".repeat(60_000);
    let r = h.get(&format!("/s3/alpha?{huge}=1"), tenant()).await;
    assert_eq!(r.status().as_u16(), 400);
    let detail = crate::support::error_text(r).await;
    assert!(detail.len() <= 600, "{}", &detail[..detail.len().min(700)]);
    let logs = h.flush_logs().await;
    let line = logs.lines().last().unwrap();
    assert!(
        line.contains("STORAGE_OP_ERROR") && line.len() < 600,
        "{line}"
    );
    let e = &h.json("/logs/operations?limit=1").await["logs"][0];
    assert!(e["error"].as_str().unwrap().len() <= 260, "{e}");
    assert_eq!(e["bucket"], "alpha", "the bucket it named, shown");
    let ops = h.json("/metrics/operations").await;
    assert!(
        ops["bucket_analytics"].get("alpha").is_none(),
        "and counted nowhere"
    );
}
