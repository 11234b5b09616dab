use super::*;

#[test]
fn every_parameter_is_checked() {
    let q = LogQuery::parse(
        "operation_type=list_objects&bucket=my-bucket&status=error&limit=5&min_duration_ms=1.5",
    )
    .unwrap();
    assert_eq!(q.filter.operation, Some(OperationType::ListObjects));
    assert_eq!(q.filter.bucket.as_deref(), Some("my-bucket"));
    assert_eq!((q.filter.errors, q.limit), (Some(true), 5));
    assert_eq!(q.filter.min_duration_ms, Some(1.5));
    for bad in [
        "operation_type=NOPE",
        "bucket=No_Such",
        "status=maybe",
        "limit=0",
        "limit=1001",
        "min_duration_ms=-1",
        "min_duration_ms=NaN",
    ] {
        assert!(LogQuery::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(LogQuery::parse("").unwrap().limit, 100);
}
