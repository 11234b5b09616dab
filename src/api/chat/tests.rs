use super::*;

#[test]
fn bodies_are_checked() {
    assert!(parse(br#"{"message":"hi"}"#).is_ok());
    let ok = parse(br#"{"message":" hi ","session_id":"s-1"}"#).unwrap();
    assert_eq!(
        (ok.message.as_str(), ok.session_id.as_deref()),
        ("hi", Some("s-1"))
    );
    for (bad, says) in [
        (&b"not json"[..], "body must be JSON"),
        (br#"[1]"#, "body must be JSON"),
        (br#"{}"#, "'message' is required"),
        (br#"{"message":"  "}"#, "'message' is required"),
        (br#"{"message":7}"#, "must be a string"),
        (br#"{"message":"x","session_id":"a b"}"#, "'session_id'"),
        (br#"{"message":"x","session_id":5}"#, "'session_id'"),
    ] {
        let e = parse(bad).err().unwrap();
        assert_eq!(e.status, 400);
        assert!(
            e.detail.contains(says),
            "{}: {}",
            String::from_utf8_lossy(bad),
            e.detail
        );
    }
    let long = format!(r#"{{"message":"{}"}}"#, "x".repeat(MAX_MESSAGE + 1));
    assert!(
        parse(long.as_bytes())
            .err()
            .unwrap()
            .detail
            .contains("longer than")
    );
}
