use super::*;

#[test]
fn bad_values_name_the_parameter() {
    let p = Params::parse("limit=abc&min_duration_ms=-1&x=%20y").unwrap();
    assert!(
        p.int("limit", 1..=1000, 100)
            .unwrap_err()
            .0
            .contains("'limit'")
    );
    let e = p.non_negative("min_duration_ms").unwrap_err();
    assert!(e.0.contains("'min_duration_ms'"));
    assert_eq!(p.get("x"), Some(" y"));
    assert_eq!(p.int("absent", 1..=5, 3).unwrap(), 3);
    assert!(
        Params::parse("limit=1001")
            .unwrap()
            .int("limit", 1..=1000, 1)
            .is_err()
    );
}
