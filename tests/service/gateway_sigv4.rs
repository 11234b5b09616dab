//! Gateway credentials with a standard SigV4 client (aws-sdk-s3 as any application uses
//! it: a key, a secret, a session token, an endpoint): the S3 API through the gateway,
//! presigned URLs, and every way a signature can be wrong — each refused with the S3
//! error and never sent to the store.

use std::time::Duration;

use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};
use serde_json::Value;

use crate::gateway::data;
use crate::support::{Harness, KEY, SECRET, Server, s3_client, tenant};

/// `POST /gateway/credentials` with the tenant headers and `body`.
pub async fn issue(h: &Server, body: &str) -> (u16, Value) {
    let r = h
        .http
        .post(h.url("/gateway/credentials"))
        .headers(tenant())
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// An SDK client with issued credentials `c`, against `endpoint`.
pub fn client_with(c: &Value, endpoint: &str) -> aws_sdk_s3::Client {
    let s = |k: &str| c[k].as_str().unwrap().to_string();
    let creds = Credentials::new(
        s("access_key_id"),
        s("secret_access_key"),
        Some(s("session_token")),
        None,
        "gateway",
    );
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(s("region")))
        .endpoint_url(endpoint)
        .credentials_provider(creds)
        .force_path_style(true)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

fn code<E: aws_sdk_s3::error::ProvideErrorMetadata>(e: &aws_sdk_s3::error::SdkError<E>) -> String {
    aws_sdk_s3::error::ProvideErrorMetadata::code(e)
        .unwrap_or("<none>")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_credentials_are_an_ordinary_s3_credential() {
    let h = Harness::start().await;
    let (status, c) = issue(&h, "").await;
    assert_eq!(status, 200, "{c}");
    for field in [
        "access_key_id",
        "secret_access_key",
        "session_token",
        "expiration",
        "region",
    ] {
        assert!(
            c[field].as_str().is_some_and(|v| !v.is_empty()),
            "{field}: {c}"
        );
    }
    assert_eq!(c["endpoint_url"], h.url("/s3/"));
    assert!(
        !c.to_string().contains(SECRET),
        "the tenant's secret never shows"
    );
    let expires = chrono::DateTime::parse_from_rfc3339(c["expiration"].as_str().unwrap()).unwrap();
    let left = expires
        .signed_duration_since(chrono::Utc::now())
        .num_minutes();
    assert!(
        (719..=720).contains(&left),
        "12 hours by default: {left} min"
    );
    let g = client_with(&c, c["endpoint_url"].as_str().unwrap());
    g.create_bucket().bucket("made-here").send().await.unwrap();
    // In memory (a signed SHA-256 and a CRC32 header), and from a file (aws-chunked with
    // signed chunks and a signed checksum trailer).
    let small = data(100_000, 21);
    g.put_object()
        .bucket("made-here")
        .key("small.bin")
        .body(small.clone().into())
        .send()
        .await
        .unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    let big = data(3 * 1024 * 1024 + 5, 22);
    std::fs::write(file.path(), &big).unwrap();
    g.put_object()
        .bucket("made-here")
        .key("dir/from-file.bin")
        .body(ByteStream::from_path(file.path()).await.unwrap())
        .send()
        .await
        .unwrap();
    // Multipart: two parts, completed.
    let up = g
        .create_multipart_upload()
        .bucket("made-here")
        .key("multi.bin")
        .send()
        .await
        .unwrap();
    let id = up.upload_id().unwrap();
    let parts = [data(5 * 1024 * 1024, 23), data(1234, 24)];
    let mut done = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let n = i as i32 + 1;
        let r = g
            .upload_part()
            .bucket("made-here")
            .key("multi.bin")
            .upload_id(id)
            .part_number(n)
            .body(p.clone().into())
            .send()
            .await
            .unwrap();
        done.push(
            CompletedPart::builder()
                .part_number(n)
                .e_tag(r.e_tag().unwrap())
                .build(),
        );
    }
    g.complete_multipart_upload()
        .bucket("made-here")
        .key("multi.bin")
        .upload_id(id)
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .set_parts(Some(done))
                .build(),
        )
        .send()
        .await
        .unwrap();
    // What the store holds is what was sent — with the checksum the file upload carried
    // in its trailer (the store keeps it, as it would without the gateway).
    let direct = s3_client(&h.store);
    let head = direct
        .head_object()
        .bucket("made-here")
        .key("dir/from-file.bin")
        .checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled)
        .send()
        .await
        .unwrap();
    let crc = crc32fast::hash(&big).to_be_bytes();
    use base64::Engine;
    let want = base64::engine::general_purpose::STANDARD.encode(crc);
    assert_eq!(
        head.checksum_crc32(),
        Some(want.as_str()),
        "the trailer's checksum reached the store"
    );
    for (key, want) in [
        ("small.bin", small.clone()),
        ("dir/from-file.bin", big.clone()),
        ("multi.bin", [parts[0].clone(), parts[1].clone()].concat()),
    ] {
        let got = direct
            .get_object()
            .bucket("made-here")
            .key(key)
            .send()
            .await
            .unwrap();
        let bytes = got.body.collect().await.unwrap().into_bytes();
        assert!(bytes[..] == want[..], "{key}: {} bytes", bytes.len());
        let through = g
            .get_object()
            .bucket("made-here")
            .key(key)
            .send()
            .await
            .unwrap();
        assert!(
            through.body.collect().await.unwrap().into_bytes()[..] == want[..],
            "{key}"
        );
    }
    // Listing v1 stays v1, v2 stays v2; DeleteObjects; the bucket goes.
    let v1 = g.list_objects().bucket("made-here").send().await.unwrap();
    assert_eq!(v1.contents().len(), 3);
    let v2 = g
        .list_objects_v2()
        .bucket("made-here")
        .prefix("dir/")
        .send()
        .await
        .unwrap();
    assert_eq!(v2.key_count(), Some(1));
    let ids = ["small.bin", "dir/from-file.bin", "multi.bin"]
        .map(|k| ObjectIdentifier::builder().key(k).build().unwrap());
    let deleted = g
        .delete_objects()
        .bucket("made-here")
        .delete(
            Delete::builder()
                .set_objects(Some(ids.to_vec()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.deleted().len(), 3);
    g.delete_bucket().bucket("made-here").send().await.unwrap();
    let gone = g
        .head_bucket()
        .bucket("made-here")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.raw_response().map(|r| r.status().as_u16()), Some(404));
    // Each request is one operation named by its S3 API.
    let v = h.json("/logs/operations?limit=100").await;
    let named = |api: &str| {
        v["logs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["s3_api"] == api)
            .count()
    };
    for (api, n) in [
        ("CreateBucket", 1),
        ("PutObject", 2),
        ("CreateMultipartUpload", 1),
        ("UploadPart", 2),
        ("CompleteMultipartUpload", 1),
        ("ListObjects", 1),
        ("ListObjectsV2", 1),
        ("DeleteObjects", 1),
        ("DeleteBucket", 1),
    ] {
        assert_eq!(named(api), n, "{api}");
    }
    let create = v["logs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["s3_api"] == "CreateBucket")
        .unwrap();
    assert_eq!(create["operation_type"], "MANAGE_BUCKET");
    assert_eq!(create["bucket"], "made-here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presigned_urls_need_no_header_and_expire() {
    use aws_sdk_s3::presigning::PresigningConfig;
    let h = Harness::start().await;
    let (_, c) = issue(&h, r#"{"ttl_seconds": 3600}"#).await;
    let g = client_with(&c, c["endpoint_url"].as_str().unwrap());
    let body = data(70_000, 25);
    let put = g
        .put_object()
        .bucket("alpha")
        .key("presigned.bin")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(600)).unwrap())
        .await
        .unwrap();
    let plain = reqwest::Client::new();
    let r = plain
        .put(put.uri())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let get = g
        .get_object()
        .bucket("alpha")
        .key("presigned.bin")
        .response_content_type("application/x-check")
        .presigned(PresigningConfig::expires_in(Duration::from_secs(1)).unwrap())
        .await
        .unwrap();
    let r = plain.get(get.uri()).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "application/x-check",
        "response-* crossed"
    );
    assert_eq!(&r.bytes().await.unwrap()[..], &body[..]);
    // A changed parameter breaks the signature.
    let tampered = get.uri().replace("x-check", "x-other");
    let r = plain.get(&tampered).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("<Code>SignatureDoesNotMatch</Code>")
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let r = plain.get(get.uri()).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let text = r.text().await.unwrap();
    assert!(
        text.contains("<Code>AccessDenied</Code>") && text.contains("expired"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_signature_key_or_token_is_refused_before_the_store() {
    use spacewatch::telemetry::prom::Refusal;
    let h = Harness::start().await;
    let (_, c) = issue(&h, "").await;
    let (_, other) = issue(&h, "").await;
    let (_, short) = issue(&h, r#"{"ttl_seconds": 1}"#).await;
    let mut wrong_secret = c.clone();
    wrong_secret["secret_access_key"] = "x".repeat(40).into();
    let mut swapped = c.clone();
    swapped["session_token"] = other["session_token"].clone();
    let mut unknown = c.clone();
    unknown["access_key_id"] = "AKIAIOSFODNN7EXAMPLE".into();
    let mut garbage = c.clone();
    garbage["session_token"] = "not-a-token".into();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let served = h.store.served().snapshot();
    let refused = h.state.counters.refused_count(Refusal::CredentialsInvalid);
    let cases = [
        (wrong_secret, "SignatureDoesNotMatch", 403),
        (swapped, "InvalidToken", 403),
        (garbage, "InvalidToken", 403),
        (unknown, "InvalidAccessKeyId", 403),
        (short, "ExpiredToken", 400),
    ];
    let n = cases.len();
    for (creds, want, status) in cases {
        let g = client_with(&creds, &h.url("/s3/"));
        let e = g
            .get_object()
            .bucket("alpha")
            .key("dir/obj-0000")
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&e), want, "{e:?}");
        assert_eq!(
            e.raw_response().map(|r| r.status().as_u16()),
            Some(status),
            "{want}"
        );
    }
    assert_eq!(
        h.store.served().snapshot(),
        served,
        "nothing reached the store"
    );
    assert_eq!(
        h.state.counters.refused_count(Refusal::CredentialsInvalid),
        refused + n as u64,
        "each counted as refused"
    );
    assert_eq!(
        h.state.recorder.total_recorded(),
        0,
        "and none is an operation"
    );
    // A request signed far from now (the SDK would retry it with its clock corrected
    // from the answer's Date: retries off, the first answer shows).
    let g = client_with(&c, c["endpoint_url"].as_str().unwrap());
    let skewed = g
        .get_object()
        .bucket("alpha")
        .key("dir/obj-0000")
        .customize()
        .config_override(
            aws_sdk_s3::config::Config::builder()
                .time_source(aws_smithy_async::time::StaticTimeSource::new(
                    std::time::SystemTime::now() - Duration::from_secs(3600),
                ))
                .retry_config(aws_sdk_s3::config::retry::RetryConfig::disabled()),
        )
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&skewed), "RequestTimeTooSkewed");
    // The right credentials work (a new client: the SDK keeps the skew it saw).
    let g = client_with(&c, &h.url("/s3/"));
    let ok = g
        .get_object()
        .bucket("alpha")
        .key("dir/obj-0000")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.body.collect().await.unwrap().into_bytes().len(), 100);
    let (status, _) = {
        let r = h
            .http
            .post(h.url("/gateway/credentials"))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), ())
    };
    assert_eq!(status, 400, "no tenant headers, no credentials");
    let (status, v) = issue(&h, r#"{"ttl_seconds": 604801}"#).await;
    assert_eq!(status, 400, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_root_listener_is_the_same_gateway() {
    let h = Harness::start().await;
    let (_, c) = issue(&h, "").await;
    let g = client_with(&c, &h.s3_base);
    let names: Vec<String> = g
        .list_buckets()
        .send()
        .await
        .unwrap()
        .buckets()
        .iter()
        .filter_map(|b| b.name().map(str::to_string))
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["alpha", "beta", "gamma"]);
    g.put_object()
        .bucket("beta")
        .key("root.txt")
        .body(b"at the root".to_vec().into())
        .send()
        .await
        .unwrap();
    let got = g
        .get_object()
        .bucket("beta")
        .key("root.txt")
        .send()
        .await
        .unwrap();
    assert_eq!(
        &got.body.collect().await.unwrap().into_bytes()[..],
        b"at the root"
    );
    let v = h.json("/logs/operations?limit=3").await;
    assert_eq!(v["logs"][0]["endpoint"], "/{bucket}/{*key}", "{v}");
    // The tenant headers work there too.
    let r = h
        .http
        .get(format!("{}/beta/root.txt", h.s3_base))
        .headers(tenant())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(KEY.len(), 20);
}
