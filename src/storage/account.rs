//! The storage account a call is made with, borrowed for the call's length: what the
//! storage layer needs of a tenant, and nothing of the tenant's other settings.

use crate::config::Secret;

/// Key, secret, region and endpoint of one storage account.
#[derive(Clone, Copy)]
pub struct Account<'a> {
    pub key: &'a str,
    pub secret: &'a Secret,
    pub region: &'a str,
    /// The normalised endpoint URL (`https://nyc3.digitaloceanspaces.com`).
    pub endpoint: &'a str,
}

impl std::fmt::Debug for Account<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}
