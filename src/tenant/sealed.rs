//! Gateway credentials: an access key, a secret and a session token that any S3 SDK or
//! tool takes as an ordinary (temporary) AWS credential, and that hold nothing on the
//! server.
//!
//! - The session token is the tenant's storage credentials, endpoint, region and expiry,
//!   sealed with AES-256-GCM under a seal key, bound to the access key id (it is the
//!   additional data), and prefixed with the seal key's id.
//! - The secret is derived from the access key id under the same seal key
//!   (HMAC-SHA256), so it needs no storing either: whoever holds the seal key can
//!   recompute it, nobody else can.
//! - Seal keys come from `GATEWAY_SEAL_KEYS`: the first seals, every one opens, so keys
//!   rotate (add the new one first, drop the old one once its tokens expired). Every
//!   replica with the same keys accepts the same credentials. Without any, a random key
//!   lives as long as the process.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::config::Secret;

/// The access key ids this module issues start with this.
pub const KEY_PREFIX: &str = "SWGW";
/// Longest life of a credential; the default is 12 hours.
pub const MAX_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
pub const DEFAULT_TTL: Duration = Duration::from_secs(12 * 3600);

const VERSION: u8 = 1;
const KEY_ID_LEN: usize = 4;
const TAG_LEN: usize = 16;
/// Longest token accepted (the fields are bounded at issue: a few hundred bytes).
const MAX_TOKEN: usize = 4096;

/// A bad seal key or a token that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("GATEWAY_SEAL_KEYS: each key must be 32 bytes, as 64 hex digits or base64")]
    BadKey,
    /// Not a token, or sealed under no key of ours, or for another access key.
    #[error("the security token is invalid")]
    Invalid,
    #[error("the security token has expired")]
    Expired,
}

/// One seal key.
struct SealKey {
    id: [u8; KEY_ID_LEN],
    aead: LessSafeKey,
    mac: hmac::Key,
}

impl SealKey {
    fn new(raw: &[u8; 32]) -> Self {
        let digest = Sha256::new()
            .chain_update(b"spacewatch seal key id\0")
            .chain_update(raw)
            .finalize();
        let mut id = [0u8; KEY_ID_LEN];
        id.copy_from_slice(&digest[..KEY_ID_LEN]);
        let aead = UnboundKey::new(&AES_256_GCM, raw)
            .map(LessSafeKey::new)
            .unwrap_or_else(|_| unreachable!("a 32-byte key is an AES-256 key"));
        Self {
            id,
            aead,
            mac: hmac::Key::new(hmac::HMAC_SHA256, raw),
        }
    }

    /// The secret of `access_key_id` under this key.
    fn secret(&self, access_key_id: &str) -> Secret {
        let mut msg = b"spacewatch gateway secret\0".to_vec();
        msg.extend_from_slice(access_key_id.as_bytes());
        let tag = hmac::sign(&self.mac, &msg);
        let mut s = STANDARD_NO_PAD.encode(tag.as_ref());
        s.truncate(40);
        Secret::new(s)
    }
}

/// What a token holds.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key: String,
    pub secret: Secret,
    pub endpoint: String,
    pub region: String,
    pub expires: SystemTime,
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

/// Issued credentials.
#[derive(Debug)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: String,
    pub expires: SystemTime,
}

/// What opening a token gives: the tenant's account, and the gateway secret the client
/// signs with.
#[derive(Debug)]
pub struct Opened {
    pub tenant: Sealed,
    pub gateway_secret: Secret,
}

/// The seal keys of this server.
pub struct SealKeys {
    keys: Vec<SealKey>,
    /// No key was configured: one was made for this process.
    pub ephemeral: bool,
}

impl std::fmt::Debug for SealKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealKeys({} keys)", self.keys.len())
    }
}

/// 32 bytes from 64 hex digits or base64 (standard or URL-safe, padded or not).
pub fn parse_key(text: &str) -> Result<Zeroizing<[u8; 32]>, SealError> {
    let t = text.trim();
    let bytes = Zeroizing::new(match hex::decode(t) {
        Ok(b) => b,
        Err(_) => [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD]
            .iter()
            .find_map(|e| e.decode(t.trim_end_matches('=')).ok())
            .ok_or(SealError::BadKey)?,
    });
    let mut key = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(SealError::BadKey);
    }
    key.copy_from_slice(&bytes);
    Ok(key)
}

/// A fresh random key, as 64 hex digits (what `spacewatch setup` writes).
pub fn new_key_hex() -> String {
    let mut raw = Zeroizing::new([0u8; 32]);
    random(&mut raw[..]);
    hex::encode(raw.as_ref())
}

fn random(out: &mut [u8]) {
    aws_lc_rs::rand::fill(out).unwrap_or_else(|_| unreachable!("the system RNG works"));
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs()
}

fn put(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(&(s.len() as u16).to_be_bytes());
    buf.extend_from_slice(s.as_bytes());
}

fn take<'a>(buf: &mut &'a [u8]) -> Option<&'a str> {
    let len = u16::from_be_bytes(buf.get(..2)?.try_into().ok()?) as usize;
    let s = std::str::from_utf8(buf.get(2..2 + len)?).ok()?;
    *buf = &buf[2 + len..];
    Some(s)
}

impl SealKeys {
    /// The configured keys (the first seals); none: a random key for this process.
    pub fn new(configured: &[Secret]) -> Result<Self, SealError> {
        let mut keys = Vec::with_capacity(configured.len().max(1));
        for k in configured {
            keys.push(SealKey::new(&*parse_key(k.expose())?));
        }
        let ephemeral = keys.is_empty();
        if ephemeral {
            let mut raw = Zeroizing::new([0u8; 32]);
            random(&mut raw[..]);
            keys.push(SealKey::new(&raw));
        }
        Ok(Self { keys, ephemeral })
    }

    /// Credentials for `tenant`, valid until `tenant.expires`.
    pub fn issue(&self, tenant: &Sealed) -> Issued {
        let key = &self.keys[0];
        let mut id = [0u8; 10];
        random(&mut id);
        let access_key_id = format!("{KEY_PREFIX}{}", base32(&id));
        let mut plain = Zeroizing::new(Vec::with_capacity(256));
        plain.extend_from_slice(&unix(tenant.expires).to_be_bytes());
        for f in [
            &tenant.key,
            tenant.secret.expose(),
            &tenant.endpoint,
            &tenant.region,
        ] {
            put(&mut plain, f);
        }
        let mut nonce = [0u8; NONCE_LEN];
        random(&mut nonce);
        let mut sealed = plain.to_vec();
        key.aead
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(aad(&key.id, &access_key_id)),
                &mut sealed,
            )
            .unwrap_or_else(|_| unreachable!("sealing a short message cannot fail"));
        let mut token = vec![VERSION];
        token.extend_from_slice(&key.id);
        token.extend_from_slice(&nonce);
        token.extend_from_slice(&sealed);
        Issued {
            secret_access_key: key.secret(&access_key_id),
            access_key_id,
            session_token: URL_SAFE_NO_PAD.encode(token),
            expires: tenant.expires,
        }
    }

    /// Opens `token` for `access_key_id` at `now`.
    pub fn open(
        &self,
        access_key_id: &str,
        token: &str,
        now: SystemTime,
    ) -> Result<Opened, SealError> {
        if token.len() > MAX_TOKEN || !access_key_id.starts_with(KEY_PREFIX) {
            return Err(SealError::Invalid);
        }
        let raw = URL_SAFE_NO_PAD
            .decode(token)
            .map_err(|_| SealError::Invalid)?;
        let head = 1 + KEY_ID_LEN + NONCE_LEN;
        if raw.len() < head + TAG_LEN || raw[0] != VERSION {
            return Err(SealError::Invalid);
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.id[..] == raw[1..1 + KEY_ID_LEN])
            .ok_or(SealError::Invalid)?;
        let nonce = Nonce::try_assume_unique_for_key(&raw[1 + KEY_ID_LEN..head])
            .map_err(|_| SealError::Invalid)?;
        let mut sealed = Zeroizing::new(raw[head..].to_vec());
        let plain = key
            .aead
            .open_in_place(nonce, Aad::from(aad(&key.id, access_key_id)), &mut sealed)
            .map_err(|_| SealError::Invalid)?;
        let tenant = decode(plain).ok_or(SealError::Invalid)?;
        if now >= tenant.expires {
            return Err(SealError::Expired);
        }
        Ok(Opened {
            tenant,
            gateway_secret: key.secret(access_key_id),
        })
    }
}

fn aad(key_id: &[u8; KEY_ID_LEN], access_key_id: &str) -> Vec<u8> {
    let mut a = vec![VERSION];
    a.extend_from_slice(key_id);
    a.extend_from_slice(access_key_id.as_bytes());
    a
}

fn decode(mut plain: &[u8]) -> Option<Sealed> {
    let expires = u64::from_be_bytes(plain.get(..8)?.try_into().ok()?);
    plain = &plain[8..];
    let key = take(&mut plain)?.to_string();
    let secret = Secret::new(take(&mut plain)?);
    let endpoint = take(&mut plain)?.to_string();
    let region = take(&mut plain)?.to_string();
    Some(Sealed {
        key,
        secret,
        endpoint,
        region,
        expires: UNIX_EPOCH + Duration::from_secs(expires),
    })
}

/// RFC 4648 base32, upper case, no padding (access key ids are `[A-Z2-7]`).
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0);
    for &b in bytes {
        acc = acc << 8 | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[(acc >> bits & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[(acc << (5 - bits) & 31) as usize] as char);
    }
    out
}

#[cfg(test)]
mod tests;
