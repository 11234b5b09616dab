//! URLs as they may be printed: without the `user:password@` part.
//!
//! Operators put credentials in URLs (`https://user:token@engine:9090`); a start-up error
//! or a log line that repeats such a URL would leak them into logs and terminals.

/// `url` with any userinfo replaced by `***@`; text that is not a URL is returned with
/// anything that looks like userinfo (before an `@` in the authority) masked the same way.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (Some(s), r),
        None => (None, url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => format!("***@{}", &authority[at + 1..]),
        None => authority.to_string(),
    };
    match scheme {
        Some(s) => format!("{s}://{host}{tail}"),
        None => format!("{host}{tail}"),
    }
}

/// `text` (an error message about `url`, say) with `url`'s userinfo masked wherever it
/// appears.
pub fn scrub(text: &str, url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) if at > 0 => text.replace(&authority[..at], "***"),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests;
