//! Validation of the wizard's answers, and key generation.

use super::KEY_AGENT_KEY;

/// Why an answer (or a flag) was refused. Never quotes the value, which may be a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    #[error("must not contain newlines or other control characters")]
    ControlCharacter,
    #[error("not a valid URL ({0})")]
    NotAUrl(url::ParseError),
    #[error("must start with http:// or https://")]
    NotHttp,
    #[error("must include a host")]
    NoHost,
    #[error("must not contain credentials; put the key in {}", KEY_AGENT_KEY)]
    CredentialsInUrl,
    #[error("must be ASCII (it is sent in an HTTP header)")]
    NotAscii,
    #[error("must not start or end with whitespace")]
    EdgeWhitespace,
    #[error("must be at least {0} characters")]
    TooShort(usize),
    #[error("must be 2-20 characters of a-z, 0-9 or '-' (e.g. sgp1, nyc3)")]
    NotARegion,
    #[error("must name a file")]
    NoFileName,
    #[error("must be 1-200 printable characters without spaces (e.g. gpt-4o-mini)")]
    NotAModel,
    #[error("given without an agent URL")]
    KeyWithoutUrl,
    #[error("use either --api-key or --generate-api-key")]
    KeyAndGenerate,
}

pub(super) fn check_no_control(value: &str) -> Result<(), Rejected> {
    match value.chars().any(char::is_control) {
        true => Err(Rejected::ControlCharacter),
        false => Ok(()),
    }
}

pub(super) fn validate_url(raw: &str) -> Result<String, Rejected> {
    let value = raw.trim();
    // Checked before parsing because the url crate silently strips tabs and newlines.
    check_no_control(value)?;
    let url = url::Url::parse(value).map_err(Rejected::NotAUrl)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Rejected::NotHttp);
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Rejected::NoHost);
    }
    // The URL is shown in the summary, so it must not carry a secret.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Rejected::CredentialsInUrl);
    }
    Ok(value.to_string())
}

/// Keys travel in HTTP headers, so they must be printable ASCII without edge whitespace
/// (header parsing would strip it and the key would never match).
pub(super) fn validate_secret(raw: &str, min_len: usize) -> Result<String, Rejected> {
    check_no_control(raw)?;
    if !raw.is_ascii() {
        return Err(Rejected::NotAscii);
    }
    if raw.trim() != raw {
        return Err(Rejected::EdgeWhitespace);
    }
    if raw.len() < min_len {
        return Err(Rejected::TooShort(min_len));
    }
    Ok(raw.to_string())
}

/// A model name as chat-completions endpoints spell them (`gpt-4o-mini`,
/// `meta-llama/Llama-3.1-8B-Instruct`): 1–200 printable ASCII characters, no spaces.
pub(super) fn validate_model(raw: &str) -> Result<String, Rejected> {
    let value = raw.trim();
    if !(1..=200).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Rejected::NotAModel);
    }
    Ok(value.to_string())
}

/// Same as `^[a-z0-9-]{2,20}$`.
pub(super) fn validate_region(raw: &str) -> Result<String, Rejected> {
    let value = raw.trim();
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !(2..=20).contains(&value.len()) || !value.chars().all(ok_char) {
        return Err(Rejected::NotARegion);
    }
    Ok(value.to_string())
}

/// 32 bytes from the OS CSPRNG via two v4 UUIDs, as 64 hex chars
/// (244 random bits: each UUID fixes 6 version/variant bits).
pub(super) fn generate_api_key() -> String {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    format!("{}{}", a.simple(), b.simple())
}
