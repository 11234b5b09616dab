//! `POST /gateway/credentials`: gateway credentials for standard S3 clients.
//!
//! With the tenant headers, it answers an access key, a secret and a session token that
//! any S3 SDK or tool takes as an ordinary temporary credential (aws-cli's
//! `AWS_SESSION_TOKEN`, rclone's `session_token`, s3cmd's `access_token`), the time they
//! expire, the region, and the gateway's URL. The server keeps nothing: the token seals
//! the tenant's credentials ([`crate::tenant::sealed`]). Optional JSON body:
//! `{"ttl_seconds": N}` (default 12 h, at most 7 days). Rate limited like the tools.

use std::time::{Duration, SystemTime};

use axum::Json;
use axum::extract::State;
use bytes::Bytes;
use http::HeaderMap;
use serde::{Deserialize, Serialize};

use crate::server::AppState;
use crate::server::credentials::Verified;
use crate::server::error::{ApiError, ApiResult};
use crate::tenant::sealed::{DEFAULT_TTL, MAX_TTL, Sealed};

/// What the client may ask for.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Ask {
    ttl_seconds: Option<u64>,
}

/// The answer.
#[derive(Debug, Serialize)]
pub struct GatewayCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// RFC 3339, UTC.
    pub expiration: String,
    pub region: String,
    /// The gateway on this port (`http://host:port/s3/`: with the slash, every SDK
    /// appends the bucket right).
    pub endpoint_url: String,
    /// The gateway at the root of the S3 listener, when `--s3-listen` is on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_listen_url: Option<String>,
}

/// The host the client reached us by (`Host`), if it is a plain `host[:port]`.
fn host(h: &HeaderMap) -> Option<&str> {
    let v = h.get(http::header::HOST)?.to_str().ok()?;
    let ok = !v.is_empty()
        && v.len() <= 255
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-:[]_".contains(&b));
    ok.then_some(v)
}

pub async fn issue(
    Verified(tenant): Verified,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<GatewayCredentials>> {
    let ask: Ask = match body.iter().all(u8::is_ascii_whitespace) {
        true => Ask::default(),
        false => serde_json::from_slice(&body)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?,
    };
    let ttl = match ask.ttl_seconds {
        None => DEFAULT_TTL,
        Some(s) if (1..=MAX_TTL.as_secs()).contains(&s) => Duration::from_secs(s),
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "ttl_seconds must be 1 to {}",
                MAX_TTL.as_secs()
            )));
        }
    };
    let expires = SystemTime::now() + ttl;
    let c = &tenant.creds;
    let issued = state.seal.issue(&Sealed {
        key: c.key.clone(),
        secret: c.secret.clone(),
        endpoint: c.endpoint.clone(),
        region: c.region.clone(),
        expires,
    });
    let host = host(&headers).unwrap_or("localhost");
    let s3_listen_url = state.settings.gateway.s3_listen.map(|a| {
        let name = host.rsplit_once(':').map_or(host, |(n, _)| n);
        format!("http://{name}:{}", a.port())
    });
    Ok(Json(GatewayCredentials {
        access_key_id: issued.access_key_id,
        secret_access_key: issued.secret_access_key.expose().to_string(),
        session_token: issued.session_token,
        expiration: chrono::DateTime::<chrono::Utc>::from(issued.expires)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        region: c.region.clone(),
        endpoint_url: format!("http://{host}/s3/"),
        s3_listen_url,
    }))
}
