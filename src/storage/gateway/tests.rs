use super::error_code;

#[test]
fn error_codes_are_read_from_xml() {
    let xml = b"<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code><Message>x</Message></Error>";
    assert_eq!(error_code(xml).as_deref(), Some("NoSuchKey"));
    assert_eq!(error_code(b"not xml"), None);
}
