use super::*;
use crate::fleet::wire::Labels;
use serde_json::json;

#[test]
fn parameters() {
    let d = RangeRequest::parse(None, None).unwrap();
    assert_eq!((d.window, d.resolution, d.rate_range()), (3600, 60, 60));
    let r = RangeRequest::parse(Some("24h"), Some("5m")).unwrap();
    assert_eq!((r.window, r.resolution, r.rate_range()), (86_400, 300, 300));
    assert_eq!(
        RangeRequest::parse(Some("10m"), Some("10s"))
            .unwrap()
            .rate_range(),
        60
    );
    for (w, r) in [
        ("1x", "1m"),
        ("60", "1m"),
        ("0m", "1m"),
        ("-5m", "1m"),
        ("60m", "1s"),
        ("1m", "1h"),
        ("31d", "1d"),
        ("99999999999999999999d", "1m"),
    ] {
        assert!(RangeRequest::parse(Some(w), Some(r)).is_err(), "{w} {r}");
    }
    let (start, end) = r.span(1_700_000_123.4);
    assert_eq!(end, 1_700_000_400.0);
    assert_eq!(end - start, 86_400.0);
}

#[test]
fn points_line_up_and_gaps_are_null() {
    let req = RangeRequest::parse(Some("3m"), Some("1m")).unwrap();
    let s = |points: Vec<(f64, f64)>, instance: &str| Series {
        labels: Labels::from([("instance".to_string(), instance.to_string())]),
        points,
    };
    let ops = vec![s(vec![(60.0, 2.0), (120.0, 4.0), (240.0, 1.0)], "x")];
    let errs = vec![s(vec![(120.0, 1.0), (240.0, f64::NAN)], "x")];
    let p95 = vec![s(vec![(180.0, 0.25)], "x")];
    let charts = [
        ("operations_per_second", ops.clone()),
        ("errors_per_second", errs),
        ("latency_p95_seconds", p95),
    ];
    let bytes = serde_json::to_string(&view(&req, (60.0, 240.0), &charts, &ops)).unwrap();
    // The digest of the exact bytes the view had when it was built with json!/Map.
    assert_eq!(
        crate::fleet::digest(&bytes),
        "208c1359130e593afb21e15086ab7daebfc3d5984d3fc5b4a179c4a262652140"
    );
    let v: serde_json::Value = serde_json::from_str(&bytes).unwrap();
    assert_eq!(v["timestamps"], json!([60, 120, 180, 240]));
    assert_eq!(
        v["series"]["operations_per_second"],
        json!([2.0, 4.0, null, 1.0])
    );
    assert_eq!(
        v["series"]["latency_p95_ms"],
        json!([null, null, 250.0, null])
    );
    assert_eq!(
        v["series"]["error_rate_percent"],
        json!([null, 25.0, null, null])
    );
    assert_eq!(v["by_replica"]["x"]["operations_per_second"][1], json!(4.0));
}
