//! Which buckets a tenant may use: those its own ListBuckets shows.
//!
//! The list is cached per credential (the cache key covers the secret, so a request with
//! someone's key and a wrong secret never reaches their list) for `BUCKET_CACHE_TTL_SEC`.
//! When ListBuckets is denied (a key restricted to some buckets), the tenant's log and
//! metrics buckets are allowed. A bucket not allowed is probed once with HeadBucket, with
//! the tenant's own credentials, only to answer truthfully: 404 "Bucket not found" when it
//! does not exist, 403 otherwise.
//!
//! The same cache answers [`BucketAccess::verify`]: credentials the storage accepted
//! (ListBuckets succeeded, or was denied for a restricted but valid key) within the TTL.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::StatusCode;
use parking_lot::Mutex;

use super::Tenant;
use crate::storage::listing::{BucketInfo, list_buckets};
use crate::storage::{BucketName, StorageError};
use crate::telemetry::prom::{AppCounters, AppEvent};

/// A bucket missing from a list this young is not worth a second ListBuckets.
const MIN_REFRESH: Duration = Duration::from_secs(5);

#[derive(Debug, Clone)]
enum Listing {
    Buckets(Arc<HashSet<String>>),
    /// ListBuckets answered AccessDenied.
    Denied,
}

#[derive(Debug, Clone)]
struct Entry {
    listing: Listing,
    fetched: Instant,
}

/// Why a tenant may not go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccessError {
    /// The storage refused the credentials (unknown key, signature mismatch).
    #[error("{}", .0.message)]
    Credentials(StorageError),
    /// The storage could not be asked (down, slow, failing).
    #[error("{}", .0.message)]
    Storage(StorageError),
    #[error("Bucket not found")]
    BucketNotFound,
    #[error("Bucket not allowed for these credentials")]
    BucketForbidden,
}

impl AccessError {
    /// Sorts a failed ListBuckets: 401 means the credentials were refused.
    pub fn from_storage(e: StorageError) -> Self {
        if e.status == StatusCode::UNAUTHORIZED {
            Self::Credentials(e)
        } else {
            Self::Storage(e)
        }
    }
}

/// The per-tenant bucket lists.
#[derive(Debug)]
pub struct BucketAccess {
    ttl: Duration,
    capacity: usize,
    cache: Mutex<HashMap<[u8; 32], Entry>>,
}

impl BucketAccess {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            ttl,
            capacity: capacity.max(1),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Ok when the storage accepted `t`'s credentials within the TTL (asked now if not).
    pub async fn verify(&self, t: &Tenant, c: &AppCounters) -> Result<(), AccessError> {
        if self.fresh(t).is_some() {
            return Ok(());
        }
        self.refresh(t, c).await.map(|_| ())
    }

    fn fresh(&self, t: &Tenant) -> Option<Entry> {
        let cache = self.cache.lock();
        let e = cache.get(&t.cache_key)?;
        (e.fetched.elapsed() < self.ttl).then(|| e.clone())
    }

    /// Ok when `tenant` may use `bucket`; else why not.
    pub async fn check(
        &self,
        t: &Tenant,
        bucket: &BucketName,
        c: &AppCounters,
    ) -> Result<(), AccessError> {
        let entry = match self.fresh(t) {
            Some(e) if allows(&e.listing, t, bucket) => return Ok(()),
            Some(e) if e.fetched.elapsed() < MIN_REFRESH => e,
            _ => self.refresh(t, c).await?,
        };
        if allows(&entry.listing, t, bucket) {
            return Ok(());
        }
        Err(probe(t, bucket).await)
    }

    /// The tenant's buckets, fresh from the storage; the cache is refreshed with them.
    pub async fn list(&self, t: &Tenant, c: &AppCounters) -> Result<Vec<BucketInfo>, StorageError> {
        let buckets = list_buckets(&t.client).await?;
        let names = buckets.iter().map(|b| b.name.clone()).collect();
        self.store(t, Listing::Buckets(Arc::new(names)));
        c.inc(AppEvent::CacheRefresh);
        Ok(buckets)
    }

    async fn refresh(&self, t: &Tenant, c: &AppCounters) -> Result<Entry, AccessError> {
        let listing = match list_buckets(&t.client).await {
            Ok(buckets) => {
                c.inc(AppEvent::CacheRefresh);
                Listing::Buckets(Arc::new(buckets.into_iter().map(|b| b.name).collect()))
            }
            Err(e) if e.status == StatusCode::FORBIDDEN => Listing::Denied,
            Err(e) => return Err(AccessError::from_storage(e)),
        };
        Ok(self.store(t, listing))
    }

    fn store(&self, t: &Tenant, listing: Listing) -> Entry {
        let mut cache = self.cache.lock();
        if cache.len() >= self.capacity && !cache.contains_key(&t.cache_key) {
            let oldest = cache.iter().min_by_key(|(_, e)| e.fetched).map(|(k, _)| *k);
            oldest.and_then(|k| cache.remove(&k));
        }
        let entry = Entry {
            listing,
            fetched: Instant::now(),
        };
        cache.insert(t.cache_key, entry.clone());
        entry
    }
}

fn allows(listing: &Listing, t: &Tenant, bucket: &BucketName) -> bool {
    match listing {
        Listing::Buckets(names) => names.contains(bucket.as_str()),
        Listing::Denied => [&t.creds.log_bucket, &t.creds.metrics_bucket]
            .iter()
            .any(|b| b.as_ref() == Some(bucket)),
    }
}

/// 404 when the bucket does not exist (as the tenant's own HeadBucket says), else 403.
async fn probe(t: &Tenant, bucket: &BucketName) -> AccessError {
    let head = t.client.head_bucket().bucket(bucket.as_str()).send().await;
    match head.map_err(|e| StorageError::from_sdk(&e)) {
        Err(e) if e.status == StatusCode::NOT_FOUND => AccessError::BucketNotFound,
        _ => AccessError::BucketForbidden,
    }
}
