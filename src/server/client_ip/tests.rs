use super::*;
use http::HeaderValue;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn blocks_contain_what_they_should() {
    let c = Cidr::parse("10.0.0.0/8").unwrap();
    assert!(c.contains(ip("10.200.1.1")) && !c.contains(ip("11.0.0.1")));
    assert!(c.contains(ip("::ffff:10.1.2.3")), "mapped IPv4");
    let v6 = Cidr::parse("2001:db8::/32").unwrap();
    assert!(v6.contains(ip("2001:db8:1::1")) && !v6.contains(ip("2001:db9::1")));
    assert_eq!(Cidr::parse("1.2.3.4").unwrap().bits, 32);
    assert!(Cidr::parse("1.2.3.4/33").is_none() && Cidr::parse("nope").is_none());
}

#[test]
fn ipv6_clients_are_grouped_by_64() {
    assert_eq!(
        limit_key(ip("2001:db8:1:2:aaaa::1")),
        limit_key(ip("2001:db8:1:2:ffff::9"))
    );
    assert_ne!(
        limit_key(ip("2001:db8:1:2::1")),
        limit_key(ip("2001:db8:1:3::1"))
    );
    assert_eq!(limit_key(ip("192.0.2.1")), ip("192.0.2.1"));
}

#[test]
fn forwarded_addresses_count_only_from_trusted_proxies() {
    let proxies = TrustedProxies::new(vec![Cidr::parse("10.0.0.0/8").unwrap()]);
    let mut h = HeaderMap::new();
    h.insert(
        "x-forwarded-for",
        HeaderValue::from_static("6.6.6.6, 203.0.113.7, 10.0.0.9"),
    );
    // From the proxy: the right-most address that is not a proxy.
    assert_eq!(proxies.client(ip("10.0.0.1"), &h), ip("203.0.113.7"));
    // From anyone else: the header is ignored.
    assert_eq!(proxies.client(ip("198.51.100.1"), &h), ip("198.51.100.1"));
    let mut f = HeaderMap::new();
    f.insert(
        "forwarded",
        HeaderValue::from_static("for=\"[2001:db8::7]:443\";proto=https, for=10.0.0.3"),
    );
    assert_eq!(proxies.client(ip("10.0.0.1"), &f), ip("2001:db8::7"));
    // No header from the proxy: the proxy itself.
    assert_eq!(
        proxies.client(ip("10.0.0.1"), &HeaderMap::new()),
        ip("10.0.0.1")
    );
}
