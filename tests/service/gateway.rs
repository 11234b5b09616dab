//! A real S3 client (aws-sdk-s3) pointed at the gateway: round trips, byte for byte.

use aws_sdk_s3::config::interceptors::BeforeTransmitInterceptorContextMut;
use aws_sdk_s3::config::{
    BehaviorVersion, ConfigBag, Credentials, Intercept, Region, RuntimeComponents,
};
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_runtime_api::box_error::BoxError;
use serde_json::Value;

use crate::support::{Harness, KEY, SECRET, Server, s3_client};

/// Adds SpaceWatch's tenant headers to every request the SDK sends.
#[derive(Debug)]
struct TenantHeaders(String, String);

impl Intercept for TenantHeaders {
    fn name(&self) -> &'static str {
        "TenantHeaders"
    }

    fn modify_before_transmit(
        &self,
        ctx: &mut BeforeTransmitInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let h = ctx.request_mut().headers_mut();
        h.insert("x-spaces-key", self.0.clone());
        h.insert("x-spaces-secret", self.1.clone());
        Ok(())
    }
}

/// An SDK client whose endpoint is the gateway (`…/s3/`: the SDK appends the bucket
/// without a slash), signing with dummy keys that
/// the gateway ignores; the tenant's real credentials travel in the headers.
pub fn gateway_client(h: &Server, key: &str, secret: &str) -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(h.url("/s3/"))
        .credentials_provider(Credentials::new("unused", "unused", None, None, "test"))
        .force_path_style(true)
        .interceptor(TenantHeaders(key.into(), secret.into()))
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// Deterministic, incompressible-looking bytes.
pub fn data(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_round_trip_byte_for_byte() {
    let h = Harness::start().await;
    let c = gateway_client(&h, KEY, SECRET);
    let body = data(3 * 1024 * 1024 + 17, 1);
    let keys = [
        "plain.bin",
        "dir/with space/ünïcödé+plus%.bin",
        "a/b/c/d.bin",
    ];
    for (i, key) in keys.iter().enumerate() {
        c.put_object()
            .bucket("alpha")
            .key(*key)
            .content_type("application/x-test")
            .metadata("owner", format!("t{i}"))
            .body(ByteStream::from(body.clone()))
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
        let got = c
            .get_object()
            .bucket("alpha")
            .key(*key)
            .send()
            .await
            .unwrap();
        assert_eq!(got.content_type(), Some("application/x-test"));
        assert_eq!(got.content_length(), Some(body.len() as i64));
        assert!(got.e_tag().is_some() && got.last_modified().is_some());
        let bytes = got.body.collect().await.unwrap().into_bytes();
        assert!(bytes[..] == body[..], "{key}: bytes differ");
        let head = c
            .head_object()
            .bucket("alpha")
            .key(*key)
            .send()
            .await
            .unwrap();
        assert_eq!(head.content_length(), Some(body.len() as i64));
        assert_eq!(
            head.metadata()
                .and_then(|m| m.get("owner"))
                .map(String::as_str),
            Some(&*format!("t{i}"))
        );
    }
    // What the store holds is what was sent.
    let direct = s3_client(&h.store)
        .get_object()
        .bucket("alpha")
        .key(keys[1])
        .send()
        .await
        .unwrap();
    assert!(direct.body.collect().await.unwrap().into_bytes()[..] == body[..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_requests_get_206_and_the_exact_slice() {
    let h = Harness::start().await;
    let c = gateway_client(&h, KEY, SECRET);
    let body = data(100_000, 2);
    c.put_object()
        .bucket("alpha")
        .key("r.bin")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    let got = c
        .get_object()
        .bucket("alpha")
        .key("r.bin")
        .range("bytes=1000-1999")
        .send()
        .await
        .unwrap();
    assert_eq!(got.content_range(), Some("bytes 1000-1999/100000"));
    assert_eq!(got.content_length(), Some(1000));
    assert!(got.body.collect().await.unwrap().into_bytes()[..] == body[1000..2000]);
    // Through plain HTTP too: the status is 206.
    let mut hd = crate::support::tenant();
    hd.insert("range", "bytes=-10".parse().unwrap());
    let r = h.get("/s3/alpha/r.bin", hd).await;
    assert_eq!(r.status(), 206);
    assert_eq!(r.headers()["content-range"], "bytes 99990-99999/100000");
    assert_eq!(&r.bytes().await.unwrap()[..], &body[99_990..]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_pages_and_deletes() {
    let h = Harness::start().await;
    let c = gateway_client(&h, KEY, SECRET);
    for i in 0..5 {
        c.put_object()
            .bucket("beta")
            .key(format!("p/{i}"))
            .body(vec![b'x'; i].into())
            .send()
            .await
            .unwrap();
    }
    let mut keys = Vec::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = c
            .list_objects_v2()
            .bucket("beta")
            .prefix("p/")
            .max_keys(2)
            .set_continuation_token(token.take())
            .send()
            .await
            .unwrap();
        pages += 1;
        keys.extend(page.contents().iter().map(|o| o.key().unwrap().to_string()));
        match page.next_continuation_token() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(keys, ["p/0", "p/1", "p/2", "p/3", "p/4"]);
    let buckets = c.list_buckets().send().await.unwrap();
    let names: Vec<&str> = buckets.buckets().iter().filter_map(|b| b.name()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    c.delete_object()
        .bucket("beta")
        .key("p/3")
        .send()
        .await
        .unwrap();
    let err = c
        .get_object()
        .bucket("beta")
        .key("p/3")
        .send()
        .await
        .unwrap_err();
    let code = aws_sdk_s3::error::ProvideErrorMetadata::code(&err).map(str::to_string);
    assert_eq!(
        code.as_deref(),
        Some("NoSuchKey"),
        "the S3 error reaches the S3 client"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_are_recorded_with_bytes_and_first_byte() {
    let h = Harness::start().await;
    let c = gateway_client(&h, KEY, SECRET);
    let body = data(250_000, 3);
    c.put_object()
        .bucket("alpha")
        .key("rec.bin")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    let got = c
        .get_object()
        .bucket("alpha")
        .key("rec.bin")
        .send()
        .await
        .unwrap();
    got.body.collect().await.unwrap();
    c.head_object()
        .bucket("alpha")
        .key("rec.bin")
        .send()
        .await
        .unwrap();
    c.delete_object()
        .bucket("alpha")
        .key("rec.bin")
        .send()
        .await
        .unwrap();
    let v: Value = h.json("/logs/operations?limit=10").await;
    let logs = v["logs"].as_array().unwrap();
    let find = |t: &str| {
        logs.iter()
            .find(|e| e["operation_type"] == t)
            .unwrap_or_else(|| panic!("{t} in {v}"))
    };
    let get = find("GET_OBJECT");
    assert_eq!(get["bytes_out"], body.len());
    assert!(get["first_byte_ms"].as_f64().unwrap() > 0.0);
    assert!(get["first_byte_ms"].as_f64() <= get["duration_ms"].as_f64());
    assert_eq!(
        get["endpoint"], "/s3/{bucket}/{*key}",
        "the route template, never the key"
    );
    assert_eq!(get["bucket"], "alpha");
    assert_eq!(find("PUT_OBJECT")["bytes_in"], body.len());
    assert_eq!(find("HEAD_OBJECT")["status_code"], 200);
    assert_eq!(find("DELETE_OBJECT")["status_code"], 204);
    assert!(
        !v.to_string().contains("rec.bin"),
        "object keys never reach the log"
    );
}

/// A HEAD is forwarded as the HEAD it is — of a bucket, HeadBucket; of the service
/// root, no listing (the store answers it as it will) — answered without a body, and
/// recorded once as what it was, not as a client that left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_is_forwarded_as_a_head_and_recorded_as_answered() {
    let h = Harness::start().await;
    let http = reqwest::Client::new();
    let listed_before = h
        .store
        .served()
        .of(spacewatch::telemetry::s3::S3Api::ListBuckets);
    let mut answers = Vec::new();
    for path in ["/s3/", "/s3/alpha"] {
        let r = http
            .head(h.url(path))
            .headers(crate::support::tenant())
            .send()
            .await
            .unwrap();
        answers.push(r.status().as_u16());
        assert!(r.bytes().await.unwrap().is_empty(), "{path}: no body");
    }
    assert_eq!(answers[1], 200, "HeadBucket of an existing bucket");
    let listed = h
        .store
        .served()
        .of(spacewatch::telemetry::s3::S3Api::ListBuckets);
    assert!(
        listed <= listed_before + 1,
        "HEAD /s3/ was no GET listing (one ListBuckets verifies the tenant): {listed}"
    );
    let v: Value = h.json("/logs/operations?limit=10").await;
    let logs = v["logs"].as_array().unwrap();
    for (api, status) in [("Other", answers[0]), ("HeadBucket", answers[1])] {
        let e = logs
            .iter()
            .find(|e| e["s3_api"] == api)
            .unwrap_or_else(|| panic!("{api} in {v}"));
        assert_eq!(e["method"], "HEAD", "{e}");
        assert_eq!(e["status_code"], status, "{e}");
    }
    let bucket = logs.iter().find(|e| e["s3_api"] == "HeadBucket").unwrap();
    assert_eq!(bucket["operation_type"], "MANAGE_BUCKET");
    assert_eq!(bucket["error"], Value::Null, "{bucket}");
}

/// CopyObject through the gateway copies (it once became an empty PUT: the copy source
/// header was not forwarded), and `aws s3 mv` — the copy, then the source deleted —
/// keeps every byte.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_and_move_keep_every_byte() {
    let h = Harness::start().await;
    let c = gateway_client(&h, KEY, SECRET);
    let body = data(300_000, 4);
    c.put_object()
        .bucket("alpha")
        .key("src.bin")
        .metadata("owner", "first")
        .body(body.clone().into())
        .send()
        .await
        .unwrap();
    c.copy_object()
        .bucket("beta")
        .key("copied.bin")
        .copy_source("alpha/src.bin")
        .metadata_directive(aws_sdk_s3::types::MetadataDirective::Replace)
        .metadata("owner", "second")
        .send()
        .await
        .unwrap();
    c.delete_object()
        .bucket("alpha")
        .key("src.bin")
        .send()
        .await
        .unwrap();
    let got = s3_client(&h.store)
        .get_object()
        .bucket("beta")
        .key("copied.bin")
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.metadata()
            .and_then(|m| m.get("owner"))
            .map(String::as_str),
        Some("second"),
        "the metadata directive reached the store"
    );
    let bytes = got.body.collect().await.unwrap().into_bytes();
    assert_eq!(
        bytes.len(),
        body.len(),
        "the copy is whole, not an empty object"
    );
    assert!(bytes[..] == body[..], "the copy holds the source's bytes");
}

/// Every request header of the S3 API reaches the store as the client sent it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_s3_request_header_reaches_the_store() {
    use crate::fault_proxy::FaultProxy;
    let store = spacewatch::demo::DemoStore::start(KEY, SECRET)
        .await
        .unwrap();
    s3_client(&store)
        .create_bucket()
        .bucket("alpha")
        .send()
        .await
        .unwrap();
    let tap = FaultProxy::start(store.addr(), Vec::new()).await;
    let mut settings = crate::support::settings_for(&store);
    settings.endpoint = Some(tap.endpoint());
    settings.allow_endpoints.push(tap.endpoint());
    let h = Harness::serve(
        store,
        settings,
        std::sync::Arc::new(spacewatch::telemetry::SystemClock),
    )
    .await;
    for (i, (name, value)) in S3_REQUEST_HEADERS.iter().enumerate() {
        let mut hd = crate::support::tenant();
        hd.insert(*name, value.parse().unwrap());
        let path = format!("/s3/alpha/hdr-{i}");
        let (status, answer) = h.raw("PUT", &path, &hd, b"0123456789".to_vec()).await;
        let sent = tap.seen();
        let upstream = sent.contains(&format!("PUT /alpha/hdr-{i} "));
        if status == 501 {
            assert!(
                answer.contains("<Code>NotImplemented</Code>"),
                "{name}: {answer}"
            );
            assert!(!upstream, "{name}: refused, yet sent upstream");
        } else {
            assert!(upstream, "{name}: {status} {answer}");
            let line = format!("\r\n{name}: {value}\r\n");
            assert!(
                sent.contains(&line),
                "{name} was dropped on the way ({status})"
            );
        }
    }
}

/// The request headers of the S3 API reference that change what a request means, with
/// a value of the right shape for each.
const S3_REQUEST_HEADERS: &[(&str, &str)] = &[
    ("x-amz-copy-source", "/alpha/hdr-0"),
    ("x-amz-copy-source-if-match", "\"abc\""),
    ("x-amz-copy-source-if-none-match", "\"abc\""),
    (
        "x-amz-copy-source-if-modified-since",
        "Tue, 01 Jan 2030 00:00:00 GMT",
    ),
    (
        "x-amz-copy-source-if-unmodified-since",
        "Tue, 01 Jan 2030 00:00:00 GMT",
    ),
    ("x-amz-copy-source-range", "bytes=0-4"),
    (
        "x-amz-copy-source-server-side-encryption-customer-algorithm",
        "AES256",
    ),
    (
        "x-amz-copy-source-server-side-encryption-customer-key",
        "a2V5",
    ),
    (
        "x-amz-copy-source-server-side-encryption-customer-key-md5",
        "bWQ1",
    ),
    ("x-amz-metadata-directive", "REPLACE"),
    ("x-amz-tagging", "k=v"),
    ("x-amz-tagging-directive", "REPLACE"),
    ("x-amz-acl", "public-read"),
    ("x-amz-grant-full-control", "id=abc"),
    ("x-amz-grant-read", "id=abc"),
    ("x-amz-grant-read-acp", "id=abc"),
    ("x-amz-grant-write", "id=abc"),
    ("x-amz-grant-write-acp", "id=abc"),
    ("x-amz-object-lock-mode", "GOVERNANCE"),
    (
        "x-amz-object-lock-retain-until-date",
        "2030-01-01T00:00:00Z",
    ),
    ("x-amz-object-lock-legal-hold", "ON"),
    ("x-amz-bucket-object-lock-enabled", "true"),
    ("x-amz-bypass-governance-retention", "true"),
    ("x-amz-website-redirect-location", "/other"),
    ("x-amz-storage-class", "STANDARD"),
    ("x-amz-server-side-encryption", "AES256"),
    ("x-amz-server-side-encryption-aws-kms-key-id", "kms-key"),
    ("x-amz-server-side-encryption-context", "e30="),
    ("x-amz-server-side-encryption-bucket-key-enabled", "true"),
    ("x-amz-server-side-encryption-customer-algorithm", "AES256"),
    ("x-amz-server-side-encryption-customer-key", "a2V5"),
    ("x-amz-server-side-encryption-customer-key-md5", "bWQ1"),
    ("x-amz-checksum-crc32", "AAAAAA=="),
    ("x-amz-checksum-crc32c", "AAAAAA=="),
    ("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="),
    ("x-amz-checksum-sha1", "2jmj7l5rSw0yVb/vlWAYkK/YBwk="),
    (
        "x-amz-checksum-sha256",
        "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    ),
    ("x-amz-checksum-type", "FULL_OBJECT"),
    ("x-amz-sdk-checksum-algorithm", "CRC32"),
    ("x-amz-expected-bucket-owner", "123456789012"),
    ("x-amz-source-expected-bucket-owner", "123456789012"),
    ("x-amz-request-payer", "requester"),
    ("x-amz-mfa", "serial 123456"),
    ("x-amz-meta-owner", "me"),
    ("x-amz-write-offset-bytes", "0"),
    ("x-amz-object-ownership", "BucketOwnerEnforced"),
    ("x-amz-confirm-remove-self-bucket-access", "true"),
    ("x-amz-skip-destination-validation", "true"),
    ("x-amz-optional-object-attributes", "RestoreStatus"),
    ("x-amz-object-attributes", "ETag"),
    ("x-amz-max-parts", "10"),
    ("x-amz-part-number-marker", "1"),
    ("x-amz-request-route", "route"),
    ("x-amz-request-token", "token"),
    ("x-amz-mp-parts-count", "1"),
    ("x-amz-mp-object-size", "10"),
    ("if-match", "\"abc\""),
    ("if-none-match", "*"),
    ("if-modified-since", "Tue, 01 Jan 2030 00:00:00 GMT"),
    ("if-unmodified-since", "Tue, 01 Jan 2030 00:00:00 GMT"),
    ("content-md5", "nhB9nTcrtoJr2B01QqQZ1g=="),
    ("content-type", "text/plain"),
    ("content-disposition", "attachment"),
    ("content-language", "en"),
    ("cache-control", "no-cache"),
    ("expires", "Tue, 01 Jan 2030 00:00:00 GMT"),
];
