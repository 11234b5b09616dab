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
}

impl Accounts {
    pub fn new(restricted: impl IntoIterator<Item = String>) -> Self {
        Self {
            owners: Mutex::default(),
            restricted: restricted.into_iter().collect(),
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

#[async_trait::async_trait]
impl S3 for AccountFs {
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

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        self.fs.head_bucket(req).await
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        self.accounts.check(&req, &req.input.bucket)?;
        self.fs.list_objects_v2(req).await
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        self.fs.list_objects(req).await
    }

    async fn get_object(
        &self,
        req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        self.fs.get_object(req).await
    }

    async fn head_object(
        &self,
        req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        self.fs.head_object(req).await
    }

    async fn put_object(
        &self,
        req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        self.fs.put_object(req).await
    }

    async fn delete_object(
        &self,
        req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        self.fs.delete_object(req).await
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        self.accounts.check(&req, &req.input.bucket)?;
        self.fs.delete_bucket(req).await
    }
}
