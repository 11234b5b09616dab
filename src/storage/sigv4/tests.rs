//! The signer against the AWS signing test suite, against aws-sigv4's own signer, and its
//! key cache across UTC midnight and across tenants.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use axum::body::Body;
use http::Request;

use super::canonical::{Signable, canonical_request, string_to_sign};
use super::{Payload, SigningKeys, sign_request};
use crate::config::Secret;
use crate::storage::Account;

fn vectors_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sigv4")
}

/// `METHOD PATH HTTP/1.1`, header lines, blank line, body.
fn parse_request(text: &str) -> (String, String, String, Vec<(String, String)>) {
    let mut lines = text.lines();
    let first = lines.next().unwrap();
    // The target may hold spaces: it runs from the first space to the last.
    let (method, rest) = first.split_once(' ').unwrap();
    let method = method.to_string();
    let target = rest.rsplit_once(' ').unwrap().0;
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let headers = lines
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            (k.to_string(), v.to_string())
        })
        .collect();
    (method, path.to_string(), query.to_string(), headers)
}

#[test]
fn the_aws_signing_test_suite_vectors_hold() {
    let mut checked = 0;
    for entry in std::fs::read_dir(vectors_dir()).unwrap() {
        let dir = entry.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let ctx: serde_json::Value = serde_json::from_str(&read("context.json")).unwrap();
        let (method, path, query, mut headers) = parse_request(&read("request.txt"));
        let time =
            chrono::DateTime::parse_from_rfc3339(ctx["timestamp"].as_str().unwrap()).unwrap();
        let amz_date = time.format("%Y%m%dT%H%M%SZ").to_string();
        headers.push(("X-Amz-Date".into(), amz_date.clone()));
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        let s = Signable {
            method: &method,
            path: &path,
            query: &query,
            headers: &pairs,
            payload_hash: empty,
        };
        let mut buf = String::new();
        canonical_request(&mut buf, &s);
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(
            buf,
            read("header-canonical-request.txt"),
            "{name}: canonical request"
        );
        let (region, service) = (
            ctx["region"].as_str().unwrap(),
            ctx["service"].as_str().unwrap(),
        );
        let scope = format!("{}/{region}/{service}/aws4_request", &amz_date[..8]);
        let sts = string_to_sign(&amz_date, &scope, &buf);
        assert_eq!(
            sts,
            read("header-string-to-sign.txt"),
            "{name}: string to sign"
        );
        let secret = ctx["credentials"]["secret_access_key"].as_str().unwrap();
        let when = UNIX_EPOCH + Duration::from_secs(time.timestamp() as u64);
        let key = aws_sigv4::sign::v4::generate_signing_key(secret, when, region, service);
        let sig = aws_sigv4::sign::v4::calculate_signature(key, sts.as_bytes());
        assert_eq!(
            sig,
            read("header-signature.txt").trim(),
            "{name}: signature"
        );
        checked += 1;
    }
    assert!(checked >= 15, "vectors found: {checked}");
}

/// A key and secret of the `nyc3` Spaces region.
struct Creds {
    key: String,
    secret: Secret,
    region: String,
}

impl Creds {
    fn account(&self) -> Account<'_> {
        Account {
            key: &self.key,
            secret: &self.secret,
            region: &self.region,
            endpoint: "https://nyc3.digitaloceanspaces.com",
        }
    }
}

fn creds(key: &str, secret: &str) -> Creds {
    Creds {
        key: key.into(),
        secret: Secret::new(secret),
        region: "nyc3".into(),
    }
}

fn request(method: &str, uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "nyc3.digitaloceanspaces.com");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

/// The Authorization aws-sigv4's general signer gives the same request (the signer the
/// gateway used before; S3 settings).
fn reference(req: &Request<Body>, c: &Creds, payload: &Payload, now: SystemTime) -> String {
    let identity =
        aws_sdk_s3::config::Credentials::new(&c.key, c.secret.expose(), None, None, "t").into();
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
    let uri = req.uri().to_string();
    let headers = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
    let body = match payload {
        Payload::Hashed(h) => SignableBody::Precomputed(h.clone()),
        _ => SignableBody::UnsignedPayload,
    };
    let signable =
        SignableRequest::new(req.method().as_str(), uri.as_str(), headers, body).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut out = request(req.method().as_str(), &uri, &[]);
    *out.headers_mut() = req.headers().clone();
    instructions.apply_to_request_http1x(&mut out);
    out.headers()["authorization"].to_str().unwrap().to_string()
}

#[test]
fn it_signs_exactly_as_aws_sigv4_does() {
    let c = creds(
        "AKIDEXAMPLE00000000",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    );
    let now = UNIX_EPOCH + Duration::from_secs(1_764_412_800); // 2025-11-29T10:40:00Z
    let hash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".to_string();
    let cases = [
        (
            "GET",
            "/bucket/dir/a%20b%2Bc%25.txt",
            vec![("range", "bytes=0-99")],
            Payload::Unsigned,
        ),
        (
            "GET",
            "/bucket/%C3%BCn%C3%AF/%C3%A7",
            vec![],
            Payload::Unsigned,
        ),
        (
            "PUT",
            "/bucket/k",
            vec![
                ("content-type", "text/plain"),
                ("x-amz-meta-owner", "a  b"),
                ("content-length", "0"),
            ],
            Payload::Hashed(hash),
        ),
        (
            "HEAD",
            "/bucket/k",
            vec![("if-none-match", "\"abc\"")],
            Payload::Unsigned,
        ),
        ("DELETE", "/bucket/k", vec![], Payload::Unsigned),
        (
            "GET",
            "/bucket?list-type=2&prefix=dir%2F&continuation-token=a%2Bb%3D%3D&max-keys=5",
            vec![],
            Payload::Unsigned,
        ),
        ("GET", "/", vec![], Payload::Unsigned),
    ];
    for (method, uri, headers, payload) in cases {
        let mut ours = request(method, uri, &headers);
        sign_request(
            &mut ours,
            c.account(),
            &SigningKeys::default(),
            &payload,
            now,
        )
        .unwrap();
        let mut theirs = request(method, uri, &headers);
        theirs
            .headers_mut()
            .insert("x-amz-date", ours.headers()["x-amz-date"].clone());
        theirs.headers_mut().insert(
            "x-amz-content-sha256",
            ours.headers()["x-amz-content-sha256"].clone(),
        );
        let want = reference(&theirs, &c, &payload, now);
        assert_eq!(
            ours.headers()["authorization"],
            want.as_str(),
            "{method} {uri}"
        );
    }
}

#[test]
fn the_key_rolls_over_at_utc_midnight() {
    let keys = SigningKeys::default();
    let before = UNIX_EPOCH + Duration::from_secs(1_764_460_799); // 2025-11-29T23:59:59Z
    let after = before + Duration::from_secs(2); // 2025-11-30T00:00:01Z
    let k1 = keys.key("secret", before, "20251129", "nyc3");
    assert_eq!(keys.cached_date(), Some(*b"20251129"));
    let again = keys.key(
        "secret",
        before - Duration::from_secs(3600),
        "20251129",
        "nyc3",
    );
    assert_eq!(*k1, *again, "the same day reuses the key");
    let k2 = keys.key("secret", after, "20251130", "nyc3");
    assert_ne!(*k1, *k2);
    assert_eq!(keys.cached_date(), Some(*b"20251130"));
    let fresh = aws_sigv4::sign::v4::generate_signing_key("secret", after, "nyc3", "s3");
    assert_eq!(&k2[..], fresh.as_ref(), "the derivation is aws-sigv4's");
}

#[test]
fn payload_kinds() {
    assert_eq!(Payload::from_header(None), Some(Payload::Unsigned));
    let h = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
    assert_eq!(
        Payload::from_header(Some(h)),
        Some(Payload::Hashed(h.to_ascii_lowercase()))
    );
    for streaming in [
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    ] {
        assert_eq!(
            Payload::from_header(Some(streaming)),
            Some(Payload::Chunked)
        );
    }
    assert_eq!(Payload::from_header(Some("nonsense")), None);
}

#[test]
fn the_amz_date_is_chronos_format() {
    for secs in [
        0u64,
        951_782_400,
        1_700_000_000,
        1_767_225_599,
        4_102_444_800,
    ] {
        let t = UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(999);
        let want = chrono::DateTime::<chrono::Utc>::from(t)
            .format("%Y%m%dT%H%M%SZ")
            .to_string();
        assert_eq!(super::amz_date(t), want);
    }
}

#[test]
fn dates_and_times_read_digit_by_digit_agree_with_chrono() {
    let mut t = chrono::NaiveDate::from_ymd_opt(1999, 12, 31)
        .unwrap()
        .and_hms_opt(23, 59, 59)
        .unwrap();
    // Every ~11 hours for 30 years: leap days, month ends, midnights.
    for _ in 0..24_000 {
        let text = t.format("%Y%m%d%H%M%S").to_string();
        let (date, time) = text.split_at(8);
        assert_eq!(super::utc(date, Some(time)), Some(t), "{text}");
        assert_eq!(
            super::utc(date, None),
            Some(t.date().and_hms_opt(0, 0, 0).unwrap())
        );
        t += chrono::Duration::seconds(39_601);
    }
    for (date, time) in [
        ("20260230", None),
        ("20261301", None),
        ("2026011", None),
        ("2026x101", None),
        ("+0260101", None),
        ("20260101", Some("246000")),
        ("20260101", Some("12345")),
        ("20260101", Some("12 345")),
        ("２０２６", None),
    ] {
        assert_eq!(super::utc(date, time), None, "{date} {time:?}");
    }
}
