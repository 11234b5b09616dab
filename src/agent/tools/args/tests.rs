use super::*;
use serde_json::json;

#[test]
fn wire_arguments_and_their_errors() {
    let a = Args::from_wire(&json!("{\"bucket\":\"demo-assets\",\"limit\":\"5\"}")).unwrap();
    assert_eq!(a.require_bucket("bucket").unwrap().as_str(), "demo-assets");
    assert_eq!(a.int("limit", 1..=50, 10).unwrap(), 5);
    assert_eq!(a.int("absent", 1..=50, 10).unwrap(), 10);
    let e = Args::from_wire(&json!("{bucket: demo")).unwrap_err();
    assert!(e.message.contains("not valid JSON"), "{}", e.message);
    assert!(Args::from_wire(&json!("[1]")).is_err());
    assert!(Args::from_wire(&json!("")).unwrap().to_value() == json!({}));
    let bad = Args::from_wire(&json!({"bucket": 7, "limit": 99, "b2": "UPPER"})).unwrap();
    assert_eq!(
        bad.str("bucket").unwrap_err().message,
        "'bucket' must be a string"
    );
    assert!(
        bad.int("limit", 1..=50, 10)
            .unwrap_err()
            .message
            .contains("between 1 and 50")
    );
    assert!(
        bad.bucket("b2")
            .unwrap_err()
            .message
            .contains("not a valid bucket name")
    );
    assert_eq!(
        bad.require("nope").unwrap_err().message,
        "'nope' is required"
    );
    let w = Args::from_wire(&json!({"hours": 24})).unwrap();
    assert!(matches!(
        w.window(100_000).unwrap(),
        Window::Hours { hours: 24, .. }
    ));
    let both = Args::from_wire(&json!({"hours": 2, "date": "2024-01-01"})).unwrap();
    assert!(both.window(0).is_err());
}
