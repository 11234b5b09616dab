//! Verifying a client's SigV4 signature: the `Authorization` header, or the presigned
//! query (`X-Amz-Signature`, `X-Amz-Expires`).
//!
//! The canonical request is rebuilt from what the client sent — its method, its path as
//! it arrived (S3 does not normalise it), its query without the signature, and exactly
//! the headers it says it signed — with the same code that signs upstream requests
//! (`canonical`), and the signature is compared in constant time.
//! The time checks are S3's: a header-signed request within 15 minutes of now, a
//! presigned one until its expiry (at most 7 days).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderMap;
use subtle::ConstantTimeEq;

use super::canonical::{Signable, canonical_request, string_to_sign};
use super::key::Key;

/// Longest a presigned URL may live (S3's limit).
pub const MAX_EXPIRES: u64 = 7 * 24 * 3600;
/// How far a header-signed request's time may be from the server's.
pub const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Why a signature was not accepted; each is one of S3's error codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// `AuthorizationHeaderMalformed` / `AuthorizationQueryParametersError`.
    #[error("{0}")]
    Malformed(&'static str),
    /// A scheme other than SigV4 (SigV2's `AWS key:sig`, SigV4A).
    #[error("only AWS4-HMAC-SHA256 (SigV4) signatures are supported")]
    Unsupported,
    /// `SignatureDoesNotMatch`.
    #[error("the request signature does not match the signature computed with your secret")]
    Mismatch,
    /// `RequestTimeTooSkewed`.
    #[error("the difference between the request time and the server's time is too large")]
    Skewed,
    /// `AccessDenied`: a presigned URL past its expiry.
    #[error("request has expired")]
    Expired,
}

/// What a signed request claims: whose key, when, where, over what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub access_key: String,
    /// `YYYYMMDD` of the credential scope.
    pub date: String,
    pub region: String,
    pub service: String,
    /// `YYYYMMDDTHHMMSSZ`.
    pub amz_date: String,
    /// Lower-case header names, as listed.
    pub signed_headers: Vec<String>,
    pub signature: String,
    /// `x-amz-content-sha256` (header) or `UNSIGNED-PAYLOAD` (presigned).
    pub payload_hash: String,
    /// `X-Amz-Security-Token` / `x-amz-security-token`.
    pub security_token: Option<String>,
    /// Seconds a presigned URL lives; `None` for a header-signed request.
    pub expires: Option<u64>,
}

impl Claim {
    /// `date/region/service/aws4_request`.
    pub fn scope(&self) -> String {
        [
            &self.date,
            "/",
            &self.region,
            "/",
            &self.service,
            "/aws4_request",
        ]
        .concat()
    }
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// `AKID/YYYYMMDD/region/service/aws4_request`.
fn credential(v: &str) -> Result<(String, String, String, String), VerifyError> {
    let bad = VerifyError::Malformed("the Credential is malformed");
    let mut parts = v.rsplitn(5, '/');
    let (term, service, region, date, key) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    );
    match (key, date, region, service, term) {
        (Some(k), Some(d), Some(r), Some(s), Some("aws4_request"))
            if !k.is_empty() && d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok((k.into(), d.into(), r.into(), s.into()))
        }
        _ => Err(bad),
    }
}

fn amz_date_ok(d: &str) -> bool {
    d.len() == 16
        && d.as_bytes()[8] == b'T'
        && d.ends_with('Z')
        && d.bytes()
            .enumerate()
            .all(|(i, b)| matches!(i, 8 | 15) || b.is_ascii_digit())
}

/// The claim of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…,
/// Signature=…` header, with the request's `x-amz-date` and `x-amz-content-sha256`.
pub fn from_header(authorization: &str, h: &HeaderMap) -> Result<Claim, VerifyError> {
    let Some(rest) = authorization.strip_prefix(ALGORITHM) else {
        return Err(VerifyError::Unsupported);
    };
    let (mut cred, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        match part.trim().split_once('=') {
            Some(("Credential", v)) => cred = Some(v.trim()),
            Some(("SignedHeaders", v)) => signed = Some(v.trim()),
            Some(("Signature", v)) => sig = Some(v.trim()),
            _ => {}
        }
    }
    let malformed = VerifyError::Malformed("the Authorization header is malformed");
    let (Some(cred), Some(signed), Some(sig)) = (cred, signed, sig) else {
        return Err(malformed);
    };
    let (access_key, date, region, service) = credential(cred)?;
    // The request's time: `x-amz-date`, or (as S3 takes it) the `Date` header when a
    // client signed that instead.
    let amz_date = match header(h, "x-amz-date") {
        Some(d) if amz_date_ok(d) => d.to_string(),
        Some(_) => return Err(VerifyError::Malformed("x-amz-date is malformed")),
        None => header(h, "date")
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d).ok())
            .map(|t| {
                t.with_timezone(&chrono::Utc)
                    .format("%Y%m%dT%H%M%SZ")
                    .to_string()
            })
            .ok_or(VerifyError::Malformed(
                "x-amz-date (or Date) is missing or malformed",
            ))?,
    };
    Ok(Claim {
        access_key,
        date,
        region,
        service,
        amz_date,
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature: sig.into(),
        payload_hash: header(h, "x-amz-content-sha256")
            .unwrap_or("UNSIGNED-PAYLOAD")
            .into(),
        security_token: header(h, "x-amz-security-token").map(str::to_string),
        expires: None,
    })
}

/// The claim of a presigned query (`X-Amz-Algorithm=AWS4-HMAC-SHA256&…`).
pub fn from_query(query: &str) -> Result<Claim, VerifyError> {
    let param = |name: &str| {
        query.split('&').find_map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k == name)
                .then(|| String::from_utf8_lossy(&crate::percent::decode_lenient(v)).into_owned())
        })
    };
    let bad = |what| VerifyError::Malformed(what);
    match param("X-Amz-Algorithm").as_deref() {
        Some(ALGORITHM) => {}
        Some(_) => return Err(VerifyError::Unsupported),
        // SigV2's presigned query (`AWSAccessKeyId`, `Signature`, `Expires`).
        None if param("AWSAccessKeyId").is_some() => return Err(VerifyError::Unsupported),
        None => return Err(bad("X-Amz-Algorithm is missing")),
    }
    let cred = param("X-Amz-Credential").ok_or(bad("X-Amz-Credential is missing"))?;
    let (access_key, date, region, service) = credential(&cred)?;
    let amz_date = param("X-Amz-Date")
        .filter(|d| amz_date_ok(d))
        .ok_or(bad("X-Amz-Date is missing or malformed"))?;
    let expires: u64 = param("X-Amz-Expires")
        .and_then(|e| e.parse().ok())
        .ok_or(bad("X-Amz-Expires is missing or malformed"))?;
    if expires > MAX_EXPIRES {
        return Err(bad("X-Amz-Expires must be at most 604800 seconds"));
    }
    let signed = param("X-Amz-SignedHeaders").ok_or(bad("X-Amz-SignedHeaders is missing"))?;
    Ok(Claim {
        access_key,
        date,
        region,
        service,
        amz_date,
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature: param("X-Amz-Signature").ok_or(bad("X-Amz-Signature is missing"))?,
        payload_hash: "UNSIGNED-PAYLOAD".into(),
        security_token: param("X-Amz-Security-Token"),
        expires: Some(expires),
    })
}

/// Seconds since the epoch of an `x-amz-date`.
fn unix(amz_date: &str) -> Option<u64> {
    if !amz_date_ok(amz_date) {
        return None;
    }
    let t = super::utc(&amz_date[..8], Some(&amz_date[9..15]))?;
    u64::try_from(t.and_utc().timestamp()).ok()
}

/// S3's time checks of `claim` at `now`.
pub fn check_time(claim: &Claim, now: SystemTime) -> Result<(), VerifyError> {
    let at = unix(&claim.amz_date).ok_or(VerifyError::Malformed("bad x-amz-date"))?;
    if !claim.amz_date.starts_with(&claim.date) {
        return Err(VerifyError::Malformed(
            "the credential date does not match x-amz-date",
        ));
    }
    let now = now.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let skew = MAX_SKEW.as_secs();
    match claim.expires {
        None if at.abs_diff(now) > skew => Err(VerifyError::Skewed),
        Some(_) if at > now + skew => Err(VerifyError::Skewed),
        Some(e) if now > at.saturating_add(e) => Err(VerifyError::Expired),
        _ => Ok(()),
    }
}

/// What was sent, as the signature covers it.
pub struct Sent<'a> {
    pub method: &'a str,
    /// The path as it arrived.
    pub path: &'a str,
    /// The raw query string (without `?`).
    pub query: &'a str,
    pub headers: &'a HeaderMap,
}

/// Checks `claim`'s signature of `sent` with the signing key `key` (derived from the
/// secret for the claim's date, region and service).
pub fn verify(claim: &Claim, sent: &Sent<'_>, key: &Key) -> Result<(), VerifyError> {
    if !claim.signed_headers.iter().any(|h| h == "host") {
        return Err(VerifyError::Malformed("the host header must be signed"));
    }
    let mut headers = Vec::with_capacity(claim.signed_headers.len());
    for name in &claim.signed_headers {
        let values = sent.headers.get_all(name.as_str());
        let mut any = false;
        for v in values {
            let v = v.to_str().map_err(|_| VerifyError::Mismatch)?;
            headers.push((name.as_str(), v));
            any = true;
        }
        if !any {
            return Err(VerifyError::Malformed("a signed header is missing"));
        }
    }
    // The presigned query is signed without its signature.
    let query: String;
    let query = if claim.expires.is_some() {
        query = sent
            .query
            .split('&')
            .filter(|p| p.split_once('=').map_or(*p, |(k, _)| k) != "X-Amz-Signature")
            .collect::<Vec<_>>()
            .join("&");
        &query
    } else {
        sent.query
    };
    let mut buf = String::with_capacity(512);
    canonical_request(
        &mut buf,
        &Signable {
            method: sent.method,
            path: sent.path,
            query,
            headers: &headers,
            payload_hash: &claim.payload_hash,
        },
    );
    let to_sign = string_to_sign(&claim.amz_date, &claim.scope(), &buf);
    let want = aws_sigv4::sign::v4::calculate_signature(key.as_slice(), to_sign.as_bytes());
    match bool::from(want.as_bytes().ct_eq(claim.signature.as_bytes())) {
        true => Ok(()),
        false => Err(VerifyError::Mismatch),
    }
}

#[cfg(test)]
mod tests;
