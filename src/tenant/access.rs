//! Which buckets a tenant may use: those its own ListBuckets shows.
//!
//! The list is cached per credential (the cache key covers the secret, so a request with
//! someone's key and a wrong secret never reaches their list) for `BUCKET_CACHE_TTL_SEC`.
//! When ListBuckets is denied (a key restricted to some buckets), the tenant's log and
//! metrics buckets are allowed. A bucket not allowed is probed once with HeadBucket, with
//! the tenant's own credentials, only to answer truthfully: 404 "Bucket not found" when it
//! does not exist, 403 otherwise.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::StatusCode;
use parking_lot::Mutex;

use super::Tenant;
use crate::server::error::ApiError;
use crate::storage::tools::{BucketInfo, list_buckets};
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

    /// Ok when `tenant` may use `bucket`; else the 403/404 to answer.
    pub async fn check(
        &self,
        t: &Tenant,
        bucket: &BucketName,
        c: &AppCounters,
    ) -> Result<(), ApiError> {
        let key = t.creds.cache_key();
        let cached = self.cache.lock().get(&key).cloned();
        let fresh = cached.as_ref().filter(|e| e.fetched.elapsed() < self.ttl);
        let entry = match fresh {
            Some(e) if allows(&e.listing, t, bucket) => return Ok(()),
            Some(e) if e.fetched.elapsed() < MIN_REFRESH => e.clone(),
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

    async fn refresh(&self, t: &Tenant, c: &AppCounters) -> Result<Entry, ApiError> {
        match self.list(t, c).await {
            Ok(_) => {}
            Err(e) if e.status == StatusCode::FORBIDDEN => self.store(t, Listing::Denied),
            Err(e) => return Err(e.into()),
        }
        let key = t.creds.cache_key();
        let entry = self.cache.lock().get(&key).cloned();
        entry.ok_or_else(|| ApiError::internal("bucket cache lost an entry"))
    }

    fn store(&self, t: &Tenant, listing: Listing) {
        let mut cache = self.cache.lock();
        if cache.len() >= self.capacity {
            let oldest = cache.iter().min_by_key(|(_, e)| e.fetched).map(|(k, _)| *k);
            oldest.and_then(|k| cache.remove(&k));
        }
        let entry = Entry {
            listing,
            fetched: Instant::now(),
        };
        cache.insert(t.creds.cache_key(), entry);
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
async fn probe(t: &Tenant, bucket: &BucketName) -> ApiError {
    let head = t.client.head_bucket().bucket(bucket.as_str()).send().await;
    match head.map_err(|e| StorageError::from_sdk(&e)) {
        Err(e) if e.status == StatusCode::NOT_FOUND => ApiError::not_found("Bucket not found"),
        _ => ApiError::forbidden("Bucket not allowed for these credentials"),
    }
}
