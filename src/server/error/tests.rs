use super::*;

/// The table of `storage/error.rs`, from what the store answered to what we answer.
#[test]
fn store_answers_map_to_the_documented_statuses() {
    for (code, store, ours) in [
        (Some("NoSuchBucket"), 404, 404),
        (Some("NoSuchKey"), 404, 404),
        (None, 404, 404),
        (Some("AccessDenied"), 403, 403),
        (None, 403, 403),
        (Some("InvalidAccessKeyId"), 403, 401),
        (Some("NotSignedUp"), 403, 401),
        (Some("SignatureDoesNotMatch"), 403, 401),
        (Some("PreconditionFailed"), 412, 412),
        (None, 416, 416),
        (Some("InternalError"), 500, 502),
        (Some("SlowDown"), 503, 502),
        (None, 503, 502),
    ] {
        let e = ApiError::from(StorageError::from_response(code, store));
        assert_eq!(e.status.as_u16(), ours, "{code:?} {store}");
    }
}

#[test]
fn a_tool_call_answers_as_its_storage_error_would() {
    let storage = StorageError::from_response(Some("NoSuchBucket"), 404);
    let tool = ToolError::from(storage.clone());
    assert_eq!(ApiError::from(tool), ApiError::from(storage));
    let own = ToolError::bad_args("'bucket' is required");
    assert_eq!(ApiError::from(own).status, StatusCode::BAD_REQUEST);
}
