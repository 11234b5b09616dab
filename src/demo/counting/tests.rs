use super::*;
use http::Method;

fn of(method: Method, uri: &str, headers: &[(&str, &str)]) -> S3Api {
    let mut b = http::Request::builder().method(method).uri(uri);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    classify(&b.body(()).unwrap())
}

#[test]
fn requests_are_classified_like_the_sdk_names_them() {
    assert_eq!(of(Method::GET, "/", &[]), S3Api::ListBuckets);
    assert_eq!(
        of(Method::GET, "/b?list-type=2&prefix=a", &[]),
        S3Api::ListObjectsV2
    );
    assert_eq!(of(Method::GET, "/b", &[]), S3Api::ListObjects);
    assert_eq!(of(Method::HEAD, "/b", &[]), S3Api::HeadBucket);
    assert_eq!(of(Method::GET, "/b/k/x", &[]), S3Api::GetObject);
    assert_eq!(of(Method::DELETE, "/b/k", &[]), S3Api::DeleteObject);
    assert_eq!(
        of(Method::POST, "/b/k?uploads", &[]),
        S3Api::CreateMultipartUpload
    );
    assert_eq!(
        of(Method::PUT, "/b/k", &[("x-amz-copy-source", "/a/b")]),
        S3Api::CopyObject
    );
}
