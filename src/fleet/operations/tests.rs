//! The fleet view's arithmetic over hand-made engine answers.

use super::*;
use crate::fleet::wire::Labels;

fn s(pairs: &[(&str, &str)], value: f64) -> Sample {
    Sample {
        labels: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Labels>(),
        time: 1_700_000_000.0,
        value,
    }
}

fn ops(window: &str, op: &str, class: &str, v: f64) -> Sample {
    let name = N::WindowOperations.as_str();
    s(
        &[
            ("__name__", name),
            ("window", window),
            ("operation", op),
            ("status_class", class),
        ],
        v,
    )
}

fn le(op: &str, le: &str, v: f64) -> Sample {
    let name = format!("{}_bucket", N::WindowOperationDurationSeconds.as_str());
    s(
        &[
            ("__name__", &name),
            ("window", "5m"),
            ("operation", op),
            ("le", le),
        ],
        v,
    )
}

#[test]
fn the_view_has_the_shape_and_figures_of_the_answers() {
    let dur = format!("{}_sum", N::WindowOperationDurationSeconds.as_str());
    let bytes = N::WindowTransferredBytes.as_str();
    let a = Answers {
        sums: vec![
            ops("5m", "GET_OBJECT", "2xx", 90.0),
            ops("5m", "GET_OBJECT", "4xx", 6.0),
            ops("5m", "GET_OBJECT", "5xx", 4.0),
            ops("5m", "LIST_BUCKETS", "2xx", 0.0),
            ops("1h", "GET_OBJECT", "2xx", 500.0),
            ops("24h", "GET_OBJECT", "2xx", 700.0),
            s(
                &[
                    ("__name__", bytes),
                    ("window", "5m"),
                    ("operation", "GET_OBJECT"),
                ],
                4096.0,
            ),
            s(
                &[
                    ("__name__", &dur),
                    ("window", "5m"),
                    ("operation", "GET_OBJECT"),
                ],
                1.5,
            ),
            s(
                &[
                    ("__name__", N::WindowOperationsPerSecond.as_str()),
                    ("window", "5m"),
                ],
                0.42,
            ),
            s(
                &[
                    ("__name__", N::WindowTransferredBytesPerSecond.as_str()),
                    ("window", "5m"),
                ],
                17.5,
            ),
            le("GET_OBJECT", "0.0025", 0.0),
            le("GET_OBJECT", "0.005", 60.0),
            le("GET_OBJECT", "0.01", 60.0),
            le("GET_OBJECT", "0.025", 96.0),
            le("GET_OBJECT", "+Inf", 100.0),
            le("LIST_BUCKETS", "0.005", 0.0),
            le("LIST_BUCKETS", "+Inf", 0.0),
        ],
        replicas: vec![
            s(
                &[("__name__", "up"), ("instance", "b:2"), ("figure", "up")],
                0.0,
            ),
            s(
                &[("instance", "b:2"), ("figure", "scraped")],
                1_699_999_990.0,
            ),
            s(
                &[("__name__", "up"), ("instance", "a:1"), ("figure", "up")],
                1.0,
            ),
            s(&[("instance", "a:1"), ("figure", "ops")], 100.0),
            s(
                &[
                    ("instance", "a:1"),
                    ("figure", "info"),
                    ("service_instance_id", "host-a:1"),
                ],
                1.0,
            ),
        ],
        buckets: vec![
            s(
                &[
                    ("__name__", N::BucketWindowOperations.as_str()),
                    ("bucket", "logs"),
                ],
                10.0,
            ),
            s(
                &[
                    ("__name__", N::BucketWindowErrors.as_str()),
                    ("bucket", "logs"),
                ],
                1.0,
            ),
            s(
                &[
                    ("__name__", N::BucketWindowDurationSeconds.as_str()),
                    ("bucket", "logs"),
                ],
                0.05,
            ),
            s(&[("bucket", "logs"), ("figure", "p95")], 0.0125),
        ],
    };
    let bytes =
        serde_json::to_string(&view(&a, Duration::from_secs(300), 1_700_000_000.0)).unwrap();
    // The digest of the exact bytes the view had when it was built with json!/Map
    // (issue 17, item 4: the typed view answers byte-identical JSON).
    assert_eq!(
        crate::fleet::digest(&bytes),
        "2b0821f237042fb9114e7b4acf97cbc85b99292394fd4baa8bae624d8db6ba4f"
    );
    let v: Value = serde_json::from_str(&bytes).unwrap();
    let c = &v["current_5m"];
    assert_eq!(c["total_operations_5m"], 100);
    assert_eq!(c["error_operations_5m"], 10);
    assert_eq!(c["error_rate_percent"], 10.0);
    assert_eq!(c["health"], "degraded");
    assert_eq!(c["total_bytes_transferred_5m"], 4096);
    assert_eq!(c["operations_per_second"], 0.42);
    assert_eq!(c["bytes_per_second"], 17.5);
    assert_eq!(c["avg_latency_ms"], 15.0);
    assert_eq!(
        (c["p50"].clone(), c["p95"].clone(), c["p99"].clone()),
        // Inside the buckets of ranks 50 and 95; rank 99 is above 25 ms: +Inf.
        (4.583.into(), 24.583.into(), 25.0.into())
    );
    let get = &c["operation_breakdown"]["GET_OBJECT"];
    assert_eq!(
        (get["request_count"].clone(), get["error_count"].clone()),
        (100.into(), 10.into())
    );
    assert_eq!(get["p50"], 4.583);
    // A window without buckets reads 0, as a replica's own empty window does.
    assert_eq!(v["trends"]["window_1h"]["p95"], 0.0);
    assert!(c["operation_breakdown"].get("LIST_BUCKETS").is_none());
    assert_eq!(v["trends"]["operations_last_1h"], 500);
    assert_eq!(v["trends"]["window_24h"]["total_operations_24h"], 700);
    assert_eq!(v["total_operations_tracked"], 700);
    let logs = &v["bucket_analytics"]["logs"];
    assert_eq!(
        (logs["operation_count"].clone(), logs["error_count"].clone()),
        (10.into(), 1.into())
    );
    assert_eq!(
        (logs["avg_latency_ms"].clone(), logs["p95"].clone()),
        (5.0.into(), 12.5.into())
    );
    assert_eq!(v["replicas_up"], 1);
    let r = v["replicas"].as_array().unwrap();
    assert_eq!(r[0]["instance"], "a:1");
    assert_eq!(
        (r[0]["up"].clone(), r[0]["operations_5m"].clone()),
        (true.into(), 100.into())
    );
    assert_eq!(r[0]["service_instance_id"], "host-a:1");
    assert_eq!(
        (r[1]["up"].clone(), r[1]["last_scrape_age_seconds"].clone()),
        (false.into(), 10.0.into())
    );
}
