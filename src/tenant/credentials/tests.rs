use super::*;

fn defaults() -> TenantDefaults {
    TenantDefaults {
        region: "sgp1".into(),
        endpoint: None,
        allowlist: Allowlist::default(),
    }
}

fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    h
}

#[test]
fn missing_and_malformed_headers_are_named() {
    let e = Credentials::from_headers(&headers(&[]), &defaults()).unwrap_err();
    assert_eq!(e.to_string(), "missing required header X-Spaces-Key");
    let h = headers(&[
        ("X-Spaces-Key", "K"),
        ("X-Spaces-Secret", "S"),
        ("X-Region", "NYC 3"),
    ]);
    assert_eq!(
        Credentials::from_headers(&h, &defaults()).unwrap_err(),
        CredentialError::Malformed("X-Region")
    );
}

#[test]
fn fingerprint_is_the_documented_digest_and_ignores_the_secret() {
    let h = headers(&[
        ("X-Spaces-Key", "AKIA1"),
        ("X-Spaces-Secret", "s1"),
        ("X-Region", "nyc3"),
    ]);
    let a = Credentials::from_headers(&h, &defaults()).unwrap();
    assert_eq!(a.endpoint, "https://nyc3.digitaloceanspaces.com");
    // The documented input, spelled out byte by byte.
    let mut input = b"spacewatch/tenant-fingerprint/v1".to_vec();
    input.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 5]);
    input.extend_from_slice(b"AKIA1");
    input.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 35]);
    input.extend_from_slice(b"https://nyc3.digitaloceanspaces.com");
    input.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 4]);
    input.extend_from_slice(b"nyc3");
    let expect = hex::encode(&Sha256::digest(&input)[..8]);
    assert_eq!(a.fingerprint().to_string(), expect);
    assert_eq!(expect.len(), 16);
    let mut b = a.clone();
    b.secret = Secret::new("s2");
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_ne!(a.cache_key(), b.cache_key());
}

#[test]
fn prefixes_that_would_leave_their_bucket_are_refused() {
    let with = |v: &str| {
        let h = headers(&[
            ("X-Spaces-Key", "K"),
            ("X-Spaces-Secret", "S"),
            ("X-Metrics-Prefix", v),
        ]);
        Credentials::from_headers(&h, &defaults())
    };
    assert_eq!(
        with("team/metrics/").unwrap().metrics_prefix.as_str(),
        "team/metrics/"
    );
    for bad in [
        "../demo-assets/pwned/",
        "a/./b/",
        "a//b/",
        "/abs/",
        "%2e%2e/x/",
    ] {
        let e = with(bad).unwrap_err();
        assert!(
            matches!(e, CredentialError::Prefix("X-Metrics-Prefix", _)),
            "{bad}: {e}"
        );
    }
}

#[test]
fn fields_that_concatenate_alike_are_different_tenants() {
    let mut a = Credentials::from_headers(
        &headers(&[("X-Spaces-Key", "AKIA1"), ("X-Spaces-Secret", "s")]),
        &defaults(),
    )
    .unwrap();
    let mut b = a.clone();
    // key ‖ endpoint ‖ region is the same string for both.
    a.key = "AKIA1h".into();
    a.endpoint = "ttps://x".into();
    b.key = "AKIA1".into();
    b.endpoint = "https://x".into();
    assert_eq!(
        format!("{}{}{}", a.key, a.endpoint, a.region),
        format!("{}{}{}", b.key, b.endpoint, b.region)
    );
    assert_ne!(a.fingerprint(), b.fingerprint());
    a.endpoint = "https://x".into();
    a.key = "AKIA1".into();
    a.region = "sgp1".into();
    b.region = "sgp1".into();
    assert_eq!(a.fingerprint(), b.fingerprint());
}
