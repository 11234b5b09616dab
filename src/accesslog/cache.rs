//! Object summaries kept between queries, by the identity of the object's content —
//! endpoint, bucket, key and ETag — under a byte budget (`ACCESS_LOG_CACHE_BYTES`),
//! least recently used out first.
//!
//! A log object never changes once delivered; if it did, its ETag would, and so would its
//! identity. Tenants only ever name objects they listed with their own credentials in a
//! bucket they may use, so a shared cache shows nobody anything they could not read.

use std::collections::BTreeMap;
use std::sync::Arc;

use hashbrown::HashMap;
use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use super::summary::ObjectSummary;

/// The identity of one version of one log object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(pub [u8; 16]);

impl ObjectId {
    pub fn new(endpoint: &str, bucket: &str, key: &str, etag: &str) -> Self {
        let d = Sha256::new()
            .chain_update(endpoint)
            .chain_update([0])
            .chain_update(bucket)
            .chain_update([0])
            .chain_update(key)
            .chain_update([0])
            .chain_update(etag)
            .finalize();
        let mut id = [0; 16];
        id.copy_from_slice(&d[..16]);
        Self(id)
    }
}

struct Entry {
    summary: Arc<ObjectSummary>,
    bytes: usize,
    tick: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<ObjectId, Entry>,
    by_age: BTreeMap<u64, ObjectId>,
    bytes: usize,
    tick: u64,
    hits: u64,
    misses: u64,
}

/// The cache.
pub struct SummaryCache {
    budget: usize,
    inner: Mutex<Entries>,
}

impl std::fmt::Debug for SummaryCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.stats();
        f.debug_struct("SummaryCache")
            .field("budget", &self.budget)
            .field("entries", &s.entries)
            .field("bytes", &s.bytes)
            .finish()
    }
}

/// What the cache holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub entries: usize,
    pub bytes: usize,
    pub hits: u64,
    pub misses: u64,
}

impl SummaryCache {
    pub fn new(budget: usize) -> Self {
        Self {
            budget,
            inner: Mutex::new(Entries::default()),
        }
    }

    pub fn get(&self, id: &ObjectId) -> Option<Arc<ObjectSummary>> {
        let mut g = self.inner.lock();
        let inner = &mut *g;
        inner.tick += 1;
        let tick = inner.tick;
        match inner.map.get_mut(id) {
            Some(e) => {
                inner.by_age.remove(&e.tick);
                e.tick = tick;
                inner.by_age.insert(tick, *id);
                inner.hits += 1;
                Some(e.summary.clone())
            }
            None => {
                inner.misses += 1;
                None
            }
        }
    }

    /// Keeps `summary`, evicting the least recently used until it fits; a summary larger
    /// than the whole budget is not kept.
    pub fn insert(&self, id: ObjectId, summary: Arc<ObjectSummary>) {
        let bytes = summary.heap_bytes();
        if bytes > self.budget {
            return;
        }
        let mut g = self.inner.lock();
        let inner = &mut *g;
        if let Some(old) = inner.map.remove(&id) {
            inner.by_age.remove(&old.tick);
            inner.bytes -= old.bytes;
        }
        while inner.bytes + bytes > self.budget {
            let Some((_, victim)) = inner.by_age.pop_first() else {
                break;
            };
            if let Some(e) = inner.map.remove(&victim) {
                inner.bytes -= e.bytes;
            }
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.by_age.insert(tick, id);
        inner.bytes += bytes;
        inner.map.insert(
            id,
            Entry {
                summary,
                bytes,
                tick,
            },
        );
    }

    pub fn stats(&self) -> CacheStats {
        let g = self.inner.lock();
        CacheStats {
            entries: g.map.len(),
            bytes: g.bytes,
            hits: g.hits,
            misses: g.misses,
        }
    }
}

#[cfg(test)]
mod tests;
