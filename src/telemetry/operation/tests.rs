use super::bounded_text;

#[test]
fn outside_text_is_bounded_and_one_line() {
    assert_eq!(bounded_text("a\nb", 10), "a b");
    let long = "é".repeat(1000);
    let cut = bounded_text(&long, 256);
    assert!(cut.len() <= 256 + '…'.len_utf8(), "{}", cut.len());
    assert!(cut.ends_with('…'));
    assert_eq!(bounded_text("short", 256), "short");
}
