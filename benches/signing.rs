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

use std::time::SystemTime;

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

criterion_group!(benches, bench);
criterion_main!(benches);
