//! Which buckets a tenant may use: those its own ListBuckets shows, and those its own
//! credentials can reach.
//!
//! The list is cached per credential (the cache key covers the secret, so a request with
//! someone's key and a wrong secret never reaches their list) for `BUCKET_CACHE_TTL_SEC`.
//! When ListBuckets is denied (a key restricted to some buckets), the tenant's log and
//! metrics buckets are allowed. A bucket missing from the list is probed with HeadBucket,
//! with the tenant's own credentials — the store decides, not a stale list: reachable,
//! it is remembered (until the next refresh); 404 is "Bucket not found"; 403 only when
//! the store refuses. A bucket created or deleted through the gateway is remembered or
//! forgotten at once.
//!
//! The same cache answers [`BucketAccess::verify`]: credentials the storage accepted
//! (ListBuckets succeeded, or was denied for a restricted but valid key) within the TTL.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use super::Tenant;
use crate::storage::listing::{BucketInfo, list_buckets};
use crate::storage::{BucketName, StorageError, StorageErrorKind as Kind};
use crate::telemetry::prom::{AppCounters, AppEvent};

/// Most buckets remembered per tenant beyond its list (reached by HeadBucket, created).
const MAX_LEARNED: usize = 1000;

#[derive(Debug, Clone)]
enum Listing {
    Buckets(Arc<HashSet<String>>),
    /// ListBuckets answered AccessDenied.
    Denied,
}

#[derive(Debug, Clone)]
struct Entry {
    listing: Listing,
    /// Buckets the tenant reached or created since the list was fetched.
    learned: Arc<HashSet<String>>,
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
        if e.kind == Kind::BadCredentials {
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

    /// Whether `t`'s latest bucket list (within the TTL) holds `bucket` — for a key whose
    /// ListBuckets is denied, whether it is the tenant's log or metrics bucket. Asks
    /// nothing: false when there is no fresh list.
    pub fn owns(&self, t: &Tenant, bucket: &str) -> bool {
        let Some(bucket) = BucketName::parse(bucket) else {
            return false;
        };
        self.fresh(t).is_some_and(|e| allows(&e, t, &bucket))
    }

    /// Ok when `tenant` may use `bucket`; else why not.
    pub async fn check(
        &self,
        t: &Tenant,
        bucket: &BucketName,
        c: &AppCounters,
    ) -> Result<(), AccessError> {
        let entry = match self.fresh(t) {
            Some(e) => e,
            None => self.refresh(t, c).await?,
        };
        if allows(&entry, t, bucket) {
            return Ok(());
        }
        probe(t, bucket).await?;
        self.remember(t, bucket);
        Ok(())
    }

    /// `bucket` is the tenant's from now on (it created it, or reached it).
    pub fn remember(&self, t: &Tenant, bucket: &BucketName) {
        self.edit(t, |learned| {
            if learned.len() < MAX_LEARNED {
                learned.insert(bucket.as_str().to_string());
            }
        });
    }

    /// `bucket` is gone (the tenant deleted it).
    pub fn forget(&self, t: &Tenant, bucket: &BucketName) {
        let mut cache = self.cache.lock();
        if let Some(e) = cache.get_mut(&t.cache_key) {
            Arc::make_mut(&mut e.learned).remove(bucket.as_str());
            if let Listing::Buckets(names) = &mut e.listing {
                Arc::make_mut(names).remove(bucket.as_str());
            }
        }
    }

    fn edit(&self, t: &Tenant, f: impl FnOnce(&mut HashSet<String>)) {
        let mut cache = self.cache.lock();
        if let Some(e) = cache.get_mut(&t.cache_key) {
            f(Arc::make_mut(&mut e.learned));
        }
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
            Err(e) if e.kind == Kind::AccessDenied => Listing::Denied,
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
            learned: Arc::default(),
            fetched: Instant::now(),
        };
        cache.insert(t.cache_key, entry.clone());
        entry
    }
}

fn allows(entry: &Entry, t: &Tenant, bucket: &BucketName) -> bool {
    if entry.learned.contains(bucket.as_str()) {
        return true;
    }
    match &entry.listing {
        Listing::Buckets(names) => names.contains(bucket.as_str()),
        Listing::Denied => [&t.creds.log_bucket, &t.creds.metrics_bucket]
            .iter()
            .any(|b| b.as_ref() == Some(bucket)),
    }
}

/// Ok when the tenant's own HeadBucket succeeds; 404 "Bucket not found"; 403 when the
/// store refuses; the store's failure otherwise.
async fn probe(t: &Tenant, bucket: &BucketName) -> Result<(), AccessError> {
    let head = t.client.head_bucket().bucket(bucket.as_str()).send().await;
    match head.map_err(|e| StorageError::from_sdk(&e)) {
        Ok(_) => Ok(()),
        Err(e) if matches!(e.kind, Kind::BucketNotFound | Kind::NotFound) => {
            Err(AccessError::BucketNotFound)
        }
        Err(e) if matches!(e.kind, Kind::AccessDenied | Kind::BadCredentials) => {
            Err(AccessError::BucketForbidden)
        }
        Err(e) => Err(AccessError::Storage(e)),
    }
}
