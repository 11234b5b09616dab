use super::{BucketName, KeyError, ObjectKey};

#[test]
fn keys_that_a_path_would_normalise_are_refused() {
    for ok in [
        "a",
        "dir/a.txt",
        "a..b",
        "./x".trim_start_matches("./"),
        "..a/b",
        "a/.b",
    ] {
        assert!(ObjectKey::parse(ok).is_ok(), "{ok}");
    }
    for bad in ["..", ".", "../other/k", "a/../b", "a/./b", "a/..", "a/."] {
        assert_eq!(ObjectKey::parse(bad), Err(KeyError::DotSegment), "{bad}");
    }
    assert_eq!(ObjectKey::parse(""), Err(KeyError::Length));
    assert_eq!(ObjectKey::parse(&"k".repeat(1025)), Err(KeyError::Length));
}

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
