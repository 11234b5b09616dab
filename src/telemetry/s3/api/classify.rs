//! Naming a request: its S3 API from method, bucket and key, the sub-resource of its
//! query, and two headers; and whether S3 defines its method on its resource at all.

use super::S3Api;

/// What a request is, as far as naming it goes.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub method: &'a http::Method,
    pub bucket: bool,
    pub key: bool,
    /// The raw query string (without `?`).
    pub query: &'a str,
    /// `x-amz-copy-source` is present.
    pub copy_source: bool,
    /// The body is a browser form (`multipart/form-data`).
    pub form: bool,
}

/// The S3 sub-resources that name an operation, in the query (`?versioning`).
const SUBRESOURCES: [&str; 31] = [
    "accelerate",
    "acl",
    "analytics",
    "attributes",
    "cors",
    "delete",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "location",
    "logging",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versioning",
    "versions",
];

/// The one sub-resource of `query`: `Ok(None)` without one, `Err` for two or more (S3
/// defines no operation with two).
fn subresource(query: &str) -> Result<Option<&str>, ()> {
    let mut found = None;
    for name in query
        .split('&')
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
    {
        if SUBRESOURCES.contains(&name) {
            // `uploadId` goes with `partNumber` (UploadPart) and is the sub-resource of
            // the multipart calls; `select` comes with `select-type`.
            if found.is_some_and(|f| f != name) {
                return Err(());
            }
            found = Some(name);
        }
    }
    Ok(found)
}

/// Whether S3 defines `r`'s method on its resource at all: the methods of the S3 REST
/// API (and `OPTIONS`, CORS preflight), and, without a sub-resource, only what S3 has
/// there (no `PUT /`, no `POST` of an object, no `POST` of a bucket but a browser form).
/// A request with a sub-resource (one S3 may define later too) is the store's to decide.
pub fn is_defined(r: &Request<'_>) -> bool {
    let m = r.method.as_str();
    if !matches!(m, "GET" | "HEAD" | "PUT" | "POST" | "DELETE" | "OPTIONS") {
        return false;
    }
    // A bare flag (`?renameObject`) may be a sub-resource S3 added after this list.
    let flag = r
        .query
        .split('&')
        .any(|p| !p.is_empty() && p.split_once('=').is_none_or(|(_, v)| v.is_empty()));
    if m == "OPTIONS" || flag || !matches!(subresource(r.query), Ok(None)) {
        return true;
    }
    match (r.bucket, r.key, m) {
        (false, _, m) => matches!(m, "GET" | "HEAD"),
        (true, false, "POST") => r.form,
        (true, true, "POST") => false,
        _ => true,
    }
}

fn has(query: &str, name: &str) -> bool {
    query
        .split('&')
        .any(|p| p.split_once('=').map_or(p, |(k, _)| k) == name)
}

/// The S3 API `r` is.
pub fn classify(r: &Request<'_>) -> S3Api {
    let Ok(sub) = subresource(r.query) else {
        return S3Api::Other;
    };
    match (r.bucket, r.key) {
        (false, _) if r.method == http::Method::GET && sub.is_none() => S3Api::ListBuckets,
        (false, _) => S3Api::Other,
        (true, false) => bucket(r, sub),
        (true, true) => object(r, sub),
    }
}

fn bucket(r: &Request<'_>, sub: Option<&str>) -> S3Api {
    use S3Api::*;
    match (r.method.as_str(), sub) {
        ("GET", None) if has(r.query, "list-type") => ListObjectsV2,
        ("GET", None) => ListObjects,
        ("HEAD", None) => HeadBucket,
        ("PUT", None) => CreateBucket,
        ("DELETE", None) => DeleteBucket,
        ("POST", Some("delete")) => DeleteObjects,
        ("POST", None) if r.form => PostObject,
        ("GET", Some("uploads")) => ListMultipartUploads,
        ("GET", Some("versions")) => ListObjectVersions,
        ("GET", Some("location")) => GetBucketLocation,
        ("GET", Some("policyStatus")) => GetBucketPolicyStatus,
        (method, Some(sub)) => bucket_config(method, sub),
        _ => Other,
    }
}

/// Get/Put/Delete of a bucket's configuration sub-resource.
fn bucket_config(method: &str, sub: &str) -> S3Api {
    use S3Api::*;
    let (get, put, delete) = match sub {
        "versioning" => (GetBucketVersioning, PutBucketVersioning, Other),
        "tagging" => (GetBucketTagging, PutBucketTagging, DeleteBucketTagging),
        "cors" => (GetBucketCors, PutBucketCors, DeleteBucketCors),
        "lifecycle" => (
            GetBucketLifecycleConfiguration,
            PutBucketLifecycleConfiguration,
            DeleteBucketLifecycle,
        ),
        "policy" => (GetBucketPolicy, PutBucketPolicy, DeleteBucketPolicy),
        "acl" => (GetBucketAcl, PutBucketAcl, Other),
        "encryption" => (
            GetBucketEncryption,
            PutBucketEncryption,
            DeleteBucketEncryption,
        ),
        "object-lock" => (
            GetObjectLockConfiguration,
            PutObjectLockConfiguration,
            Other,
        ),
        "ownershipControls" => (
            GetBucketOwnershipControls,
            PutBucketOwnershipControls,
            DeleteBucketOwnershipControls,
        ),
        "publicAccessBlock" => (
            GetPublicAccessBlock,
            PutPublicAccessBlock,
            DeletePublicAccessBlock,
        ),
        "website" => (GetBucketWebsite, PutBucketWebsite, DeleteBucketWebsite),
        "logging" => (GetBucketLogging, PutBucketLogging, Other),
        "notification" => (
            GetBucketNotificationConfiguration,
            PutBucketNotificationConfiguration,
            Other,
        ),
        "replication" => (
            GetBucketReplication,
            PutBucketReplication,
            DeleteBucketReplication,
        ),
        "requestPayment" => (GetBucketRequestPayment, PutBucketRequestPayment, Other),
        "accelerate" => (
            GetBucketAccelerateConfiguration,
            PutBucketAccelerateConfiguration,
            Other,
        ),
        _ => (Other, Other, Other),
    };
    match method {
        "GET" => get,
        "PUT" => put,
        "DELETE" => delete,
        _ => Other,
    }
}

fn object(r: &Request<'_>, sub: Option<&str>) -> S3Api {
    use S3Api::*;
    let part = has(r.query, "partNumber");
    match (r.method.as_str(), sub) {
        ("GET", None) => GetObject,
        ("HEAD", None) => HeadObject,
        ("PUT", None) if r.copy_source => CopyObject,
        ("PUT", None) => PutObject,
        ("DELETE", None) => DeleteObject,
        ("PUT", Some("uploadId")) if part && r.copy_source => UploadPartCopy,
        ("PUT", Some("uploadId")) if part => UploadPart,
        ("GET", Some("uploadId")) => ListParts,
        ("POST", Some("uploadId")) => CompleteMultipartUpload,
        ("DELETE", Some("uploadId")) => AbortMultipartUpload,
        ("POST", Some("uploads")) => CreateMultipartUpload,
        ("POST", Some("restore")) => RestoreObject,
        ("POST", Some("select")) => SelectObjectContent,
        ("GET", Some("tagging")) => GetObjectTagging,
        ("PUT", Some("tagging")) => PutObjectTagging,
        ("DELETE", Some("tagging")) => DeleteObjectTagging,
        ("GET", Some("acl")) => GetObjectAcl,
        ("PUT", Some("acl")) => PutObjectAcl,
        ("GET", Some("attributes")) => GetObjectAttributes,
        ("GET", Some("retention")) => GetObjectRetention,
        ("PUT", Some("retention")) => PutObjectRetention,
        ("GET", Some("legal-hold")) => GetObjectLegalHold,
        ("PUT", Some("legal-hold")) => PutObjectLegalHold,
        ("GET", Some("torrent")) => GetObjectTorrent,
        _ => Other,
    }
}
