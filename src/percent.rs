//! The one percent codec (`%XX`, RFC 3986), on the `percent-encoding` crate: two encode
//! sets and two ways to decode. A leaf module — it imports nothing of the crate — so every
//! layer, `config` included, may use it.
//!
//! - [`SIGV4`]: every byte but the unreserved `A–Z a–z 0–9 - . _ ~` is escaped, as SigV4
//!   canonical query strings and S3 query parameters want it.
//! - [`S3_PATH`]: the same, keeping `/` (an object key in a path, a canonical URI).
//! - [`decode_strict`]: every `%` must start a two-hex-digit escape and the result must
//!   be UTF-8 (`None` otherwise) — for text from outside (log fields, settings).
//! - [`decode_lenient`]: broken escapes stay as written, any bytes come out — for what a
//!   signer must reproduce byte for byte.
//!
//! `+` is never a space: paths and S3 parameters are not form data.

use std::borrow::Cow;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, percent_encode};

/// Escapes all but the unreserved characters.
pub const SIGV4: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// [`SIGV4`], keeping `/`.
pub const S3_PATH: &AsciiSet = &SIGV4.remove(b'/');

/// Appends `bytes` encoded with `set` (upper-case hex).
pub fn encode_into(out: &mut String, bytes: &[u8], set: &'static AsciiSet) {
    out.extend(percent_encode(bytes, set));
}

/// `s` encoded with `set`; borrowed when nothing needs escaping.
pub fn encode<'a>(s: &'a str, set: &'static AsciiSet) -> Cow<'a, str> {
    percent_encode(s.as_bytes(), set).into()
}

/// `s` decoded; `None` when an escape is not `%` and two hex digits, or the bytes are not
/// UTF-8. Borrowed when there is no `%`.
pub fn decode_strict(s: &str) -> Option<Cow<'_, str>> {
    let b = s.as_bytes();
    let mut at = memchr::memchr(b'%', b);
    while let Some(i) = at {
        let hex = |j: usize| b.get(j).is_some_and(u8::is_ascii_hexdigit);
        if !(hex(i + 1) && hex(i + 2)) {
            return None;
        }
        at = memchr::memchr(b'%', &b[i + 3..]).map(|n| n + i + 3);
    }
    percent_decode_str(s).decode_utf8().ok()
}

/// `s` decoded to bytes, broken escapes kept as written. Borrowed when there is no `%`.
pub fn decode_lenient(s: &str) -> Cow<'_, [u8]> {
    percent_decode_str(s).into()
}

#[cfg(test)]
mod tests;
