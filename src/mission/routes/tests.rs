use super::*;

#[test]
fn keys_are_template_and_method_and_capped() {
    let mut t = RouteTable::default();
    let a = t.intern(Some("/health"), HttpMethod::Get);
    assert_eq!(t.intern(Some("/health"), HttpMethod::Get), a);
    let b = t.intern(Some("/health"), HttpMethod::Head);
    assert_ne!(a, b);
    assert_eq!(t.key(b), ("/health", HttpMethod::Head));
    let u = t.intern(None, HttpMethod::Get);
    assert_eq!(t.key(u).0, UNMATCHED);
    for i in 0..1000 {
        t.intern(Some(&format!("/r{i}")), HttpMethod::Post);
    }
    assert_eq!(t.len(), MAX_ROUTE_KEYS);
    assert_eq!(t.intern(Some("/r999"), HttpMethod::Post), 0);
    assert_eq!(t.key(0).0, OTHER);
    // Keys interned before the cap keep their ids.
    assert_eq!(t.intern(Some("/health"), HttpMethod::Get), a);
}
