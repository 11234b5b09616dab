use super::*;
use http::Method;

fn name(method: Method, path: &str, copy: bool, form: bool) -> &'static str {
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let bucket = parts.next().is_some_and(|b| !b.is_empty());
    let key = parts.next().is_some_and(|k| !k.is_empty());
    classify(&Request {
        method: &method,
        bucket,
        key,
        query,
        copy_source: copy,
        form,
    })
    .as_str()
}

#[test]
fn the_reference_table() {
    let g = Method::GET;
    let cases: &[(Method, &str, &str)] = &[
        (g.clone(), "/", "ListBuckets"),
        (g.clone(), "/?max-buckets=10", "ListBuckets"),
        (Method::PUT, "/b", "CreateBucket"),
        (Method::DELETE, "/b", "DeleteBucket"),
        (Method::HEAD, "/b", "HeadBucket"),
        (g.clone(), "/b?location", "GetBucketLocation"),
        (g.clone(), "/b", "ListObjects"),
        (g.clone(), "/b?prefix=a&marker=x", "ListObjects"),
        (g.clone(), "/b?list-type=2&prefix=a", "ListObjectsV2"),
        (g.clone(), "/b?versions", "ListObjectVersions"),
        (g.clone(), "/b?uploads", "ListMultipartUploads"),
        (Method::POST, "/b?delete", "DeleteObjects"),
        (g.clone(), "/b?versioning", "GetBucketVersioning"),
        (Method::PUT, "/b?versioning", "PutBucketVersioning"),
        (Method::DELETE, "/b?cors", "DeleteBucketCors"),
        (
            Method::PUT,
            "/b?lifecycle",
            "PutBucketLifecycleConfiguration",
        ),
        (Method::DELETE, "/b?lifecycle", "DeleteBucketLifecycle"),
        (g.clone(), "/b?policyStatus", "GetBucketPolicyStatus"),
        (Method::PUT, "/b?object-lock", "PutObjectLockConfiguration"),
        (Method::PUT, "/b?publicAccessBlock", "PutPublicAccessBlock"),
        (g.clone(), "/b/k", "GetObject"),
        (g.clone(), "/b/k?versionId=3&x-id=GetObject", "GetObject"),
        (Method::HEAD, "/b/k", "HeadObject"),
        (Method::PUT, "/b/k", "PutObject"),
        (Method::DELETE, "/b/k", "DeleteObject"),
        (Method::POST, "/b/k?uploads", "CreateMultipartUpload"),
        (Method::PUT, "/b/k?partNumber=2&uploadId=U", "UploadPart"),
        (Method::POST, "/b/k?uploadId=U", "CompleteMultipartUpload"),
        (Method::DELETE, "/b/k?uploadId=U", "AbortMultipartUpload"),
        (g.clone(), "/b/k?uploadId=U&max-parts=5", "ListParts"),
        (g.clone(), "/b/k?tagging", "GetObjectTagging"),
        (Method::PUT, "/b/k?tagging", "PutObjectTagging"),
        (Method::DELETE, "/b/k?tagging", "DeleteObjectTagging"),
        (g.clone(), "/b/k?attributes", "GetObjectAttributes"),
        (Method::PUT, "/b/k?retention", "PutObjectRetention"),
        (g.clone(), "/b/k?legal-hold", "GetObjectLegalHold"),
        (Method::POST, "/b/k?restore", "RestoreObject"),
        (
            Method::POST,
            "/b/k?select&select-type=2",
            "SelectObjectContent",
        ),
        // Not S3 operations: never a new name.
        (Method::PATCH, "/b/k", "Other"),
        (g.clone(), "/b?nonsense", "ListObjects"),
        (g.clone(), "/b/k?acl&tagging", "Other"),
        (Method::POST, "/b/k", "Other"),
        (Method::PUT, "/?versioning", "Other"),
        (Method::DELETE, "/b?versioning", "Other"),
    ];
    for (m, path, want) in cases {
        assert_eq!(name(m.clone(), path, false, false), *want, "{m} {path}");
    }
    assert_eq!(name(Method::PUT, "/b/k", true, false), "CopyObject");
    assert_eq!(
        name(Method::PUT, "/b/k?partNumber=1&uploadId=U", true, false),
        "UploadPartCopy"
    );
    assert_eq!(name(Method::POST, "/b", false, true), "PostObject");
}

#[test]
fn every_name_is_unique_and_in_one_family() {
    let mut names: Vec<&str> = S3Api::ALL.iter().map(|a| a.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), S3Api::COUNT);
    for (i, a) in S3Api::ALL.iter().enumerate() {
        assert_eq!(a.index(), i);
        assert_eq!(S3Api::from_name(a.as_str()), *a);
    }
    assert_eq!(S3Api::from_name("MadeUp"), S3Api::Other);
    use Family::*;
    assert_eq!(S3Api::DeleteObjects.family(), Delete);
    assert_eq!(S3Api::CreateMultipartUpload.family(), Post);
    assert_eq!(S3Api::HeadBucket.family(), Head);
    assert_eq!(S3Api::ListParts.family(), List);
    assert_eq!(S3Api::GetBucketVersioning.family(), Other);
    assert!(S3Api::GetBucketVersioning.is_bucket_level());
    assert!(S3Api::CreateBucket.is_bucket_level());
    assert!(!S3Api::GetObject.is_bucket_level() && !S3Api::Other.is_bucket_level());
}

#[test]
fn what_s3_does_not_define_is_known_as_such() {
    let defined = |m: Method, path: &str, form: bool| {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let mut parts = path.trim_start_matches('/').splitn(2, '/');
        let bucket = parts.next().is_some_and(|b| !b.is_empty());
        let key = parts.next().is_some_and(|k| !k.is_empty());
        is_defined(&Request {
            method: &m,
            bucket,
            key,
            query,
            copy_source: false,
            form,
        })
    };
    let foo = Method::from_bytes(b"FOO").unwrap();
    for (m, path, form) in [
        (Method::PATCH, "/b/k", false),
        (foo.clone(), "/b", false),
        (Method::POST, "/b/k", false),
        (Method::POST, "/b", false),
        (Method::PUT, "/", false),
        (Method::DELETE, "/", false),
    ] {
        assert!(!defined(m.clone(), path, form), "{m} {path}");
    }
    for (m, path, form) in [
        (Method::GET, "/", false),
        (Method::HEAD, "/", false),
        (Method::POST, "/b", true),
        (Method::POST, "/b/k?uploads", false),
        (Method::POST, "/b/k?renameObject", false),
        (Method::GET, "/b?analytics&id=1", false),
        (Method::OPTIONS, "/b/k", false),
        (Method::PUT, "/b", false),
    ] {
        assert!(defined(m.clone(), path, form), "{m} {path}");
    }
}
