use std::time::Duration;

use super::*;
use crate::telemetry::{HttpMethod, RequestId, TraceId};

const T0: u64 = 1_700_000_400;

fn op(bucket: &str, status: u16) -> (Operation, Sample) {
    let o = Operation {
        started_at: UnixTime::from_secs(T0),
        operation: OperationType::ListObjects,
        method: HttpMethod::Get,
        route: "/t",
        bucket: Some(Arc::from(bucket)),
        tenant: None,
        status,
        duration: Duration::from_millis(10),
        bytes_in: 0,
        bytes_out: 7,
        first_byte: None,
        error: None,
        s3_api: None,
        named_bucket: None,
        request_id: RequestId::new("r").unwrap(),
        trace_id: TraceId::default(),
    };
    let s = Sample::new(o.operation, o.status, o.bytes_transferred(), o.duration);
    (o, s)
}

fn record(b: &mut Buckets, bucket: &str, status: u16) {
    let (o, s) = op(bucket, status);
    b.record(UnixTime::from_secs(T0), o.bucket.as_ref().unwrap(), &o, &s);
}

#[test]
fn places_are_taken_only_by_successes() {
    let mut b = Buckets::new(2);
    record(&mut b, "typo", 404);
    record(&mut b, "a", 200);
    record(&mut b, "b", 200);
    record(&mut b, "c", 200);
    record(&mut b, "a", 403);
    let stats = b.analytics(UnixTime::from_secs(T0 + 1));
    let get = |n: &str| {
        stats
            .iter()
            .find(|s| &*s.bucket == n)
            .map(|s| (s.cell.count, s.cell.errors))
    };
    assert_eq!(get("a"), Some((2, 1)));
    assert_eq!(get("b"), Some((1, 0)));
    assert_eq!(get(OTHER_BUCKET), Some((2, 1)));
    assert!(get("typo").is_none() && get("c").is_none());
    let text = crate::telemetry::prom::encode::render_families(&b.counts().families());
    assert!(
        text.contains(r#"spacewatch_bucket_label_overflow_total 2"#),
        "{text}"
    );
    assert!(!text.contains("typo"));
}

#[test]
fn analytics_cover_the_last_hour_only() {
    let mut b = Buckets::new(10);
    record(&mut b, "a", 200);
    assert_eq!(b.analytics(UnixTime::from_secs(T0 + 3599)).len(), 1);
    assert!(b.analytics(UnixTime::from_secs(T0 + 3600)).is_empty());
    // The Prometheus counter is cumulative and stays.
    let text = crate::telemetry::prom::encode::render_families(&b.counts().families());
    assert!(text.contains(r#"spacewatch_bucket_operations_total{bucket="a",operation="LIST_OBJECTS",status_class="2xx"} 1"#), "{text}");
}
