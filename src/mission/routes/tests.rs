use super::*;

#[test]
fn keys_are_template_and_method_and_capped() {
    let mut t = RouteTable::default();
    let a = t.intern(Some("/health"), HttpMethod::Get);
    assert_eq!(t.intern(Some("/health"), HttpMethod::Get), a);
    let b = t.intern(Some("/health"), HttpMethod::Head);
    assert_ne!(a, b);
    assert_eq!(t.key(b), ("/health", Some(HttpMethod::Head)));
    // Every method of an unmatched request: one key, there from the start.
    let u = t.intern(None, HttpMethod::Get);
    assert_eq!(t.key(u), (UNMATCHED, None));
    assert_eq!(t.intern(None, HttpMethod::Post), u);
    assert_eq!(t.intern(None, HttpMethod::Other), u);
    assert_eq!(t.len(), 4);
    for i in 0..1000 {
        t.intern(Some(&format!("/r{i}")), HttpMethod::Post);
    }
    assert_eq!(t.len(), MAX_ROUTE_KEYS);
    assert_eq!(t.intern(Some("/r999"), HttpMethod::Post), 0);
    assert_eq!(t.key(0).0, OTHER);
    // Keys interned before the cap keep their ids.
    assert_eq!(t.intern(Some("/health"), HttpMethod::Get), a);
}
