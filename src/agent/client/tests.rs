use super::*;

#[test]
fn error_details_mask_the_key_and_stay_short() {
    let c = ModelClient::new(ClientConfig {
        url: "http://127.0.0.1:9".into(),
        key: Some(Secret::new("sk-live-123456")),
        model: None,
        timeout: Duration::from_secs(1),
        retries: 0,
    })
    .unwrap();
    let d = c.detail(r#"{"error":{"message":"Incorrect API key provided: sk-live-123456"}}"#);
    assert_eq!(d, ": Incorrect API key provided: ***");
    assert!(c.detail(&"x".repeat(1000)).len() < MAX_DETAIL + 10);
    assert_eq!(c.detail(""), "");
}
