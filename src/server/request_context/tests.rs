use super::*;

#[tokio::test]
async fn framework_errors_become_json() {
    let plain = (http::StatusCode::PAYLOAD_TOO_LARGE, "length limit exceeded").into_response();
    let resp = json_errors(plain).await;
    assert_eq!(resp.status(), 413);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let body = axum::body::to_bytes(resp.into_body(), 1024).await.unwrap();
    assert_eq!(&body[..], br#"{"detail":"length limit exceeded"}"#);
    let xml = (
        [(http::header::CONTENT_TYPE, "application/xml")],
        "<Error/>",
    )
        .into_response();
    let mut xml = xml;
    *xml.status_mut() = http::StatusCode::NOT_FOUND;
    assert_eq!(
        json_errors(xml).await.headers()["content-type"],
        "application/xml"
    );
}

#[test]
fn traceparent_is_parsed_strictly() {
    let ok = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let (t, s) = parse_traceparent(ok).unwrap();
    assert_eq!(t.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(hex::encode(s), "00f067aa0ba902b7");
    for bad in [
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        "00-4bf92f-00f067aa0ba902b7-01",
        "garbage",
    ] {
        assert!(parse_traceparent(bad).is_none(), "{bad}");
    }
}

#[test]
fn request_ids_are_echoed_only_when_sane() {
    let mut h = HeaderMap::new();
    h.insert(REQUEST_ID, HeaderValue::from_static("abc-123"));
    assert_eq!(
        RequestContext::from_headers(&h, UnixTime(0))
            .request_id
            .as_str(),
        "abc-123"
    );
    h.insert(REQUEST_ID, HeaderValue::from_static("has space"));
    let generated = RequestContext::from_headers(&h, UnixTime(0)).request_id;
    assert!(generated.starts_with("req-") && generated.len() == 36);
    assert_ne!(
        generated,
        RequestContext::from_headers(&h, UnixTime(0)).request_id
    );
    assert_eq!(duration_header(Duration::from_micros(45_234)), "45.23");
}
