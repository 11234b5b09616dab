//! The derived SigV4 signing key of one credential, kept for its UTC day.
//!
//! Deriving it is four HMACs over the secret (date, region, service, `aws4_request`); the
//! key changes only when the date does. So each credential's cache entry (one per key,
//! secret, endpoint and region — see `tenant::ClientCache`) holds its key for the current
//! day, zeroised when replaced or dropped. A tenant only ever reaches its own entry.

use std::time::SystemTime;

use parking_lot::Mutex;
use zeroize::Zeroizing;

/// A derived key.
pub type Key = Zeroizing<[u8; 32]>;

#[derive(Default)]
struct Day {
    date: [u8; 8],
    key: Key,
}

/// One credential's signing key, for the day it was derived on.
#[derive(Default)]
pub struct SigningKeys {
    day: Mutex<Option<Day>>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKeys(***)")
    }
}

impl SigningKeys {
    /// The key for `date` (`YYYYMMDD` of `now`, UTC), derived now if the day changed.
    pub fn key(&self, secret: &str, now: SystemTime, date: &str, region: &str) -> Key {
        let mut day = self.day.lock();
        if let Some(d) = day.as_ref()
            && d.date == date.as_bytes()
        {
            return d.key.clone();
        }
        let derived = aws_sigv4::sign::v4::generate_signing_key(secret, now, region, "s3");
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(derived.as_ref());
        let mut stamp = [0u8; 8];
        stamp.copy_from_slice(&date.as_bytes()[..8.min(date.len())]);
        *day = Some(Day {
            date: stamp,
            key: key.clone(),
        });
        key
    }

    /// The key of a client's credential scope: `date` (`YYYYMMDD`) as the client wrote
    /// it (a request signed just before midnight may arrive after it), `None` when it is
    /// no date.
    pub fn key_for_date(&self, secret: &str, date: &str, region: &str) -> Option<Key> {
        let midnight = super::utc(date, None)?.and_utc();
        let at = std::time::UNIX_EPOCH
            + std::time::Duration::from_secs(u64::try_from(midnight.timestamp()).ok()?);
        Some(self.key(secret, at, date, region))
    }

    /// How many days were derived (for tests): whether the last call derived or reused.
    #[cfg(test)]
    pub fn cached_date(&self) -> Option<[u8; 8]> {
        self.day.lock().as_ref().map(|d| d.date)
    }
}
