use super::*;

#[test]
fn engine_timeouts_are_timeouts_and_texts_are_capped() {
    let e = FleetError::Engine {
        url: "u".into(),
        status: 503,
        error_type: "timeout".into(),
        message: "query timed out".into(),
    };
    assert!(e.is_timeout());
    let e = FleetError::Engine {
        url: "u".into(),
        status: 400,
        error_type: "bad_data".into(),
        message: "x".into(),
    };
    assert!(!e.is_timeout());
    let long = "é".repeat(1000);
    assert_eq!(capped(&long).chars().count(), MAX_TEXT + 1);
}
