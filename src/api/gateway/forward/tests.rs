use super::query;

#[test]
fn the_query_crosses_whole_but_the_presigned_signature() {
    assert_eq!(query("uploads", false).unwrap(), "uploads");
    assert_eq!(
        query("list-type=2&prefix=a%20b&x-id=ListObjectsV2", false).unwrap(),
        "list-type=2&prefix=a%20b&x-id=ListObjectsV2"
    );
    assert_eq!(query("prefix=a/b~c", false).unwrap(), "prefix=a%2Fb~c");
    assert_eq!(
        query(
            "response-content-type=text%2Fplain&X-Amz-Signature=ab&X-Amz-Expires=60",
            true
        )
        .unwrap(),
        "response-content-type=text%2Fplain"
    );
    assert_eq!(
        query("X-Amz-Signature=ab", false).unwrap(),
        "X-Amz-Signature=ab",
        "only a presigned request's are its signature"
    );
    assert!(query(&"a".repeat(20_000), false).is_err());
}
