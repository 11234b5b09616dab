//! A signed body is checked on its way through the gateway: a signed aws-chunked upload
//! (its chunk signatures computed here from the AWS specification, independently of the
//! gateway's code) is stored when every chunk is the client's, and refused — nothing
//! stored — when one byte of one chunk changed; a body that does not match its
//! `x-amz-content-sha256` is refused the same way.

use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use sha2::{Digest, Sha256};

use crate::gateway::data;
use crate::gateway_sigv4::issue;
use crate::support::{Harness, s3_client};

const STREAMING: &str = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
const EMPTY_SHA: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Creds {
    key: String,
    secret: String,
    token: String,
    region: String,
}

fn creds(c: &serde_json::Value) -> Creds {
    let s = |k: &str| c[k].as_str().unwrap().to_string();
    Creds {
        key: s("access_key_id"),
        secret: s("secret_access_key"),
        token: s("session_token"),
        region: s("region"),
    }
}

/// The headers of a PUT of `url` with `extra` headers and payload hash `payload` (the
/// seed signature's request), signed by aws-sigv4 at `now`: all but `host`.
fn signed_headers(
    c: &Creds,
    url: &str,
    payload: &str,
    extra: &[(&str, String)],
    now: SystemTime,
) -> Vec<(String, String)> {
    let identity =
        aws_sdk_s3::config::Credentials::new(&c.key, &c.secret, Some(c.token.clone()), None, "t")
            .into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(&c.region)
        .name("s3")
        .time(now)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let host = url.split('/').nth(2).unwrap().to_string();
    let mut headers: Vec<(String, String)> = vec![("host".into(), host)];
    headers.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let signable = SignableRequest::new(
        "PUT",
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Precomputed(payload.into()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::builder()
        .method("PUT")
        .uri(url)
        .body(())
        .unwrap();
    for (k, v) in &headers {
        req.headers_mut().insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    instructions.apply_to_request_http1x(&mut req);
    req.headers()
        .iter()
        .filter(|(k, _)| k.as_str() != "host")
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap().to_string()))
        .collect()
}

fn hmac_hex(key: &[u8], msg: &str) -> String {
    aws_sigv4::sign::v4::calculate_signature(key, msg.as_bytes())
}

/// `data` framed as a signed aws-chunked body, `chunk` bytes a chunk; `corrupt` flips a
/// byte of the second chunk after signing it.
fn chunked_body(
    c: &Creds,
    seed: &str,
    now: SystemTime,
    data: &[u8],
    chunk: usize,
    corrupt: bool,
) -> Vec<u8> {
    let amz_date = chrono::DateTime::<chrono::Utc>::from(now)
        .format("%Y%m%dT%H%M%SZ")
        .to_string();
    let scope = format!("{}/{}/s3/aws4_request", &amz_date[..8], c.region);
    let key = aws_sigv4::sign::v4::generate_signing_key(&c.secret, now, &c.region, "s3");
    let mut prev = seed.to_string();
    let mut out = Vec::new();
    let mut pieces: Vec<&[u8]> = data.chunks(chunk).collect();
    pieces.push(b"");
    for (i, piece) in pieces.iter().enumerate() {
        let to_sign = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{amz_date}\n{scope}\n{prev}\n{EMPTY_SHA}\n{}",
            hex::encode(Sha256::digest(piece))
        );
        let sig = hmac_hex(key.as_ref(), &to_sign);
        out.extend(format!("{:x};chunk-signature={sig}\r\n", piece.len()).as_bytes());
        let mut bytes = piece.to_vec();
        if corrupt && i == 1 {
            bytes[7] ^= 0x20;
        }
        out.extend(bytes);
        out.extend(b"\r\n");
        prev = sig;
    }
    out
}

async fn put(
    h: &Harness,
    url: &str,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> (u16, String) {
    let mut r = reqwest::Client::new().put(url);
    for (k, v) in headers {
        r = r.header(k, v);
    }
    let resp = r.body(body).send().await.unwrap();
    let _ = h;
    (resp.status().as_u16(), resp.text().await.unwrap())
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
async fn chunk_signatures_are_checked_and_a_changed_chunk_stores_nothing() {
    let h = Harness::start().await;
    let (_, c) = issue(&h, "").await;
    let c = creds(&c);
    let body = data(200_000, 31);
    for (corrupt, key) in [(false, "signed-chunks.bin"), (true, "tampered-chunks.bin")] {
        let url = h.url(&format!("/s3/alpha/{key}"));
        let now = SystemTime::now();
        let framed_len = chunked_body(&c, &"0".repeat(64), now, &body, 65_536, false).len();
        let extra = [
            ("content-encoding", "aws-chunked".to_string()),
            ("content-length", framed_len.to_string()),
            ("x-amz-decoded-content-length", body.len().to_string()),
        ];
        let headers = signed_headers(&c, &url, STREAMING, &extra, now);
        let auth = headers.iter().find(|(k, _)| k == "authorization").unwrap();
        let seed = auth.1.rsplit_once("Signature=").unwrap().1.to_string();
        let framed = chunked_body(&c, &seed, now, &body, 65_536, corrupt);
        let (status, text) = put(&h, &url, headers, framed).await;
        if corrupt {
            assert_eq!(status, 403, "{text}");
            assert!(
                text.contains("<Code>SignatureDoesNotMatch</Code>"),
                "{text}"
            );
            assert_eq!(stored(&h, key).await, None, "nothing committed");
        } else {
            assert_eq!(status, 200, "{text}");
            assert_eq!(stored(&h, key).await.as_deref(), Some(&body[..]));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_unlike_its_declared_sha256_stores_nothing() {
    let h = Harness::start().await;
    let (_, c) = issue(&h, "").await;
    let c = creds(&c);
    for (n, key) in [
        (100_000usize, "big-mismatch.bin"),
        (10, "small-mismatch.bin"),
    ] {
        let body = data(n, 32);
        let url = h.url(&format!("/s3/alpha/{key}"));
        let claimed = hex::encode(Sha256::digest(b"something else"));
        let extra = [("content-length", n.to_string())];
        let headers = signed_headers(&c, &url, &claimed, &extra, SystemTime::now());
        let (status, text) = put(&h, &url, headers, body).await;
        assert_eq!(status, 400, "{text}");
        assert!(
            text.contains("<Code>XAmzContentSHA256Mismatch</Code>"),
            "{text}"
        );
        assert_eq!(stored(&h, key).await, None, "{key}: nothing committed");
    }
    // The same request with the body's own hash is stored.
    let body = data(50_000, 33);
    let url = h.url("/s3/alpha/matching.bin");
    let sha = hex::encode(Sha256::digest(&body));
    let extra = [("content-length", body.len().to_string())];
    let headers = signed_headers(&c, &url, &sha, &extra, SystemTime::now());
    let (status, text) = put(&h, &url, headers, body.clone()).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(stored(&h, "matching.bin").await.as_deref(), Some(&body[..]));
}

/// A body streamed without a length (`Transfer-Encoding: chunked`) goes on so — moto
/// takes it (s3s-fs wants a length) — and is checked against its declared SHA-256 at its
/// end, before its last chunk goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto (pip install 'moto[server]')"]
async fn a_body_without_a_length_is_checked_at_its_end() {
    use std::sync::Arc;
    let moto = crate::moto::Moto::start();
    let direct = crate::moto::direct(&moto.endpoint);
    direct
        .create_bucket()
        .bucket("streamed")
        .send()
        .await
        .unwrap();
    let mut settings = spacewatch::config::Settings::for_tests();
    settings.endpoint = Some(moto.endpoint.clone());
    settings.region = "us-east-1".into();
    let s =
        crate::support::Server::start(settings, Arc::new(spacewatch::telemetry::SystemClock)).await;
    let mut th = reqwest::header::HeaderMap::new();
    th.insert("X-Spaces-Key", "motokey".parse().unwrap());
    th.insert("X-Spaces-Secret", "motosecret".parse().unwrap());
    let c: serde_json::Value = s
        .http
        .post(s.url("/gateway/credentials"))
        .headers(th)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let c = creds(&c);
    let body = data(150_000, 34);
    for (right, key) in [(true, "streamed-ok.bin"), (false, "streamed-bad.bin")] {
        let url = s.url(&format!("/s3/streamed/{key}"));
        let sha = hex::encode(Sha256::digest(if right { &body[..] } else { b"other" }));
        let headers = signed_headers(&c, &url, &sha, &[], SystemTime::now());
        let pieces: Vec<Result<http_body::Frame<bytes::Bytes>, std::io::Error>> = body
            .chunks(40_000)
            .map(|p| Ok(http_body::Frame::data(bytes::Bytes::copy_from_slice(p))))
            .collect();
        let mut r = reqwest::Client::new().put(&url);
        for (k, v) in headers {
            r = r.header(k, v);
        }
        let resp = r
            .body(reqwest::Body::wrap(http_body_util::StreamBody::new(
                futures_util::stream::iter(pieces),
            )))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let got = direct
            .get_object()
            .bucket("streamed")
            .key(key)
            .send()
            .await
            .ok();
        if right {
            assert_eq!(status, 200, "{text}");
            let got = got.unwrap().body.collect().await.unwrap().into_bytes();
            assert!(got[..] == body[..], "stored byte for byte");
        } else {
            assert_eq!(status, 400, "{text}");
            assert!(text.contains("XAmzContentSHA256Mismatch"), "{text}");
            assert!(got.is_none(), "nothing committed");
        }
    }
}

/// A request that waited for `100 Continue` and got a refusal instead may not have sent
/// its body: its connection is closed, never read on as if the next request began there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_expect_continue_closes_its_connection() {
    let h = Harness::start().await;
    let addr = h.base.trim_start_matches("http://").to_string();
    let head = format!(
        "PUT /s3/no-such-bucket-here/k HTTP/1.1\r\nHost: {addr}\r\nX-Spaces-Key: {}\r\n\
         X-Spaces-Secret: {}\r\nContent-Length: 3\r\nExpect: 100-continue",
        crate::support::KEY,
        crate::support::SECRET
    );
    let r = crate::raw_http::send(
        &addr,
        head.as_bytes(),
        b"",
        std::time::Duration::from_secs(10),
    )
    .await
    .expect("an answer");
    assert_eq!(r.status, 404);
    assert_eq!(r.header("connection"), Some("close"));
}
