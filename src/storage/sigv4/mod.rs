//! SigV4 signing of upstream requests with the tenant's credentials.
//!
//! The canonical request is built here (`canonical`) into one buffer, and the derived
//! signing key is kept per credential and UTC day (`key`), so a request costs one HMAC
//! and one SHA-256 instead of the five HMACs and the allocations of a general-purpose
//! signer. The crypto itself is aws-sigv4's (`generate_signing_key`,
//! `calculate_signature`); nothing is hand-rolled. Checked against the AWS signing test
//! suite, against aws-sigv4's own signer, and against real stores.

mod canonical;
mod key;
#[cfg(test)]
mod tests;
pub mod verify;

use std::time::SystemTime;

use axum::body::Body;
use http::header::InvalidHeaderValue;
use http::{HeaderValue, Request};

pub use key::{Key, SigningKeys};

use crate::storage::Account;

/// Headers never signed: they change on the way (proxies, tracing) or are the signature.
const UNSIGNED: [&str; 4] = [
    "authorization",
    "user-agent",
    "x-amzn-trace-id",
    "transfer-encoding",
];

// Constants, not `&str`: inserting a non-standard name by `&str` allocates a copy.
const X_AMZ_DATE: http::HeaderName = http::HeaderName::from_static("x-amz-date");
const X_AMZ_CONTENT_SHA256: http::HeaderName =
    http::HeaderName::from_static("x-amz-content-sha256");

/// What `x-amz-content-sha256` says about the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// The body streams through unhashed (`UNSIGNED-PAYLOAD`).
    Unsigned,
    /// The client sent the body's SHA-256; the storage will check it.
    Hashed(String),
    /// An `aws-chunked` body (`STREAMING-…`): decoded on the way and sent unsigned.
    Chunked,
    /// Sent framed `aws-chunked` again with its checksum trailer, both unsigned.
    Trailer,
}

impl Payload {
    /// From the client's `x-amz-content-sha256`; `None` when it is not one S3 defines.
    pub fn from_header(v: Option<&str>) -> Option<Self> {
        match v {
            None | Some("UNSIGNED-PAYLOAD") => Some(Self::Unsigned),
            Some(s) if s.starts_with("STREAMING-") => Some(Self::Chunked),
            Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(Self::Hashed(h.to_ascii_lowercase()))
            }
            Some(_) => None,
        }
    }

    /// The `x-amz-content-sha256` value sent upstream.
    fn hash(&self) -> &str {
        match self {
            Self::Unsigned | Self::Chunked => "UNSIGNED-PAYLOAD",
            Self::Trailer => "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            Self::Hashed(h) => h,
        }
    }
}

/// `YYYYMMDDTHHMMSSZ` of `now` (UTC), written digit by digit from its parts: chrono's
/// `format` parses its pattern on every call, and `format!` is slower than the digits.
fn amz_date(now: SystemTime) -> String {
    use chrono::{Datelike, Timelike};
    let t = chrono::DateTime::<chrono::Utc>::from(now);
    let fields = [
        (t.year().clamp(0, 9999) as u32, 4),
        (t.month(), 2),
        (t.day(), 2),
        (t.hour(), 2),
        (t.minute(), 2),
        (t.second(), 2),
    ];
    let mut out = String::with_capacity(16);
    for (i, (n, width)) in fields.into_iter().enumerate() {
        if i == 3 {
            out.push('T');
        }
        for p in (0..width).rev() {
            out.push(char::from(b'0' + (n / 10u32.pow(p) % 10) as u8));
        }
    }
    out.push('Z');
    out
}

/// The UTC time of `YYYYMMDD` (`date`) and, when given, `HHMMSS` (`time`), read digit by
/// digit: chrono's format parser cost more than the rest of a signed request's time checks.
/// `None` for anything but digits, or a day or time that does not exist.
fn utc(date: &str, time: Option<&str>) -> Option<chrono::NaiveDateTime> {
    let number = |t: &str| {
        t.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| t.bytes().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let field = |t: &str, r: std::ops::Range<usize>| t.get(r).and_then(number);
    if date.len() != 8 || time.is_some_and(|t| t.len() != 6) {
        return None;
    }
    let day = chrono::NaiveDate::from_ymd_opt(
        field(date, 0..4)? as i32,
        field(date, 4..6)?,
        field(date, 6..8)?,
    )?;
    match time {
        None => day.and_hms_opt(0, 0, 0),
        Some(t) => day.and_hms_opt(field(t, 0..2)?, field(t, 2..4)?, field(t, 4..6)?),
    }
}

/// A header value that takes `s`'s buffer instead of copying it.
fn owned_value(s: String) -> Result<HeaderValue, InvalidHeaderValue> {
    HeaderValue::from_maybe_shared(bytes::Bytes::from(s))
}

/// Signs `req` in place at `now` (adds `x-amz-date`, `x-amz-content-sha256` and
/// `authorization`), with the key `keys` keeps for `account`.
pub fn sign_request(
    req: &mut Request<Body>,
    account: Account<'_>,
    keys: &SigningKeys,
    payload: &Payload,
    now: SystemTime,
) -> Result<(), InvalidHeaderValue> {
    let amz_date = amz_date(now);
    let h = req.headers_mut();
    h.insert(X_AMZ_DATE, owned_value(amz_date.clone())?);
    h.insert(
        X_AMZ_CONTENT_SHA256,
        match payload {
            Payload::Hashed(h) => HeaderValue::from_str(h)?,
            Payload::Trailer => HeaderValue::from_static("STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
            _ => HeaderValue::from_static("UNSIGNED-PAYLOAD"),
        },
    );
    let headers: Vec<(&str, &str)> = req
        .headers()
        .iter()
        .filter(|(k, _)| !UNSIGNED.contains(&k.as_str()))
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
        .collect();
    let signable = canonical::Signable {
        method: req.method().as_str(),
        path: req.uri().path(),
        query: req.uri().query().unwrap_or(""),
        headers: &headers,
        payload_hash: payload.hash(),
    };
    let mut buf = String::with_capacity(512);
    let signed = canonical::canonical_request(&mut buf, &signable);
    let date = &amz_date[..8];
    let scope = [date, "/", account.region, "/s3/aws4_request"].concat();
    let to_sign = canonical::string_to_sign(&amz_date, &scope, &buf);
    let key = keys.key(account.secret.expose(), now, date, account.region);
    let signature = aws_sigv4::sign::v4::calculate_signature(key.as_slice(), to_sign.as_bytes());
    let auth = [
        "AWS4-HMAC-SHA256 Credential=",
        account.key,
        "/",
        &scope,
        ", SignedHeaders=",
        &signed,
        ", Signature=",
        &signature,
    ]
    .concat();
    req.headers_mut()
        .insert(http::header::AUTHORIZATION, owned_value(auth)?);
    Ok(())
}
