use std::time::Duration;

use super::*;
use crate::telemetry::{HttpMethod, RequestId, TraceId, UnixTime};

fn op(n: u64) -> Operation {
    Operation {
        started_at: UnixTime(n),
        operation: OperationType::ListBuckets,
        method: HttpMethod::Get,
        route: "/t",
        bucket: None,
        tenant: None,
        status: if n.is_multiple_of(2) { 200 } else { 500 },
        duration: Duration::from_millis(n),
        bytes_in: 0,
        bytes_out: 0,
        first_byte: None,
        error: None,
        s3_api: None,
        named_bucket: None,
        request_id: RequestId::new("r").unwrap(),
        trace_id: TraceId::default(),
    }
}

#[test]
fn queries_see_the_newest_capacity_newest_first() {
    let mut j = Journal::new(10);
    (0..25).for_each(|n| drop(j.push(op(n))));
    let all = j.query(&LogFilter::default(), 100);
    let seen: Vec<u64> = all.iter().map(|o| o.started_at.0).collect();
    assert_eq!(seen, (15..25).rev().collect::<Vec<_>>());
    let errors = LogFilter {
        errors: Some(true),
        ..LogFilter::default()
    };
    assert!(j.query(&errors, 100).iter().all(|o| o.status == 500));
    assert_eq!(j.len(), 10);
}

#[test]
fn nothing_is_lost_when_the_exporter_lags_a_whole_ring() {
    let mut j = Journal::new(1);
    let ring = MIN_RING as u64;
    let mut exported = Vec::new();
    for n in 0..ring + 100 {
        let d = j.push(op(n));
        if d.unexported {
            exported.push(d.op.unwrap().started_at.0);
        }
    }
    assert_eq!(
        exported,
        (0..100).collect::<Vec<_>>(),
        "the oldest were handed back"
    );
    let rest: Vec<u64> = j
        .take_unexported(usize::MAX)
        .iter()
        .map(|o| o.started_at.0)
        .collect();
    assert_eq!(rest, (100..ring + 100).collect::<Vec<_>>());
    assert!(j.take_unexported(10).is_empty());
}
