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
    let expect = hex::encode(&Sha256::digest(b"AKIA1https://nyc3.digitaloceanspaces.comnyc3")[..8]);
    assert_eq!(a.fingerprint().to_string(), expect);
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
