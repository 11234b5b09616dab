use super::bucket_and_key;

#[test]
fn bucket_and_key_of_a_path() {
    assert_eq!(
        bucket_and_key("/b/dir/a%20file.txt"),
        (Some("b".into()), Some("dir/a file.txt".into()))
    );
    assert_eq!(bucket_and_key("/b"), (Some("b".into()), None));
    assert_eq!(bucket_and_key("/"), (None, None));
}
