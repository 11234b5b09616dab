use super::*;

fn access(origins: &[&str], hosts: &[&str]) -> McpAccess {
    McpAccess::from_args(&McpArgs {
        allowed_origins: origins.iter().map(|s| s.to_string()).collect(),
        allowed_hosts: hosts.iter().map(|s| s.to_string()).collect(),
    })
    .unwrap()
}

#[test]
fn origins_are_refused_unless_listed_and_clients_without_one_pass() {
    let none = access(&[], &[]);
    assert!(none.origin_allowed(None), "MCP clients send no Origin");
    assert!(!none.origin_allowed(Some("http://evil.example")));
    assert!(!none.origin_allowed(Some("null")));
    let some = access(&["https://ide.example", "http://localhost:3000"], &[]);
    assert!(some.origin_allowed(Some("https://ide.example")));
    assert!(
        some.origin_allowed(Some("https://IDE.example:443")),
        "default port"
    );
    assert!(some.origin_allowed(Some("http://localhost:3000")));
    assert!(!some.origin_allowed(Some("http://localhost:3001")));
    assert!(
        !some.origin_allowed(Some("http://ide.example")),
        "another scheme"
    );
    assert!(!some.origin_allowed(Some("https://ide.example.evil.example")));
    assert!(access(&["*"], &[]).origin_allowed(Some("http://anything")));
    assert!(
        McpAccess::from_args(&McpArgs {
            allowed_origins: vec!["ide.example".into()],
            allowed_hosts: vec![],
        })
        .is_err()
    );
}

#[test]
fn hosts_are_addresses_localhost_or_listed_names() {
    let none = access(&[], &[]);
    for ok in [
        "127.0.0.1:8000",
        "localhost",
        "LOCALHOST:8000",
        "[::1]:8000",
        "10.1.2.3",
    ] {
        assert!(none.host_allowed(Some(ok)), "{ok}");
    }
    for bad in ["rebind.evil.example:8000", "spacewatch.example", "", "a@b"] {
        assert!(!none.host_allowed(Some(bad)), "{bad}");
    }
    assert!(!none.host_allowed(None));
    let listed = access(&[], &["spacewatch.example", "ops.example:8443"]);
    assert!(listed.host_allowed(Some("SpaceWatch.example:8000")));
    assert!(listed.host_allowed(Some("ops.example:8443")));
    assert!(!listed.host_allowed(Some("ops.example:8000")));
    assert!(access(&[], &["*"]).host_allowed(Some("anything.example")));
}
