//! Tenancy: who is asking, with which storage credentials, against which endpoint.
//!
//! Every tenant request carries its own Spaces credentials (`X-Spaces-Key`,
//! `X-Spaces-Secret`, …); there are no server-side storage credentials. This module
//! validates them ([`Credentials`]), allow-lists the endpoint ([`Allowlist`]), keeps a
//! storage client per credential ([`ClientCache`]) and decides which buckets a tenant may
//! use ([`BucketAccess`]). The HTTP layer (`server::credentials`) turns request headers into a
//! [`Tenant`] with these parts.

mod access;
mod clients;
mod credentials;
pub mod endpoint;
mod lru;
mod opened;
pub mod sealed;
mod verify_keys;

use std::sync::Arc;

pub use access::{AccessError, BucketAccess};
pub use clients::ClientCache;
pub use credentials::{
    CredentialError, Credentials, DEFAULT_METRICS_PREFIX, TenantDefaults, default_metrics_prefix,
};
pub use endpoint::Allowlist;
pub use opened::{Expired, OpenedTenant, OpenedTokens};
pub use verify_keys::VerifyKeys;

use crate::telemetry::Fingerprint;

/// A tenant with well-formed credentials and its storage client. Whether the storage
/// accepts the credentials is [`BucketAccess::verify`]'s question.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub creds: Arc<Credentials>,
    pub fingerprint: Fingerprint,
    /// [`Credentials::cache_key`], computed once per request.
    pub cache_key: [u8; 32],
    pub client: aws_sdk_s3::Client,
    /// The gateway's signing key of these credentials (their own cache entry's).
    pub signing: Arc<crate::storage::sigv4::SigningKeys>,
}

impl Tenant {
    /// The tenant of `creds`, with its (cached) client.
    pub fn new(creds: Credentials, clients: &ClientCache) -> Self {
        let cache_key = creds.cache_key();
        let (client, signing) = clients.get(&creds, cache_key);
        Self {
            fingerprint: creds.fingerprint(),
            cache_key,
            creds: Arc::new(creds),
            client,
            signing,
        }
    }
}
