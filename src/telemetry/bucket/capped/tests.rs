use super::*;

#[test]
fn places_go_to_successes_up_to_the_cap() {
    let mut c: Capped<u64> = Capped::new(2);
    let b = |s: &str| Arc::<str>::from(s);
    *c.entry(&b("typo"), false) += 1;
    *c.entry(&b("a"), true) += 1;
    *c.entry(&b("a"), false) += 1;
    *c.entry(&b("b"), true) += 1;
    *c.entry(&b("c"), true) += 1;
    let got: std::collections::BTreeMap<&str, u64> = c.iter().map(|(k, v)| (k, *v)).collect();
    assert_eq!(got.get("a"), Some(&2));
    assert_eq!(got.get("b"), Some(&1));
    assert_eq!(got.get(OTHER_BUCKET), Some(&2));
    assert!(!got.contains_key("typo") && !got.contains_key("c"));
    assert_eq!(c.overflow, 2);
}
