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

/// Why an object key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("object keys are 1 to 1024 bytes")]
    Length,
    /// A `.` or `..` segment: the storage (or a proxy before it) would normalise the path,
    /// and the request would reach another key, or another bucket, than the one checked.
    #[error("object keys may not contain '.' or '..' path segments")]
    DotSegment,
}

/// An object key that addresses exactly the object it names once put in a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectKey(String);

impl ObjectKey {
    pub fn parse(key: &str) -> Result<Self, KeyError> {
        if key.is_empty() || key.len() > 1024 {
            return Err(KeyError::Length);
        }
        if key.split('/').any(|seg| seg == "." || seg == "..") {
            return Err(KeyError::DotSegment);
        }
        Ok(Self(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests;
