use super::keys_match;

#[test]
fn only_the_exact_key_matches() {
    assert!(keys_match("s3cret-key", "s3cret-key"));
    assert!(!keys_match("s3cret-kez", "s3cret-key"));
    assert!(!keys_match("", "s3cret-key"));
    assert!(!keys_match("s3cret-key ", "s3cret-key"));
}
