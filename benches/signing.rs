//! The SigV4 signing path of the gateway (issue 12's lever "signing-key cache"):
//!
//! * `signing/cached` — `sign_request` with the credential's key kept for its UTC day
//!   (what the gateway does): one HMAC and one SHA-256 over the canonical request;
//! * `signing/uncached` — the same signer deriving the key every request (four more
//!   HMACs over the secret);
//! * `signing/aws_sigv4_general` — aws-sigv4's general-purpose signer with the S3
//!   settings, the path the gateway took before, measured in the same run as the anchor.
//!
//! The request is the one the gateway signs most: a GET of an object, with the headers a
//! client sends through it.
//!
//! Group `verify` (issue 16: what a request signed with a gateway credential costs on top
//! of re-signing), each step of `api::gateway::auth::signed` on a header-signed GET:
//! `parse` (the Authorization header into a claim), `open` (the session token: base64,
//! AES-256-GCM, the gateway secret's HMAC), `key` (the client's signing key from the
//! per-credential day cache), `check` (the canonical request, its SHA-256 and the HMAC),
//! and `all` of them in a row.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use axum::body::Body;
use criterion::{Criterion, criterion_group, criterion_main};
use http::Request;
use spacewatch::config::Secret;
use spacewatch::storage::Account;
use spacewatch::storage::gateway::{Payload, SigningKeys, sign_request};
use spacewatch::storage::sigv4::verify::{self, Sent};
use spacewatch::tenant::VerifyKeys;
use spacewatch::tenant::sealed::{SealKeys, Sealed};

fn account(secret: &Secret) -> Account<'_> {
    Account {
        key: "DO00BENCHKEY0000000",
        secret,
        region: "nyc3",
        endpoint: "https://nyc3.digitaloceanspaces.com",
    }
}

fn request() -> Request<Body> {
    Request::builder()
        .method("GET")
        .uri("https://nyc3.digitaloceanspaces.com/demo-assets/reports/2026/11/q4%20summary.pdf")
        .header("host", "nyc3.digitaloceanspaces.com")
        .header("accept", "*/*")
        .header("range", "bytes=0-4095")
        .header("user-agent", "curl/8.5.0")
        .body(Body::empty())
        .unwrap()
}

/// aws-sigv4's general signer on the same request (S3 settings, unsigned payload).
fn general(req: &mut Request<Body>, c: &Account<'_>, now: SystemTime) {
    let identity =
        aws_sdk_s3::config::Credentials::new(c.key, c.secret.expose(), None, None, "b").into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = aws_sigv4::sign::v4::SigningParams::builder()
        .identity(&identity)
        .region(c.region)
        .name("s3")
        .time(now)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let uri = req.uri().to_string();
    let headers = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
    let signable = SignableRequest::new(
        req.method().as_str(),
        uri.as_str(),
        headers,
        SignableBody::UnsignedPayload,
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions.apply_to_request_http1x(req);
}

fn bench(c: &mut Criterion) {
    let secret = Secret::new("bench-secret-0123456789abcdefghijklmnopqrstuv");
    let creds = account(&secret);
    let now = SystemTime::now();
    let mut g = c.benchmark_group("signing");
    let keys = SigningKeys::default();
    g.bench_function("cached", |b| {
        b.iter_batched_ref(
            request,
            |r| sign_request(r, creds, &keys, &Payload::Unsigned, now).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("uncached", |b| {
        b.iter_batched_ref(
            request,
            |r| {
                let fresh = SigningKeys::default();
                sign_request(r, creds, &fresh, &Payload::Unsigned, now).unwrap()
            },
            criterion::BatchSize::SmallInput,
        )
    });
    g.bench_function("aws_sigv4_general", |b| {
        b.iter_batched_ref(
            request,
            |r| general(r, &creds, now),
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

/// A GET signed as an S3 SDK signs it, with issued gateway credentials.
fn signed_get(seal: &SealKeys) -> (Request<Body>, String) {
    let tenant = Sealed {
        key: "DO00BENCHKEY0000000".into(),
        secret: Secret::new("bench-secret-0123456789abcdefghijklmnopqrstuv"),
        endpoint: "https://nyc3.digitaloceanspaces.com".into(),
        region: "nyc3".into(),
        expires: SystemTime::now() + Duration::from_secs(3600),
    };
    let issued = seal.issue(&tenant);
    let mut req = request();
    req.headers_mut().insert(
        "x-amz-security-token",
        issued.session_token.parse().unwrap(),
    );
    let client = Account {
        key: &issued.access_key_id,
        secret: &issued.secret_access_key,
        region: "nyc3",
        endpoint: "https://nyc3.digitaloceanspaces.com",
    };
    let payload = Payload::Hashed(EMPTY_SHA256.into());
    sign_request(
        &mut req,
        client,
        &SigningKeys::default(),
        &payload,
        SystemTime::now(),
    )
    .unwrap();
    (req, issued.session_token)
}

const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn bench_verify(c: &mut Criterion) {
    let seal = SealKeys::new(&[Secret::new("11".repeat(32))]).unwrap();
    let (req, token) = signed_get(&seal);
    let (parts, _) = req.into_parts();
    let auth = parts.headers["authorization"].to_str().unwrap().to_string();
    let now = SystemTime::now();
    let keys = VerifyKeys::new(64);
    let sent = Sent {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
    };
    let claim = verify::from_header(&auth, &parts.headers).unwrap();
    let opened = seal.open(&claim.access_key, &token, now).unwrap();
    let secret = opened.gateway_secret.expose();
    let key = keys
        .get(&claim.access_key, secret, &claim.region)
        .key_for_date(secret, &claim.date, &claim.region)
        .unwrap();
    verify::verify(&claim, &sent, &key).expect("the request verifies");

    let mut g = c.benchmark_group("verify");
    g.bench_function("parse", |b| {
        b.iter(|| verify::from_header(black_box(&auth), &parts.headers).unwrap())
    });
    g.bench_function("open", |b| {
        b.iter(|| {
            seal.open(&claim.access_key, black_box(&token), now)
                .unwrap()
        })
    });
    g.bench_function("key", |b| {
        b.iter(|| {
            keys.get(&claim.access_key, secret, &claim.region)
                .key_for_date(secret, black_box(&claim.date), &claim.region)
                .unwrap()
        })
    });
    g.bench_function("check", |b| {
        b.iter(|| verify::verify(&claim, black_box(&sent), &key).unwrap())
    });
    g.bench_function("all", |b| {
        b.iter(|| {
            let claim = verify::from_header(black_box(&auth), &parts.headers).unwrap();
            let opened = seal.open(&claim.access_key, &token, now).unwrap();
            let secret = opened.gateway_secret.expose();
            let key = keys
                .get(&claim.access_key, secret, &claim.region)
                .key_for_date(secret, &claim.date, &claim.region)
                .unwrap();
            verify::verify(&claim, &sent, &key).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_verify);
criterion_main!(benches);
