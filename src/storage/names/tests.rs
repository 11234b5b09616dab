use super::{BucketName, KeyError, KeyPrefix, ObjectKey};

#[test]
fn keys_that_a_path_would_normalise_are_refused() {
    for ok in [
        "a",
        "dir/a.txt",
        "a..b",
        "./x".trim_start_matches("./"),
        "..a/b",
        "a/.b",
        "dir/",
        "a\\b",
        "%2e%2ex",
        "sp ace/ü",
    ] {
        assert!(ObjectKey::parse(ok).is_ok(), "{ok}");
        assert!(KeyPrefix::parse(ok).is_ok(), "{ok}");
    }
    for bad in [
        "..",
        ".",
        "../other/k",
        "a/../b",
        "a/./b",
        "a/..",
        "a/.",
        "%2e%2e/x",
        "a/%2E/b",
        ".%2e/x",
        "../",
    ] {
        assert_eq!(ObjectKey::parse(bad), Err(KeyError::DotSegment), "{bad}");
        assert_eq!(KeyPrefix::parse(bad), Err(KeyError::DotSegment), "{bad}");
    }
    for bad in ["/a", "a//b", "//", "/", "a//"] {
        assert_eq!(ObjectKey::parse(bad), Err(KeyError::EmptySegment), "{bad}");
        assert_eq!(KeyPrefix::parse(bad), Err(KeyError::EmptySegment), "{bad}");
    }
    for bad in ["a\0b", "a\nb", "a\rb/", "\u{7f}"] {
        assert_eq!(ObjectKey::parse(bad), Err(KeyError::Control), "{bad:?}");
    }
    assert_eq!(ObjectKey::parse(""), Err(KeyError::Length));
    assert_eq!(ObjectKey::parse(&"k".repeat(1025)), Err(KeyError::Length));
    assert_eq!(KeyPrefix::parse("").unwrap().as_option(), None);
    assert_eq!(
        KeyPrefix::parse(&"k".repeat(1025)),
        Err(KeyError::PrefixLength)
    );
    let p = KeyPrefix::parse("metrics/").unwrap();
    assert_eq!(
        p.join("dt=2024-01-01/x").unwrap().as_str(),
        "metrics/dt=2024-01-01/x"
    );
    assert!(KeyPrefix::parse("metrics").unwrap().join("/../x").is_err());
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
