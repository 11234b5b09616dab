//! The S3 API a request is: a closed vocabulary of S3's operation names (the `api`
//! label), each in one of CloudWatch's request families.
//!
//! A name is derived from what the request *is* — method, whether a bucket and a key are
//! present, the sub-resource in the query, and two headers ([`Request`]) — never from
//! request text, so no client can mint a label. A combination S3 does not define is
//! [`S3Api::Other`]. The naming itself is [`classify`].

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

pub use classify::{Request, classify, is_defined};

#[path = "api/classify.rs"]
mod classify;
#[cfg(test)]
mod tests;
