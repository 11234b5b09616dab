//! Accounts for the embedded store, as Spaces has them: each key owns the buckets it
//! created; another key gets AccessDenied on them and does not see them in ListBuckets.
//! A key can be *restricted* (its ListBuckets is denied), like a Spaces key limited to
//! some buckets. Storage itself is s3s-fs; this layer only adds ownership.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use parking_lot::Mutex;
use s3s::dto::*;
use s3s::{S3, S3Error, S3ErrorCode, S3Request, S3Response, S3Result};
use s3s_fs::FileSystem;

/// Who owns what.
#[derive(Debug, Default)]
pub struct Accounts {
    owners: Mutex<HashMap<String, String>>,
    restricted: HashSet<String>,
    /// Objects are public-read: anyone may GET and HEAD them.
    public_reads: bool,
}

impl Accounts {
    pub fn new(restricted: impl IntoIterator<Item = String>, public_reads: bool) -> Self {
        Self {
            owners: Mutex::default(),
            restricted: restricted.into_iter().collect(),
            public_reads,
        }
    }

    /// [`check`](Self::check), but an unsigned read passes when objects are public.
    fn check_read<T>(&self, req: &S3Request<T>, bucket: &str) -> S3Result<()> {
        match Self::caller(req) {
            None if self.public_reads => Ok(()),
            _ => self.check(req, bucket),
        }
    }

    fn caller<T>(req: &S3Request<T>) -> Option<&str> {
        req.credentials.as_ref().map(|c| c.access_key.as_str())
    }

    /// AccessDenied unless the bucket has no owner or the caller owns it.
    fn check<T>(&self, req: &S3Request<T>, bucket: &str) -> S3Result<()> {
        match (self.owners.lock().get(bucket), Self::caller(req)) {
            (None, _) => Ok(()),
            (Some(owner), Some(caller)) if owner == caller => Ok(()),
            _ => Err(S3Error::new(S3ErrorCode::AccessDenied)),
        }
    }
}

/// The bucket a copy reads from, when it names one.
fn copy_source(src: &CopySource) -> Option<&str> {
    match src {
        CopySource::Bucket { bucket, .. } => Some(bucket),
        _ => None,
    }
}

/// s3s-fs with account ownership.
pub struct AccountFs {
    fs: FileSystem,
    accounts: Arc<Accounts>,
}

impl AccountFs {
    pub fn new(fs: FileSystem, accounts: Arc<Accounts>) -> Self {
        Self { fs, accounts }
    }
}

/// Operations on one bucket, passed to s3s-fs once the caller may use the bucket. Written
/// in the form `#[async_trait]` gives its methods (it does not look inside a macro).
macro_rules! owned_bucket {
    ($($op:ident($input:ty) -> $output:ty;)*) => {
        $(
            fn $op<'life0, 'async_trait>(
                &'life0 self,
                req: S3Request<$input>,
            ) -> std::pin::Pin<
                Box<dyn Future<Output = S3Result<S3Response<$output>>> + Send + 'async_trait>,
            >
            where
                'life0: 'async_trait,
                Self: 'async_trait,
            {
                Box::pin(async move {
                    self.accounts.check(&req, &req.input.bucket)?;
                    self.fs.$op(req).await
                })
            }
        )*
    };
}

#[async_trait::async_trait]
impl S3 for AccountFs {
    owned_bucket! {
        head_bucket(HeadBucketInput) -> HeadBucketOutput;
        list_objects_v2(ListObjectsV2Input) -> ListObjectsV2Output;
        list_objects(ListObjectsInput) -> ListObjectsOutput;
        put_object(PutObjectInput) -> PutObjectOutput;
        delete_object(DeleteObjectInput) -> DeleteObjectOutput;
        delete_bucket(DeleteBucketInput) -> DeleteBucketOutput;
        delete_objects(DeleteObjectsInput) -> DeleteObjectsOutput;
        get_bucket_location(GetBucketLocationInput) -> GetBucketLocationOutput;
        create_multipart_upload(CreateMultipartUploadInput) -> CreateMultipartUploadOutput;
        upload_part(UploadPartInput) -> UploadPartOutput;
        list_parts(ListPartsInput) -> ListPartsOutput;
        complete_multipart_upload(CompleteMultipartUploadInput) -> CompleteMultipartUploadOutput;
        abort_multipart_upload(AbortMultipartUploadInput) -> AbortMultipartUploadOutput;
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.accounts.check_read(&req, &req.input.bucket)?;
        self.fs.get_object(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.accounts.check_read(&req, &req.input.bucket)?;
        self.fs.head_object(req).await
    }

    async fn copy_object(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        if let Some(src) = copy_source(&req.input.copy_source) {
            self.accounts.check(&req, src)?;
        }
        self.fs.copy_object(req).await
    }

    async fn upload_part_copy(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        if let Some(src) = copy_source(&req.input.copy_source) {
            self.accounts.check(&req, src)?;
        }
        self.fs.upload_part_copy(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        let caller = Accounts::caller(&req).map(str::to_string);
        if caller
            .as_ref()
            .is_some_and(|c| self.accounts.restricted.contains(c))
        {
            return Err(S3Error::new(S3ErrorCode::AccessDenied));
        }
        let mut resp = self.fs.list_buckets(req).await?;
        let owners = self.accounts.owners.lock();
        if let Some(buckets) = resp.output.buckets.as_mut() {
            buckets.retain(|b| {
                let owner = b.name.as_ref().and_then(|n| owners.get(n));
                owner.is_none() || owner == caller.as_ref()
            });
        }
        Ok(resp)
    }

    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        let (bucket, caller) = (
            req.input.bucket.clone(),
            Accounts::caller(&req).map(str::to_string),
        );
        let resp = self.fs.create_bucket(req).await?;
        if let Some(caller) = caller {
            self.accounts.owners.lock().insert(bucket, caller);
        }
        Ok(resp)
    }
}
