use super::*;

#[test]
fn the_two_sets_escape_all_but_unreserved() {
    assert_eq!(encode("dir/a b+c%.txt", S3_PATH), "dir/a%20b%2Bc%25.txt");
    assert_eq!(encode("ünï/ç", S3_PATH), "%C3%BCn%C3%AF/%C3%A7");
    assert_eq!(encode("a/b c~-._", SIGV4), "a%2Fb%20c~-._");
    assert!(matches!(encode("plain-key", SIGV4), Cow::Borrowed(_)));
    let mut out = String::from("x=");
    encode_into(&mut out, b"\xff/", SIGV4);
    assert_eq!(out, "x=%FF%2F");
}

#[test]
fn strict_decoding_refuses_broken_escapes_and_non_utf8() {
    assert_eq!(decode_strict("a%20b%2Fc").as_deref(), Some("a b/c"));
    assert_eq!(decode_strict("a+b").as_deref(), Some("a+b"));
    assert!(matches!(
        decode_strict("plain"),
        Some(Cow::Borrowed("plain"))
    ));
    for bad in ["%zz", "%4", "a%", "%C3%28", "ok%2"] {
        assert_eq!(decode_strict(bad), None, "{bad}");
    }
}

#[test]
fn lenient_decoding_keeps_what_it_cannot_read() {
    assert_eq!(&*decode_lenient("a%2Fb%zz%"), b"a/b%zz%");
    assert_eq!(&*decode_lenient("%FF"), b"\xff");
}

#[test]
fn encoding_what_was_decoded_gives_the_canonical_form() {
    for s in ["a b", "%41/%2f", "x~y", "ü"] {
        let once = encode(&String::from_utf8_lossy(&decode_lenient(s)), S3_PATH).into_owned();
        let twice = encode(&String::from_utf8_lossy(&decode_lenient(&once)), S3_PATH).into_owned();
        assert_eq!(once, twice, "{s}");
    }
}
