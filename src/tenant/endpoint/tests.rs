use super::*;

#[test]
fn spaces_regions_and_listed_endpoints_only() {
    let a = Allowlist::new(["http://127.0.0.1:9000/"]).unwrap();
    assert_eq!(
        a.check("https://NYC3.digitaloceanspaces.com").unwrap(),
        "https://nyc3.digitaloceanspaces.com"
    );
    assert_eq!(
        a.check("http://127.0.0.1:9000").unwrap(),
        "http://127.0.0.1:9000"
    );
    assert_eq!(
        a.check("https://sgp1.digitaloceanspaces.com:443").unwrap(),
        "https://sgp1.digitaloceanspaces.com"
    );
    for bad in [
        "http://nyc3.digitaloceanspaces.com",
        "https://evil.com",
        "https://a.b.digitaloceanspaces.com",
        "https://digitaloceanspaces.com",
        "https://nyc3.digitaloceanspaces.com.evil.com",
        "http://127.0.0.1:9001",
        "http://169.254.169.254",
    ] {
        assert_eq!(a.check(bad), Err(EndpointError::NotAllowed), "{bad}");
    }
    assert_eq!(
        a.check("https://u:p@nyc3.digitaloceanspaces.com"),
        Err(EndpointError::NotAnOrigin)
    );
    assert_eq!(
        a.check("https://nyc3.digitaloceanspaces.com/x"),
        Err(EndpointError::NotAnOrigin)
    );
    assert_eq!(a.check("ftp://x"), Err(EndpointError::Invalid));
    assert_eq!(a.check("not a url"), Err(EndpointError::Invalid));
}
