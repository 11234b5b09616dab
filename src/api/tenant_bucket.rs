//! The shared prologue of the access-log and snapshot handlers, as one extractor: the
//! tenant verified first, then its query string, then the bucket its header names
//! (`X-Log-Bucket` or `X-Metrics-Bucket`), checked for access and attributed to the
//! operation only then.

use axum::extract::FromRequestParts;
use http::request::Parts;
use serde::Serialize;

use crate::accesslog::LogError;
use crate::server::AppState;
use crate::server::credentials::{Verified, bucket_access};
use crate::server::error::{ApiError, ApiResult};
use crate::server::operation::OpFields;
use crate::server::query::Params;
use crate::storage::BucketName;
use crate::tenant::{Credentials, Tenant};

/// Which of the tenant's buckets a family of endpoints works in.
pub trait BucketRole {
    /// The header that names it.
    const HEADER: &'static str;
    /// What to say when the header is missing.
    const NOT_CONFIGURED: &'static str;
    fn bucket(creds: &Credentials) -> Option<&BucketName>;
}

/// A verified tenant's request in the bucket of role `R`.
pub struct TenantBucket<R> {
    pub params: Params,
    pub tenant: Tenant,
    pub bucket: BucketName,
    /// The operation's fields, for a second bucket the handler checks itself.
    pub fields: OpFields,
    role: std::marker::PhantomData<R>,
}

impl<R: BucketRole + Send> FromRequestParts<AppState> for TenantBucket<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let Verified(tenant) = Verified::from_request_parts(parts, state).await?;
        let params = Params::parse(parts.uri.query().unwrap_or(""))?;
        let fields = op_fields(parts)?;
        let Some(b) = R::bucket(&tenant.creds).cloned() else {
            return Err(LogError::NotConfigured(R::NOT_CONFIGURED).into());
        };
        let bucket = bucket_access(state, &fields, &tenant, (R::HEADER, b.as_str())).await?;
        Ok(Self {
            params,
            tenant,
            bucket,
            fields,
            role: std::marker::PhantomData,
        })
    }
}

/// The fields of the request's operation (a storage route has them).
pub fn op_fields(parts: &Parts) -> ApiResult<OpFields> {
    parts
        .extensions
        .get::<OpFields>()
        .cloned()
        .ok_or_else(|| ApiError::internal("a storage route without operation fields"))
}

/// The clock of the recorder in Unix seconds (a test clock in tests).
pub fn now_secs(state: &AppState) -> i64 {
    (state.recorder.now().as_micros() / 1_000_000) as i64
}

/// An answer: `head`'s fields followed by `body`'s, in one JSON object.
#[derive(Debug, Serialize)]
pub struct Headed<H, B> {
    #[serde(flatten)]
    pub head: H,
    #[serde(flatten)]
    pub body: B,
}
