use super::bucket_of_uri;

#[test]
fn bucket_from_a_path_style_uri() {
    assert_eq!(
        bucket_of_uri("http://127.0.0.1:9000/my-bucket/a/b?x=1").as_deref(),
        Some("my-bucket")
    );
    assert_eq!(
        bucket_of_uri("https://nyc3.digitaloceanspaces.com/logs?list-type=2").as_deref(),
        Some("logs")
    );
    assert_eq!(
        bucket_of_uri("https://nyc3.digitaloceanspaces.com/").as_deref(),
        None
    );
    assert_eq!(
        bucket_of_uri("https://nyc3.digitaloceanspaces.com").as_deref(),
        None
    );
}
