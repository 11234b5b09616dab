//! What reading a log object gave, kept between queries under a byte budget
//! (`ACCESS_LOG_CACHE_BYTES`), least recently used out first: its summary, its matches of
//! one line-level question (a search, an audit), or why it could not be digested — so a
//! retry does not read a damaged or oversized object again.
//!
//! An entry is found by the identity of the object's content — endpoint, bucket, key and
//! ETag ([`ObjectId`]) — and by who read it ([`CacheKey`]): a tenant only meets entries
//! made from its own reads, so one that may list a log object but not read it never gets
//! what another tenant read. A log object never changes once delivered; if it did, its
//! ETag would, and so would its identity.

use std::collections::BTreeMap;
use std::sync::Arc;

use hashbrown::HashMap;
use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use super::scan::Matches;
use super::summary::ObjectSummary;
use crate::telemetry::Fingerprint;

/// The identity of one version of one log object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(pub [u8; 16]);

impl ObjectId {
    pub fn new(endpoint: &str, bucket: &str, key: &str, etag: &str) -> Self {
        let d = separated_sha256(&[endpoint, bucket, key, etag]);
        let mut id = [0; 16];
        id.copy_from_slice(&d[..16]);
        Self(id)
    }
}

/// SHA-256 of texts each ended by a NUL, so no two lists of texts run together alike.
pub(crate) fn separated_sha256(parts: &[&str]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
        h.update([0]);
    }
    h.finalize().into()
}

/// Where an entry is: what was asked of which object, by whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey([u8; 16]);

impl CacheKey {
    /// The summary of `id` as `tenant` read it.
    pub fn summary(tenant: Fingerprint, id: &ObjectId) -> Self {
        Self::of(tenant, id, b"summary")
    }

    /// The matches of `id` for `question` (the question's own description), as `tenant`
    /// read them.
    pub fn question(tenant: Fingerprint, id: &ObjectId, question: &[u8]) -> Self {
        Self::of(tenant, id, question)
    }

    fn of(tenant: Fingerprint, id: &ObjectId, what: &[u8]) -> Self {
        let d = Sha256::new()
            .chain_update(tenant.0)
            .chain_update(id.0)
            .chain_update((what.len() as u64).to_be_bytes())
            .chain_update(what)
            .finalize();
        let mut k = [0; 16];
        k.copy_from_slice(&d[..16]);
        Self(k)
    }
}

/// What is kept for one key.
#[derive(Debug, Clone)]
pub enum Cached {
    Summary(Arc<ObjectSummary>),
    /// One object's answer to one line-level question.
    Matches(Arc<Matches>),
    /// Why the object could not be read: the same bytes would fail the same way.
    Failed(&'static str),
}

impl Cached {
    fn heap_bytes(&self) -> usize {
        match self {
            Self::Summary(s) => s.heap_bytes(),
            Self::Matches(m) => m.heap_bytes(),
            Self::Failed(_) => 64,
        }
    }
}

struct Entry {
    value: Cached,
    bytes: usize,
    tick: u64,
}

#[derive(Default)]
struct Entries {
    map: HashMap<CacheKey, Entry>,
    by_age: BTreeMap<u64, CacheKey>,
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

    pub fn get(&self, id: &CacheKey) -> Option<Cached> {
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
                Some(e.value.clone())
            }
            None => {
                inner.misses += 1;
                None
            }
        }
    }

    /// Keeps `value`, evicting the least recently used until it fits; a value larger than
    /// the whole budget is not kept.
    pub fn insert(&self, id: CacheKey, value: Cached) {
        let bytes = value.heap_bytes();
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
        inner.map.insert(id, Entry { value, bytes, tick });
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
