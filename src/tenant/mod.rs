//! Tenancy: who is asking, with which storage credentials, against which endpoint.
//!
//! Every tenant request carries its own Spaces credentials (`X-Spaces-Key`,
//! `X-Spaces-Secret`, …); there are no server-side storage credentials. The [`Tenant`]
//! extractor validates them, allow-lists the endpoint, records the tenant fingerprint on
//! the operation and hands the handler a cached SDK client.

mod access;
mod clients;
mod credentials;
pub mod endpoint;

use std::sync::Arc;

use axum::extract::FromRequestParts;
use http::request::Parts;

pub use access::BucketAccess;
pub use clients::ClientCache;
pub use credentials::{
    CredentialError, Credentials, DEFAULT_METRICS_PREFIX, TenantDefaults, valid_region,
};
pub use endpoint::Allowlist;

use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::operation::OpFields;
use crate::telemetry::Fingerprint;

/// A validated tenant with its storage client.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub creds: Arc<Credentials>,
    pub fingerprint: Fingerprint,
    pub client: aws_sdk_s3::Client,
}

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let creds = Credentials::from_headers(&parts.headers, &state.tenants)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let fingerprint = creds.fingerprint();
        if let Some(fields) = parts.extensions.get::<OpFields>() {
            fields.set_tenant(fingerprint);
        }
        let client = state.clients.get(&creds);
        Ok(Self {
            creds: Arc::new(creds),
            fingerprint,
            client,
        })
    }
}
