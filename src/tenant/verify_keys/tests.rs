use super::*;

#[test]
fn one_entry_per_credential_and_region_bounded() {
    let c = VerifyKeys::new(2);
    let a = c.get("SWGWA", "s1", "us-east-1");
    assert!(Arc::ptr_eq(&a, &c.get("SWGWA", "s1", "us-east-1")));
    assert!(!Arc::ptr_eq(&a, &c.get("SWGWA", "s2", "us-east-1")));
    c.get("SWGWA", "s1", "eu-west-1");
    assert_eq!(c.len(), 2, "bounded");
}
