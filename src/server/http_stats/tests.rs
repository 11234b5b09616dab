//! The layer over the real router: templates, not paths; every kind of response.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use http::{Method, Request};
use tower::ServiceExt;

use crate::api::app;
use crate::config::Settings;
use crate::mission::overview_json;
use crate::server::{Runtime, build_state};
use crate::telemetry::{ManualClock, UnixTime};

#[tokio::test]
async fn every_response_is_counted_under_its_route_template() {
    let clock = Arc::new(ManualClock::new(UnixTime::from_secs(1_800_000_000)));
    let rt = Runtime {
        clock: clock.clone(),
        log_writer: Box::new(std::io::sink()),
    };
    let state = build_state(Settings::for_tests(), rt).unwrap();
    let router = app(state.clone());
    let calls = [
        (Method::GET, "/health", 200),
        (Method::GET, "/health", 200),
        (Method::GET, "/metrics", 200),
        (Method::GET, "/no/such/page-7f3a", 404),
        (Method::POST, "/health", 405),
        // An anonymous request naming no valid bucket: refused before anything is sent.
        (Method::GET, "/s3/Secret_Bucket-9c1/private/key.txt", 400),
        (Method::GET, "/admin/api/unknown-thing", 404),
    ];
    for (method, uri, want) in calls {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        assert_eq!(resp.status().as_u16(), want, "{uri}");
    }
    clock.advance(Duration::from_secs(60));
    let v = serde_json::to_value(overview_json(&state.http_stats.overview())).unwrap();
    assert_eq!(v["requests"]["last_1m"], 7);
    assert_eq!(v["status_classes_5m"]["4xx"], 4);
    let rows = v["routes"]["top_by_volume"].as_array().unwrap();
    let got: Vec<(String, String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["method"].as_str().unwrap().to_string(),
                r["route"].as_str().unwrap().to_string(),
                r["requests"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut expected = vec![
        ("GET".to_string(), "/health".to_string(), 2),
        ("GET".to_string(), "/admin/api/{*rest}".to_string(), 1),
        ("GET".to_string(), "/metrics".to_string(), 1),
        ("GET".to_string(), "/s3/{bucket}/{*key}".to_string(), 1),
        ("*".to_string(), "<unmatched>".to_string(), 2),
    ];
    expected.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0)));
    assert_eq!(got, expected);
    // No raw path reaches the figures.
    let text = v.to_string();
    for raw in ["page-7f3a", "secret-bucket-9c1", "unknown-thing", "key.txt"] {
        assert!(!text.contains(raw), "{raw} in {text}");
    }
}
