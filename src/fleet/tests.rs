//! The fleet view's own parts: `/health`'s `fleet` object and the `source` of the views.

use std::time::Duration;

use super::*;
use crate::config::{EngineAuth, EngineConfig};
use crate::telemetry::ManualClock;

fn fleet() -> Fleet {
    let config = EngineConfig {
        url: url::Url::parse("http://127.0.0.1:9/prom").unwrap(),
        auth: EngineAuth::None,
        timeout: Duration::from_secs(2),
        job: "spacewatch".into(),
    };
    Fleet::new(&config, Duration::from_secs(300)).unwrap()
}

#[test]
fn health_and_source_keep_their_bytes() {
    let f = fleet();
    let before = serde_json::to_string(&f.health()).unwrap();
    assert_eq!(
        before,
        r#"{"configured":true,"engine_url":"http://127.0.0.1:9/prom","job":"spacewatch","last_query":null}"#
    );
    let clock = ManualClock::new(UnixTime::from_secs(1_700_000_000));
    let failed: Result<(), FleetError> = Err(FleetError::Unreachable {
        url: f.engine_url().into(),
        reason: "refused".into(),
    });
    let _ = f.remember(&clock, failed);
    // The exact bytes of the json!-built object (issue 17, item 4).
    assert_eq!(
        serde_json::to_string(&f.health()).unwrap(),
        r#"{"configured":true,"engine_url":"http://127.0.0.1:9/prom","job":"spacewatch","last_query":{"at":"2023-11-14T22:13:20.000Z","ok":false,"error":"the metrics engine at http://127.0.0.1:9/prom cannot be reached: refused"}}"#
    );
    let _ = f.remember(&clock, Ok(()));
    assert_eq!(
        serde_json::to_string(&f.health()).unwrap(),
        r#"{"configured":true,"engine_url":"http://127.0.0.1:9/prom","job":"spacewatch","last_query":{"at":"2023-11-14T22:13:20.000Z","ok":true,"error":null}}"#
    );
    let source = f.source(1_700_000_000.5, std::time::Instant::now(), 3);
    let text = serde_json::to_string(&source).unwrap();
    let ms = format!("{}", source.query_duration_ms);
    assert_eq!(
        text,
        format!(
            r#"{{"engine_url":"http://127.0.0.1:9/prom","job":"spacewatch","evaluated_at":"2023-11-14T22:13:20.500Z","query_duration_ms":{ms},"queries":3}}"#
        )
    );
}
