use super::*;
use crate::telemetry::UnixTime;
use crate::telemetry::prom::LATENCY_BUCKETS;
use crate::telemetry::prom::encode::render_families;
use crate::telemetry::window::{Sample, Windows};

#[test]
fn the_gauges_hold_the_window_and_the_histogram_is_cumulative() {
    let t0 = UnixTime::from_secs(1_700_000_400);
    let mut w = Windows::new(Duration::from_secs(300), t0);
    let ms = Duration::from_millis;
    let get = OperationType::GetObject;
    for (status, d) in [
        (200, ms(3)),
        (200, ms(3)),
        (304, ms(40)),
        (404, ms(7)),
        (503, ms(90_000)),
    ] {
        w.record(t0, &Sample::new(get, status, 10, d));
    }
    let text = render_families(&window_families(
        &w.tallies(t0.plus(Duration::from_secs(30))),
        Duration::from_secs(300),
    ));
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.starts_with(needle))
            .unwrap_or_else(|| panic!("{needle} not in\n{text}"))
            .rsplit(' ')
            .next()
            .unwrap()
            .to_string()
    };
    let ops = |class: &str, window: &str| {
        line(&format!(
            "spacewatch_window_operations{{window=\"{window}\",operation=\"GET_OBJECT\",status_class=\"{class}\"}}"
        ))
    };
    assert_eq!(
        ["2xx", "3xx", "4xx", "5xx"].map(|c| ops(c, "5m")),
        ["2", "1", "1", "1"]
    );
    assert_eq!(ops("2xx", "24h"), "2");
    assert_eq!(
        line(r#"spacewatch_window_transferred_bytes{window="1h",operation="GET_OBJECT"}"#),
        "50"
    );
    // 5 operations, 50 bytes, 30 s into the process's life.
    assert_eq!(
        line(r#"spacewatch_window_operations_per_second{window="5m"}"#),
        (5.0f64 / 30.0).to_string()
    );
    assert_eq!(
        line(r#"spacewatch_window_transferred_bytes_per_second{window="24h"}"#),
        (50.0f64 / 30.0).to_string()
    );
    let h = "spacewatch_window_operation_duration_seconds";
    let bucket = |le: &str| {
        line(&format!(
            "{h}_bucket{{window=\"5m\",operation=\"GET_OBJECT\",le=\"{le}\"}}"
        ))
    };
    assert_eq!(bucket("0.0025"), "0");
    assert_eq!(bucket("0.005"), "2");
    assert_eq!(bucket("0.01"), "3");
    assert_eq!(bucket("0.05"), "4");
    assert_eq!(bucket("60"), "4", "90 s is above every bound");
    assert_eq!(bucket("+Inf"), "5");
    assert_eq!(
        line(&format!(
            "{h}_count{{window=\"5m\",operation=\"GET_OBJECT\"}}"
        )),
        "5"
    );
    assert_eq!(
        line(&format!(
            "{h}_sum{{window=\"5m\",operation=\"GET_OBJECT\"}}"
        )),
        "90.053"
    );
    // Every (window, type) has its counts, traffic or not; only GET_OBJECT (in each
    // window) has a latency histogram.
    let series = text.lines().filter(|l| !l.starts_with('#')).count();
    let hist = LATENCY_BUCKETS.len() + 3;
    assert_eq!(
        series,
        3 * OperationType::COUNT * (4 + 1) + 3 * 2 + 3 * hist
    );
    assert!(!text.contains(r#"operation="LIST_BUCKETS",le="#), "{text}");
    // Nothing recorded: no histogram family at all, and the rest still encodes.
    let quiet = render_families(&window_families(
        &Windows::new(Duration::from_secs(300), t0).tallies(t0),
        Duration::from_secs(300),
    ));
    assert!(!quiet.contains(h) && quiet.contains("spacewatch_window_operations_per_second"));
}
