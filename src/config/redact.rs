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
mod tests {
    use super::{redact_url, scrub};

    #[test]
    fn error_texts_lose_the_userinfo_too() {
        let url = "https://me:t0ken@collector:4318";
        let e = format!("cannot connect to {url}/v1/traces");
        assert_eq!(
            scrub(&e, url),
            "cannot connect to https://***@collector:4318/v1/traces"
        );
        assert_eq!(scrub("plain", "http://h/"), "plain");
    }

    #[test]
    fn userinfo_never_survives() {
        assert_eq!(
            redact_url("https://user:pa55@host.example:9090/api?x=1"),
            "https://***@host.example:9090/api?x=1"
        );
        assert_eq!(redact_url("http://token@h/"), "http://***@h/");
        assert_eq!(redact_url("https://host/a@b"), "https://host/a@b");
        assert_eq!(redact_url("user:pw@host:1"), "***@host:1");
        assert_eq!(redact_url("http://a:b@c@host/"), "http://***@host/");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
