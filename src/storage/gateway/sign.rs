//! SigV4 signing of upstream requests with the tenant's credentials (the aws-sigv4
//! crate; no hand-rolled crypto).

use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use axum::body::Body;
use http::Request;

use crate::tenant::Credentials;

/// What `x-amz-content-sha256` says about the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// The body streams through unhashed (`UNSIGNED-PAYLOAD`).
    Unsigned,
    /// The client sent the body's SHA-256; the storage will check it.
    Hashed(String),
    /// An `aws-chunked` body (`STREAMING-…`): decoded on the way and sent unsigned.
    Chunked,
}

impl Payload {
    /// From the client's `x-amz-content-sha256`; `None` when it is not one S3 defines.
    pub fn from_header(v: Option<&str>) -> Option<Self> {
        match v {
            None | Some("UNSIGNED-PAYLOAD") => Some(Self::Unsigned),
            Some(s) if s.starts_with("STREAMING-") => Some(Self::Chunked),
            Some(h) if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(Self::Hashed(h.to_ascii_lowercase()))
            }
            Some(_) => None,
        }
    }

    fn signable(&self) -> SignableBody<'_> {
        match self {
            Self::Unsigned | Self::Chunked => SignableBody::UnsignedPayload,
            Self::Hashed(h) => SignableBody::Precomputed(h.clone()),
        }
    }
}

/// Signs `req` in place (adds `authorization`, `x-amz-date`, `x-amz-content-sha256`).
pub fn sign_request(
    req: &mut Request<Body>,
    creds: &Credentials,
    payload: &Payload,
) -> Result<(), String> {
    let identity: Identity = aws_sdk_s3::config::Credentials::new(
        creds.key.clone(),
        creds.secret.expose().to_string(),
        None,
        None,
        "spacewatch-gateway",
    )
    .into();
    let mut settings = SigningSettings::default();
    // S3 signs the path as sent, encoded once and not normalized.
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&creds.region)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let uri = req.uri().to_string();
    let headers = req
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)));
    let signable = SignableRequest::new(
        req.method().as_str(),
        uri.as_str(),
        headers,
        payload.signable(),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| e.to_string())?
        .into_parts();
    instructions.apply_to_request_http1x(req);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Payload;

    #[test]
    fn payload_kinds() {
        assert_eq!(Payload::from_header(None), Some(Payload::Unsigned));
        let h = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
        assert_eq!(
            Payload::from_header(Some(h)),
            Some(Payload::Hashed(h.to_ascii_lowercase()))
        );
        for streaming in [
            "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        ] {
            assert_eq!(
                Payload::from_header(Some(streaming)),
                Some(Payload::Chunked)
            );
        }
        assert_eq!(Payload::from_header(Some("nonsense")), None);
    }
}
