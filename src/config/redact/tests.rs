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
