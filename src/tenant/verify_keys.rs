//! The SigV4 signing keys of gateway credentials, for verifying their requests: one entry
//! per access key, secret and region, each holding its key for the UTC day (the same
//! [`SigningKeys`] the tenant's own requests are re-signed with), least recently used
//! evicted. The cache key covers the secret, so a forged access key id never reaches
//! another credential's entry.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use crate::storage::sigv4::SigningKeys;

/// Entries by credential digest: the keys and when they were last used; the use clock.
type Entries = (HashMap<[u8; 32], (Arc<SigningKeys>, u64)>, u64);

/// The bounded cache.
#[derive(Debug)]
pub struct VerifyKeys {
    capacity: usize,
    inner: Mutex<Entries>,
}

impl VerifyKeys {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            inner: Mutex::default(),
        }
    }

    /// The signing keys of (`access_key`, `secret`, `region`).
    pub fn get(&self, access_key: &str, secret: &str, region: &str) -> Arc<SigningKeys> {
        let id: [u8; 32] = Sha256::new()
            .chain_update(access_key)
            .chain_update([0])
            .chain_update(secret)
            .chain_update([0])
            .chain_update(region)
            .finalize()
            .into();
        let mut guard = self.inner.lock();
        let (map, tick) = &mut *guard;
        *tick += 1;
        if let Some((keys, used)) = map.get_mut(&id) {
            *used = *tick;
            return keys.clone();
        }
        if map.len() >= self.capacity {
            let oldest = map.iter().min_by_key(|(_, (_, u))| *u).map(|(k, _)| *k);
            oldest.and_then(|k| map.remove(&k));
        }
        let keys = Arc::new(SigningKeys::default());
        map.insert(id, (keys.clone(), *tick));
        keys
    }

    pub fn len(&self) -> usize {
        self.inner.lock().0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
