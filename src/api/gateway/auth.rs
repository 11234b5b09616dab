//! Stage 7 of a gateway request: who is asking.
//!
//! - **Tenant headers** (`X-Spaces-Key`/`X-Spaces-Secret`): the credentials the storage
//!   accepted ([`Verified`]), as on every other tenant route.
//! - **SigV4 with a gateway credential** (an `Authorization: AWS4-HMAC-SHA256 …` header,
//!   or a presigned query): the session token is opened with the seal keys, the secret
//!   derived again, the signature checked; the tenant is the one sealed in the token.
//! - **Nobody** (no credentials of any kind): an anonymous request, forwarded unsigned so
//!   the store decides (a public-read object answers, a private one does not).
//!
//! A refusal here is an S3 error and no operation (counted as refused).

use std::time::SystemTime;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use super::error::S3Error;
use crate::server::AppState;
use crate::server::credentials::Verified;
use crate::server::operation::OpFields;
use crate::storage::sigv4::Key;
use crate::storage::sigv4::verify::{self, Claim, Sent};
use crate::telemetry::prom::Refusal;
use crate::tenant::sealed::{KEY_PREFIX, SealError};
use crate::tenant::{Credentials, Expired, OpenedTenant, Tenant};

/// Who a request is from.
pub enum Caller {
    /// The tenant's own headers.
    Tenant(Tenant),
    /// A gateway credential's verified signature.
    Signed(Box<Signed>),
    Anonymous,
}

/// A request signed with a gateway credential.
pub struct Signed {
    pub tenant: Tenant,
    pub claim: Claim,
    /// The client's signing key (its chunk signatures use it too).
    pub key: Key,
}

impl Caller {
    pub fn tenant(&self) -> Option<&Tenant> {
        match self {
            Self::Tenant(t) => Some(t),
            Self::Signed(s) => Some(&s.tenant),
            Self::Anonymous => None,
        }
    }
}

/// Whether `parts` carries no credentials of any kind (the request is anonymous).
pub fn is_anonymous(parts: &http::HeaderMap, query: Option<&str>) -> bool {
    !(parts.contains_key("x-spaces-key")
        || parts.contains_key("x-spaces-secret")
        || parts.contains_key(http::header::AUTHORIZATION)
        || query.is_some_and(|q| {
            q.split('&').any(|p| {
                // SigV4's presigned parameters, or SigV2's (refused as unsupported).
                ["X-Amz-Algorithm", "X-Amz-Signature", "AWSAccessKeyId"]
                    .iter()
                    .any(|n| p.starts_with(n))
            })
        }))
}

/// The caller of `parts`; refusals are answered as S3 errors.
pub async fn authenticate(
    state: &AppState,
    parts: &mut Parts,
    fields: &OpFields,
) -> Result<Caller, Response> {
    let h = &parts.headers;
    if h.contains_key("x-spaces-key") || h.contains_key("x-spaces-secret") {
        return match Verified::from_request_parts(parts, state).await {
            Ok(Verified(t)) => Ok(Caller::Tenant(t)),
            Err(e) => Err(e.into_response()),
        };
    }
    let claim = if let Some(auth) = h.get(http::header::AUTHORIZATION) {
        let auth = auth.to_str().unwrap_or("");
        verify::from_header(auth, h)
    } else if !is_anonymous(h, parts.uri.query()) {
        verify::from_query(parts.uri.query().unwrap_or(""))
    } else {
        return Ok(Caller::Anonymous);
    };
    let signed = claim
        .map_err(S3Error::from)
        .and_then(|c| signed(state, parts, c));
    match signed {
        Ok(s) => {
            fields.admit(Some(s.tenant.fingerprint));
            Ok(Caller::Signed(Box::new(s)))
        }
        Err(e) => {
            fields.refuse(Refusal::CredentialsInvalid);
            Err(e.into_response())
        }
    }
}

fn unknown_key() -> S3Error {
    S3Error::new(
        StatusCode::FORBIDDEN,
        "InvalidAccessKeyId",
        "The access key id does not exist in our records: use credentials from \
         POST /gateway/credentials (or the X-Spaces-Key and X-Spaces-Secret headers)",
    )
}

/// Checks a gateway credential's signature of the request in `parts`.
fn signed(state: &AppState, parts: &Parts, claim: Claim) -> Result<Signed, S3Error> {
    let now = SystemTime::now();
    if !claim.access_key.starts_with(KEY_PREFIX) {
        return Err(unknown_key());
    }
    let token = claim.security_token.as_deref().ok_or_else(unknown_key)?;
    let remembered = state
        .opened_tokens
        .get(&claim.access_key, token, now)
        .map_err(|Expired| S3Error::from(SealError::Expired))?;
    let fresh = remembered.is_none();
    let opened = match remembered {
        Some(o) => o,
        None => open(state, &claim, token, now)?,
    };
    verify::check_time(&claim, now)?;
    let secret = opened.gateway_secret.expose();
    let keys = state
        .verify_keys
        .get(&claim.access_key, secret, &claim.region);
    let key = keys
        .key_for_date(secret, &claim.date, &claim.region)
        .ok_or_else(|| S3Error::from(verify::VerifyError::Malformed("bad credential date")))?;
    let sent = Sent {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
    };
    verify::verify(&claim, &sent, &key)?;
    if fresh {
        state
            .opened_tokens
            .put(&claim.access_key, token, opened.clone());
    }
    Ok(Signed {
        tenant: opened.tenant,
        claim,
        key,
    })
}

/// Opens `token` with the seal keys: the tenant it carries, whose endpoint must still
/// be allowed (it was when the credential was issued).
fn open(
    state: &AppState,
    claim: &Claim,
    token: &str,
    now: SystemTime,
) -> Result<OpenedTenant, S3Error> {
    let opened = state.seal.open(&claim.access_key, token, now)?;
    let t = opened.tenant;
    let endpoint =
        state.tenants.allowlist.check(&t.endpoint).map_err(|_| {
            S3Error::access_denied("the credential's endpoint is no longer allowed")
        })?;
    let creds = Credentials {
        key: t.key,
        secret: t.secret,
        region: t.region,
        endpoint,
        log_bucket: None,
        metrics_bucket: None,
        log_prefix: crate::storage::KeyPrefix::default(),
        metrics_prefix: crate::tenant::default_metrics_prefix(),
    };
    Ok(OpenedTenant {
        tenant: Tenant::new(creds, &state.clients),
        gateway_secret: opened.gateway_secret,
        expires: t.expires,
    })
}
