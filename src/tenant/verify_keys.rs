//! The SigV4 signing keys of gateway credentials, for verifying their requests: one entry
//! per access key, secret and region, each holding its key for the UTC day (the same
//! [`SigningKeys`] the tenant's own requests are re-signed with), least recently used
//! evicted. The cache key covers the secret, so a forged access key id never reaches
//! another credential's entry.

use std::sync::Arc;

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use super::lru::Lru;
use crate::storage::sigv4::SigningKeys;

/// The bounded cache, by credential digest.
#[derive(Debug)]
pub struct VerifyKeys {
    inner: Mutex<Lru<[u8; 32], Arc<SigningKeys>>>,
}

impl VerifyKeys {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Lru::new(capacity)),
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
        let mut map = self.inner.lock();
        if let Some(keys) = map.get_mut(&id) {
            return keys.clone();
        }
        let keys = Arc::new(SigningKeys::default());
        map.insert(id, keys.clone());
        keys
    }

    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
