//! The S3 API a request is: a closed vocabulary of S3's operation names (the `api`
//! label), each in one of CloudWatch's request families.
//!
//! A name is derived from what the request *is* — method, whether a bucket and a key are
//! present, the sub-resource in the query, and two headers ([`Request`]) — never from
//! request text, so no client can mint a label. A combination S3 does not define is
//! [`S3Api::Other`].

use crate::telemetry::OperationType;

/// Declares the vocabulary: each name with its family.
macro_rules! s3_apis {
    ($($name:ident: $family:ident),* $(,)?) => {
        /// An S3 operation, named as the S3 API reference and CloudWatch name it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum S3Api {
            $($name,)*
        }

        impl S3Api {
            /// Every name, in index order.
            pub const ALL: &[S3Api] = &[$(Self::$name,)*];

            /// The name, e.g. `ListObjectsV2`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$name => stringify!($name),)*
                }
            }

            /// The CloudWatch request family it counts in.
            pub fn family(self) -> Family {
                match self {
                    $(Self::$name => Family::$family,)*
                }
            }
        }
    };
}

s3_apis! {
    ListBuckets: List,
    ListObjectsV2: List,
    GetObject: Get,
    PutObject: Put,
    HeadObject: Head,
    DeleteObject: Delete,
    HeadBucket: Head,
    CreateBucket: Other,
    Other: Other,
    DeleteBucket: Other,
    ListObjects: List,
    ListObjectVersions: List,
    ListMultipartUploads: List,
    ListParts: List,
    CopyObject: Put,
    DeleteObjects: Delete,
    CreateMultipartUpload: Post,
    UploadPart: Put,
    UploadPartCopy: Put,
    CompleteMultipartUpload: Post,
    AbortMultipartUpload: Delete,
    PostObject: Post,
    RestoreObject: Post,
    SelectObjectContent: Select,
    GetObjectTagging: Get,
    PutObjectTagging: Put,
    DeleteObjectTagging: Delete,
    GetObjectAcl: Get,
    PutObjectAcl: Put,
    GetObjectAttributes: Get,
    GetObjectRetention: Get,
    PutObjectRetention: Put,
    GetObjectLegalHold: Get,
    PutObjectLegalHold: Put,
    GetObjectTorrent: Get,
    GetBucketLocation: Other,
    GetBucketVersioning: Other,
    PutBucketVersioning: Other,
    GetBucketTagging: Other,
    PutBucketTagging: Other,
    DeleteBucketTagging: Other,
    GetBucketCors: Other,
    PutBucketCors: Other,
    DeleteBucketCors: Other,
    GetBucketLifecycleConfiguration: Other,
    PutBucketLifecycleConfiguration: Other,
    DeleteBucketLifecycle: Other,
    GetBucketPolicy: Other,
    PutBucketPolicy: Other,
    DeleteBucketPolicy: Other,
    GetBucketPolicyStatus: Other,
    GetBucketAcl: Other,
    PutBucketAcl: Other,
    GetBucketEncryption: Other,
    PutBucketEncryption: Other,
    DeleteBucketEncryption: Other,
    GetObjectLockConfiguration: Other,
    PutObjectLockConfiguration: Other,
    GetBucketOwnershipControls: Other,
    PutBucketOwnershipControls: Other,
    DeleteBucketOwnershipControls: Other,
    GetPublicAccessBlock: Other,
    PutPublicAccessBlock: Other,
    DeletePublicAccessBlock: Other,
    GetBucketWebsite: Other,
    PutBucketWebsite: Other,
    DeleteBucketWebsite: Other,
    GetBucketLogging: Other,
    PutBucketLogging: Other,
    GetBucketNotificationConfiguration: Other,
    PutBucketNotificationConfiguration: Other,
    GetBucketReplication: Other,
    PutBucketReplication: Other,
    DeleteBucketReplication: Other,
    GetBucketRequestPayment: Other,
    PutBucketRequestPayment: Other,
    GetBucketAccelerateConfiguration: Other,
    PutBucketAccelerateConfiguration: Other,
}

/// CloudWatch's request families (its request metrics, `AllRequests` being the sum).
/// `Other` holds what CloudWatch counts in `AllRequests` only: bucket configuration,
/// bucket creation and deletion, and names outside the vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Family {
    Get,
    Put,
    Delete,
    Head,
    Post,
    Select,
    List,
    Other,
}

impl Family {
    pub const ALL: [Family; 8] = [
        Self::Get,
        Self::Put,
        Self::Delete,
        Self::Head,
        Self::Post,
        Self::Select,
        Self::List,
        Self::Other,
    ];

    /// CloudWatch's metric name, e.g. `GetRequests`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GetRequests",
            Self::Put => "PutRequests",
            Self::Delete => "DeleteRequests",
            Self::Head => "HeadRequests",
            Self::Post => "PostRequests",
            Self::Select => "SelectRequests",
            Self::List => "ListRequests",
            Self::Other => "OtherRequests",
        }
    }
}

impl S3Api {
    pub const COUNT: usize = Self::ALL.len();

    pub fn index(self) -> usize {
        self as usize
    }

    /// From an SDK operation name; anything unknown is `Other` (never a new label).
    pub fn from_name(name: &str) -> Self {
        Self::ALL
            .iter()
            .copied()
            .find(|a| a.as_str() == name)
            .unwrap_or(Self::Other)
    }

    /// Whether it names a bucket's configuration or the bucket itself (create, delete,
    /// head, location), not objects.
    pub fn is_bucket_level(self) -> bool {
        use S3Api::*;
        matches!(self, CreateBucket | DeleteBucket | HeadBucket)
            || (self.family() == Family::Other && self != Other)
    }
}

impl S3Api {
    /// The seed-level operation type of a gateway request of this API.
    pub fn operation_type(self) -> OperationType {
        use OperationType as T;
        use S3Api::*;
        match self {
            ListBuckets => T::ListBuckets,
            ListObjects | ListObjectsV2 | ListObjectVersions | ListMultipartUploads | ListParts => {
                T::ListObjects
            }
            HeadObject => T::HeadObject,
            _ if self.is_bucket_level() => T::ManageBucket,
            _ => match self.family() {
                Family::Put | Family::Post => T::PutObject,
                Family::Delete => T::DeleteObject,
                Family::Head => T::HeadObject,
                _ => T::GetObject,
            },
        }
    }
}

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

#[cfg(test)]
mod tests;
