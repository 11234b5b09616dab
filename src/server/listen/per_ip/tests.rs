use std::net::IpAddr;

use super::*;
use crate::server::client_ip::Cidr;

#[test]
fn an_address_gets_its_share_and_the_table_forgets_closed_ones() {
    let t = PerIp::new(2, TrustedProxies::default());
    let a: IpAddr = "203.0.113.1".parse().unwrap();
    let (s1, s2) = (t.admit(a).unwrap(), t.admit(a).unwrap());
    assert!(t.admit(a).is_none(), "a third is refused");
    // IPv6 by its /64.
    let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
    let held = [
        t.admit(v6("2001:db8::1")).unwrap(),
        t.admit(v6("2001:db8::2")).unwrap(),
    ];
    assert!(t.admit(v6("2001:db8::ffff")).is_none(), "same /64");
    assert!(t.admit(v6("2001:db8:0:1::1")).is_some(), "another /64");
    assert_eq!(t.addresses(), 2);
    drop(s1);
    let s3 = t.admit(a).unwrap();
    drop((s2, s3, held));
    assert_eq!(
        t.addresses(),
        0,
        "nothing kept for addresses without connections"
    );
}

#[test]
fn trusted_proxies_and_no_cap_are_not_counted() {
    let proxy: IpAddr = "10.0.0.5".parse().unwrap();
    let t = PerIp::new(
        1,
        TrustedProxies::new(vec![Cidr::parse("10.0.0.0/24").unwrap()]),
    );
    let slots: Vec<_> = (0..100).map(|_| t.admit(proxy).unwrap()).collect();
    assert_eq!(t.addresses(), 0);
    drop(slots);
    let off = PerIp::new(0, TrustedProxies::default());
    let a: IpAddr = "203.0.113.9".parse().unwrap();
    let slots: Vec<_> = (0..100).map(|_| off.admit(a).unwrap()).collect();
    assert_eq!((slots.len(), off.addresses()), (100, 0));
}
