//! Bucket names and object keys, validated before they reach a request, a log line or a
//! label.

use std::fmt;
use std::sync::Arc;

/// A bucket name that follows the S3 naming rules: 3–63 characters of lower-case
/// letters, digits, `.` and `-`, starting and ending with a letter or digit.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BucketName(Arc<str>);

impl BucketName {
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let ok_char =
            |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-';
        let edge = |c: Option<&u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let valid = (3..=63).contains(&b.len())
            && b.iter().all(ok_char)
            && edge(b.first())
            && edge(b.last())
            && !s.contains("..");
        valid.then(|| Self(Arc::from(s)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shared string, as stored in an operation record.
    pub fn as_arc(&self) -> Arc<str> {
        self.0.clone()
    }
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BucketName({})", self.0)
    }
}

/// Why an object key or a key prefix was refused (always a 400).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("object keys are 1 to 1024 bytes")]
    Length,
    #[error("key prefixes are at most 1024 bytes")]
    PrefixLength,
    /// A `.` or `..` segment (also percent-encoded): the storage (or a proxy before it)
    /// would normalise the path, and the request would reach another key, or another
    /// bucket, than the one checked.
    #[error("object keys may not contain '.' or '..' path segments")]
    DotSegment,
    /// An empty segment (`a//b`, a leading `/`): merged away by stores and proxies that
    /// treat keys as paths, so two names would reach one object.
    #[error("object keys may not contain empty path segments ('//' or a leading '/')")]
    EmptySegment,
    /// A control character (NUL, newline, …): cut or rewritten on the way.
    #[error("object keys may not contain control characters")]
    Control,
}

/// The rules every key and prefix follows, segment by segment: what a store or a proxy
/// in front of it would normalise is refused, so the name checked is the name reached.
/// A trailing `/` (a folder's marker, a prefix's end) is the one empty segment allowed.
fn check_segments(name: &str) -> Result<(), KeyError> {
    if name.chars().any(char::is_control) {
        return Err(KeyError::Control);
    }
    let body = name.strip_suffix('/').unwrap_or(name);
    if name.is_empty() {
        return Ok(());
    }
    for seg in body.split('/') {
        if seg.is_empty() {
            return Err(KeyError::EmptySegment);
        }
        if is_dot_segment(seg) {
            return Err(KeyError::DotSegment);
        }
    }
    Ok(())
}

/// `.` or `..`, also when written `%2e` (either case).
fn is_dot_segment(seg: &str) -> bool {
    let decoded = seg.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// An object key that addresses exactly the object it names once put in a path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub fn parse(key: &str) -> Result<Self, KeyError> {
        if key.is_empty() || key.len() > 1024 {
            return Err(KeyError::Length);
        }
        check_segments(key)?;
        Ok(Self(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The beginning of keys — `X-Log-Prefix`, `X-Metrics-Prefix`, a listing's `prefix` —
/// held to the rules of [`ObjectKey`] (so every key made by appending to it is one too);
/// it may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct KeyPrefix(String);

impl KeyPrefix {
    pub fn parse(prefix: &str) -> Result<Self, KeyError> {
        if prefix.len() > 1024 {
            return Err(KeyError::PrefixLength);
        }
        check_segments(prefix)?;
        Ok(Self(prefix.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `None` for the empty prefix (every key), as listings want it.
    pub fn as_option(&self) -> Option<&str> {
        (!self.0.is_empty()).then_some(self.0.as_str())
    }

    /// The key `self` + `rest`, checked.
    pub fn join(&self, rest: &str) -> Result<ObjectKey, KeyError> {
        ObjectKey::parse(&format!("{}{rest}", self.0))
    }
}

impl fmt::Display for KeyPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::ops::Deref for KeyPrefix {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests;
