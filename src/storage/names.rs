//! Bucket names, validated before they reach a request, a log line or a label.

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

#[cfg(test)]
mod tests {
    use super::BucketName;

    #[test]
    fn s3_naming_rules() {
        for ok in ["abc", "my-bucket", "logs.2024", "a1b"] {
            assert!(BucketName::parse(ok).is_some(), "{ok}");
        }
        for bad in [
            "ab",
            "My-Bucket",
            "-abc",
            "abc-",
            "a..b",
            "a b c",
            "a/b",
            &"x".repeat(64),
            "ümlaut",
        ] {
            assert!(BucketName::parse(bad).is_none(), "{bad}");
        }
    }
}
