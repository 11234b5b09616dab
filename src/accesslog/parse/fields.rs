//! Field value types of a parsed line and the decoders behind them: quoted fields with
//! their escapes, percent-decoding of keys, the parts of an operation name, status classes.
//! All borrow from the line; they allocate only when asked to decode something that needs it.

use std::borrow::Cow;

/// The class of a line's HTTP status (`Other` when absent or out of range).
pub use crate::telemetry::StatusClass;

/// The text between the quotes of a quoted field (request-URI, referer, user-agent), as
/// written in the log.
///
/// `raw()` is that text byte for byte. `unescaped()` undoes the two escapes a writer may use,
/// `\"` → `"` and `\\` → `\`; any other backslash is kept. AWS itself writes embedded quotes
/// unescaped (`"GET /a"b HTTP/1.1"`); those are already literal in `raw()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quoted<'a> {
    raw: &'a str,
}

impl<'a> Quoted<'a> {
    pub(crate) fn new(raw: &'a str) -> Self {
        Quoted { raw }
    }

    /// The field's text as written, without the surrounding quotes.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The text with `\"` and `\\` unescaped; borrowed when there is no backslash.
    pub fn unescaped(&self) -> Cow<'a, str> {
        if !self.raw.contains('\\') {
            return Cow::Borrowed(self.raw);
        }
        let mut out = String::with_capacity(self.raw.len());
        let mut chars = self.raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.clone().next() {
                Some(e @ ('"' | '\\')) => {
                    out.push(e);
                    chars.next();
                }
                _ => out.push('\\'),
            }
        }
        Cow::Owned(out)
    }
}

/// One pass of percent-decoding (`%41` → `A`; `+` stays `+`: object keys are URL paths,
/// not form data), strict as [`crate::percent::decode_strict`] is.
pub fn percent_decode(s: &str) -> Option<Cow<'_, str>> {
    crate::percent::decode_strict(s)
}

/// How many times S3 URL-encoded the key field of a line with this operation.
///
/// S3 writes the key of a request it served (`REST.*`, `WEBSITE.*`, `SOAP.*`) URL-encoded
/// twice — AWS's own format page shows a `"` in a key as `%2522` — and the key of an
/// operation it ran itself (`BATCH.DELETE.OBJECT`, lifecycle `S3.*` such as
/// `S3.EXPIRE.OBJECT`) once, as operators who decode these logs at scale report.
pub fn key_encoding_passes(operation: Option<&str>) -> u8 {
    match operation {
        Some(op) if op.starts_with("BATCH.") || op.starts_with("S3.") => 1,
        _ => 2,
    }
}

/// Decodes a raw key field `passes` times (see [`key_encoding_passes`]). When a pass fails
/// (an invalid escape, or bytes that are not UTF-8) the result of the passes before it is
/// kept: a key is never lost, and never panics, over a stray `%`.
pub fn decode_key(raw: &str, passes: u8) -> Cow<'_, str> {
    let mut key = Cow::Borrowed(raw);
    for _ in 0..passes {
        let next = match percent_decode(&key) {
            Some(Cow::Borrowed(_)) => return key, // no `%` left: further passes are no-ops
            Some(Cow::Owned(s)) => s,
            None => return key,
        };
        key = Cow::Owned(next);
    }
    key
}

/// An operation name split at its dots: `REST.GET.OBJECT` → kind `REST`, verb `GET`,
/// resource `OBJECT`; `REST.COPY.OBJECT_GET` → `REST`, `COPY`, `OBJECT_GET`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OperationParts<'a> {
    /// `REST`, `WEBSITE`, `BATCH`, `S3`, …
    pub kind: &'a str,
    /// The HTTP method or action: `GET`, `PUT`, `DELETE`, `COPY`, `EXPIRE`, …
    pub verb: &'a str,
    /// The resource type, possibly with underscores: `OBJECT`, `BUCKET`, `OBJECT_GET`.
    pub resource: &'a str,
}

/// Splits `KIND.VERB.RESOURCE`; `None` for names of another shape (e.g. `SOAP.CreateBucket`).
pub fn operation_parts(op: &str) -> Option<OperationParts<'_>> {
    let (kind, rest) = op.split_once('.')?;
    let (verb, resource) = rest.split_once('.')?;
    let ok = |s: &str| !s.is_empty() && !s.contains('.');
    (ok(kind) && ok(verb) && !resource.is_empty()).then_some(OperationParts {
        kind,
        verb,
        resource,
    })
}
