//! Gateway credentials already opened: the tenant a session token carries, kept by the
//! exact token (and its access key id) once a request signed with it has been verified,
//! so the next request skips the token's decoding and decryption, the secret's
//! derivation, the endpoint's normalisation and the tenant's hashing. Expiry is checked on
//! every use; least recently used out first, at most `capacity` tokens.

use std::time::SystemTime;

use parking_lot::Mutex;

use super::Tenant;
use super::lru::Lru;
use crate::config::Secret;

/// A token's tenant and the secret its requests are signed with.
#[derive(Clone, Debug)]
pub struct OpenedTenant {
    pub tenant: Tenant,
    pub gateway_secret: Secret,
    pub expires: SystemTime,
}

/// What a token was opened to, and the access key id it came with.
struct Entry {
    access_key: String,
    opened: OpenedTenant,
}

/// The bounded cache, by session token.
pub struct OpenedTokens {
    inner: Mutex<Lru<String, Entry>>,
}

/// Counts only: the keys are session tokens.
impl std::fmt::Debug for OpenedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let map = self.inner.lock();
        write!(f, "OpenedTokens({} of {})", map.len(), map.capacity())
    }
}

/// Why a remembered token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expired;

impl OpenedTokens {
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Lru::new(capacity)),
        }
    }

    /// The tenant of `token` presented with `access_key`, if it was opened before;
    /// `Err(Expired)` once its credentials have expired (then forgotten).
    pub fn get(
        &self,
        access_key: &str,
        token: &str,
        now: SystemTime,
    ) -> Result<Option<OpenedTenant>, Expired> {
        let mut map = self.inner.lock();
        let Some(e) = map.get_mut(token) else {
            return Ok(None);
        };
        if e.access_key != access_key {
            return Ok(None);
        }
        if now >= e.opened.expires {
            map.remove(token);
            return Err(Expired);
        }
        Ok(Some(e.opened.clone()))
    }

    /// Remembers `token`'s tenant (after a request signed with it was verified).
    pub fn put(&self, access_key: &str, token: &str, opened: OpenedTenant) {
        let entry = Entry {
            access_key: access_key.to_string(),
            opened,
        };
        self.inner.lock().insert(token.to_string(), entry);
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
