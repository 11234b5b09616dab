//! Validation of the wizard's answers, and key generation.

use super::KEY_AGENT_KEY;

pub(super) fn check_no_control(value: &str) -> Result<(), String> {
    match value.chars().any(char::is_control) {
        true => Err("must not contain newlines or other control characters".into()),
        false => Ok(()),
    }
}

pub(super) fn validate_url(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    // Checked before parsing because the url crate silently strips tabs and newlines.
    check_no_control(value)?;
    let url = url::Url::parse(value).map_err(|e| format!("not a valid URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must include a host".into());
    }
    // The URL is shown in the summary, so it must not carry a secret.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "must not contain credentials; put the key in {KEY_AGENT_KEY}"
        ));
    }
    Ok(value.to_string())
}

/// Keys travel in HTTP headers, so they must be printable ASCII without edge whitespace
/// (header parsing would strip it and the key would never match).
pub(super) fn validate_secret(raw: &str, min_len: usize) -> Result<String, String> {
    check_no_control(raw)?;
    if !raw.is_ascii() {
        return Err("must be ASCII (it is sent in an HTTP header)".into());
    }
    if raw.trim() != raw {
        return Err("must not start or end with whitespace".into());
    }
    if raw.len() < min_len {
        return Err(format!("must be at least {min_len} characters"));
    }
    Ok(raw.to_string())
}

/// Same as `^[a-z0-9-]{2,20}$`.
pub(super) fn validate_region(raw: &str) -> Result<String, String> {
    let value = raw.trim();
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if !(2..=20).contains(&value.len()) || !value.chars().all(ok_char) {
        return Err("must be 2-20 characters of a-z, 0-9 or '-' (e.g. sgp1, nyc3)".into());
    }
    Ok(value.to_string())
}

/// 32 bytes from the OS CSPRNG via two v4 UUIDs, as 64 hex chars
/// (244 random bits: each UUID fixes 6 version/variant bits).
pub(super) fn generate_api_key() -> String {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    format!("{}{}", a.simple(), b.simple())
}
