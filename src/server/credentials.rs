//! The tenant of a storage request, established before anything else of the request is
//! read: handlers take [`Claimed`] or [`Verified`] as their first extractor, so a request
//! without credentials is refused before its query string, path or body is parsed.
//!
//! - [`Claimed`]: the credential headers are well-formed and the endpoint is allowed.
//! - [`Verified`]: and the storage accepted the credentials ([`BucketAccess::verify`](crate::tenant::BucketAccess::verify),
//!   cached per credential). The request is then admitted as an operation of this tenant.
//!
//! Handlers that make the verifying call themselves (ListBuckets) take `Claimed` and call
//! [`settle`] with the outcome.

use axum::extract::FromRequestParts;
use http::request::Parts;

use super::AppState;
use super::error::ApiError;
use super::operation::OpFields;
use crate::storage::{BucketName, StorageError};
use crate::telemetry::prom::Refusal;
use crate::tenant::{AccessError, Credentials, Tenant};

/// A tenant whose credentials are well-formed, not yet accepted by the storage.
pub struct Claimed(pub Tenant);

/// A tenant whose credentials the storage accepted.
pub struct Verified(pub Tenant);

fn fields(parts: &Parts) -> Option<&OpFields> {
    parts.extensions.get::<OpFields>()
}

impl FromRequestParts<AppState> for Claimed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        // Unadmitted requests are refused as CredentialsMissing by default.
        let creds = Credentials::from_headers(&parts.headers, &state.tenants)?;
        Ok(Self(Tenant::new(creds, &state.clients)))
    }
}

impl FromRequestParts<AppState> for Verified {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Claimed(tenant) = Claimed::from_request_parts(parts, state).await?;
        let verified = state.access.verify(&tenant, &state.counters).await;
        if let Some(f) = fields(parts) {
            settle_access(f, &tenant, &verified);
        }
        verified?;
        Ok(Self(tenant))
    }
}

/// Admits (or refuses) the request after a verifying storage call of `tenant`.
pub fn settle<T>(fields: &OpFields, tenant: &Tenant, outcome: &Result<T, StorageError>) {
    let access = match outcome {
        Ok(_) => Ok(()),
        Err(e) => Err(AccessError::from_storage(e.clone())),
    };
    settle_access(fields, tenant, &access);
}

fn settle_access(fields: &OpFields, tenant: &Tenant, outcome: &Result<(), AccessError>) {
    match outcome {
        Ok(()) => fields.admit(Some(tenant.fingerprint)),
        Err(AccessError::Credentials(_)) => fields.refuse(Refusal::CredentialsInvalid),
        // The storage could not be asked: an outcome to count, of nobody known.
        Err(_) => fields.admit(None),
    }
}

/// Checks that the verified tenant may use the bucket named `raw` (the value of the
/// parameter `what`), and attributes the operation to it only then.
pub async fn bucket_access(
    state: &AppState,
    fields: &OpFields,
    tenant: &Tenant,
    (what, raw): (&str, &str),
) -> Result<BucketName, ApiError> {
    fields.name_bucket(raw);
    let bucket = BucketName::parse(raw)
        .ok_or_else(|| ApiError::bad_request(format!("'{what}' is not a valid bucket name")))?;
    state.access.check(tenant, &bucket, &state.counters).await?;
    fields.set_bucket(&bucket);
    Ok(bucket)
}
