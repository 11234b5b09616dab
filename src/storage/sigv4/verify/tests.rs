use super::*;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    h
}

const AUTH: &str = "AWS4-HMAC-SHA256 Credential=SWGWKEY/20261202/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc";

#[test]
fn a_header_claim_names_key_scope_headers_and_time() {
    let h = headers(&[
        ("x-amz-date", "20261202T101500Z"),
        ("x-amz-security-token", "tok"),
    ]);
    let c = from_header(AUTH, &h).unwrap();
    assert_eq!(c.access_key, "SWGWKEY");
    assert_eq!(c.scope(), "20261202/us-east-1/s3/aws4_request");
    assert_eq!(c.signed_headers, ["host", "x-amz-date"]);
    assert_eq!(c.payload_hash, "UNSIGNED-PAYLOAD");
    assert_eq!(c.security_token.as_deref(), Some("tok"));
    assert_eq!(c.expires, None);
}

#[test]
fn without_x_amz_date_the_date_header_is_the_time() {
    let h = headers(&[("date", "Wed, 02 Dec 2026 10:15:00 GMT")]);
    assert_eq!(from_header(AUTH, &h).unwrap().amz_date, "20261202T101500Z");
    let bad = headers(&[("x-amz-date", "Wed, 02 Dec 2026 10:15:00 GMT")]);
    assert!(matches!(
        from_header(AUTH, &bad),
        Err(VerifyError::Malformed(_))
    ));
    assert!(matches!(
        from_header(AUTH, &HeaderMap::new()),
        Err(VerifyError::Malformed(_))
    ));
}

#[test]
fn other_schemes_and_broken_headers_are_refused() {
    let h = headers(&[("x-amz-date", "20261202T101500Z")]);
    assert_eq!(
        from_header("AWS KEY:sig", &h),
        Err(VerifyError::Unsupported)
    );
    assert_eq!(
        from_header("AWS4-ECDSA-P256-SHA256 Credential=x", &h),
        Err(VerifyError::Unsupported)
    );
    for bad in [
        "AWS4-HMAC-SHA256 Credential=K/2026/us/s3/aws4_request, SignedHeaders=host, Signature=a",
        "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=a",
        "AWS4-HMAC-SHA256 Credential=K/20261202/us/s3/other, SignedHeaders=host, Signature=a",
    ] {
        assert!(
            matches!(from_header(bad, &h), Err(VerifyError::Malformed(_))),
            "{bad}"
        );
    }
    assert_eq!(
        from_query("AWSAccessKeyId=K&Signature=s&Expires=1"),
        Err(VerifyError::Unsupported),
        "SigV2's presigned query"
    );
}

#[test]
fn presigned_queries_carry_their_expiry() {
    let q = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=K%2F20261202%2Feu%2Fs3%2Faws4_request&X-Amz-Date=20261202T101500Z&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Signature=ab&X-Amz-Security-Token=t%2Bk";
    let c = from_query(q).unwrap();
    assert_eq!((c.access_key.as_str(), c.region.as_str()), ("K", "eu"));
    assert_eq!(c.expires, Some(600));
    assert_eq!(c.security_token.as_deref(), Some("t+k"));
    let too_long = q.replace("X-Amz-Expires=600", "X-Amz-Expires=604801");
    assert!(matches!(
        from_query(&too_long),
        Err(VerifyError::Malformed(_))
    ));
}

#[test]
fn time_checks_are_s3s() {
    let at = |secs: u64| UNIX_EPOCH + Duration::from_secs(secs);
    // 20261202T101500Z
    let t = 1_796_206_500;
    let h = headers(&[("x-amz-date", "20261202T101500Z")]);
    let mut c = from_header(AUTH, &h).unwrap();
    assert_eq!(check_time(&c, at(t + 14 * 60)), Ok(()));
    assert_eq!(check_time(&c, at(t - 14 * 60)), Ok(()));
    assert_eq!(check_time(&c, at(t + 16 * 60)), Err(VerifyError::Skewed));
    assert_eq!(check_time(&c, at(t - 16 * 60)), Err(VerifyError::Skewed));
    c.expires = Some(3600);
    assert_eq!(check_time(&c, at(t + 3000)), Ok(()));
    assert_eq!(check_time(&c, at(t + 3601)), Err(VerifyError::Expired));
    assert_eq!(
        check_time(&c, at(t - 3600)),
        Err(VerifyError::Skewed),
        "from the future"
    );
    c.date = "20261201".into();
    assert!(matches!(
        check_time(&c, at(t)),
        Err(VerifyError::Malformed(_))
    ));
}
