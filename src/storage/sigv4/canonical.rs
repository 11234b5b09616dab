//! The SigV4 canonical request and string to sign, written into one buffer.
//!
//! S3's rules: the path is URI-encoded once and never normalised; query parameters are
//! URI-encoded (`/` too) and sorted by name, then value; header names are lower-cased,
//! values trimmed with inner runs of spaces collapsed, repeated headers joined with `,`,
//! and the headers sorted by name. Checked against the AWS signing test suite
//! (tests/data/sigv4) and against real stores.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::percent::{self, S3_PATH, SIGV4};

/// Appends a canonical header value: trimmed, runs of spaces and tabs collapsed to one.
fn push_value(out: &mut String, v: &str) {
    let mut space = false;
    for c in v.trim().chars() {
        if c == ' ' || c == '\t' {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
}

/// What gets signed.
pub struct Signable<'a> {
    pub method: &'a str,
    /// The path as sent (already URI-encoded once, or raw: both give the same).
    pub path: &'a str,
    /// The query string as sent, without `?`.
    pub query: &'a str,
    /// Header names (any case) and values, in request order.
    pub headers: &'a [(&'a str, &'a str)],
    /// The payload hash (`x-amz-content-sha256`).
    pub payload_hash: &'a str,
}

/// Writes the canonical request into `buf` and returns the signed-headers list.
pub fn canonical_request(buf: &mut String, s: &Signable<'_>) -> String {
    buf.clear();
    buf.push_str(s.method);
    buf.push('\n');
    let path = if s.path.is_empty() { "/" } else { s.path };
    percent::encode_into(buf, &percent::decode_lenient(path), S3_PATH);
    buf.push('\n');
    let mut pairs: Vec<(String, String)> = s
        .query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let (mut ek, mut ev) = (String::new(), String::new());
            percent::encode_into(&mut ek, &percent::decode_lenient(k), SIGV4);
            percent::encode_into(&mut ev, &percent::decode_lenient(v), SIGV4);
            (ek, ev)
        })
        .collect();
    pairs.sort();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            buf.push('&');
        }
        buf.push_str(k);
        buf.push('=');
        buf.push_str(v);
    }
    buf.push('\n');
    // `http` header names are lower case already: borrowed then, not copied.
    let mut names: Vec<(Cow<'_, str>, usize)> = s
        .headers
        .iter()
        .enumerate()
        .map(|(i, (n, _))| {
            let name = match n.bytes().any(|b| b.is_ascii_uppercase()) {
                true => Cow::Owned(n.to_ascii_lowercase()),
                false => Cow::Borrowed(*n),
            };
            (name, i)
        })
        .collect();
    // Stable: repeated headers keep their order.
    names.sort_by(|a, b| a.0.cmp(&b.0));
    let mut signed = String::new();
    let mut last: Option<&str> = None;
    for (name, i) in &names {
        if last == Some(name.as_ref()) {
            buf.push(',');
        } else {
            if last.is_some() {
                buf.push('\n');
                signed.push(';');
            }
            buf.push_str(name);
            buf.push(':');
            signed.push_str(name);
        }
        push_value(buf, s.headers[*i].1);
        last = Some(name.as_ref());
    }
    if last.is_some() {
        buf.push('\n');
    }
    buf.push('\n');
    buf.push_str(&signed);
    buf.push('\n');
    buf.push_str(s.payload_hash);
    signed
}

/// The string to sign of a canonical request.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical: &str) -> String {
    let mut hash = [0u8; 64];
    let _ = hex::encode_to_slice(Sha256::digest(canonical.as_bytes()), &mut hash);
    let hash = std::str::from_utf8(&hash).unwrap_or_default();
    let mut out = String::with_capacity(32 + amz_date.len() + scope.len() + hash.len());
    for part in ["AWS4-HMAC-SHA256", amz_date, scope, hash] {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(part);
    }
    out
}
