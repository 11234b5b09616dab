use super::*;

#[test]
fn the_job_is_escaped_into_every_selector() {
    let q = Queries::new(r#"a"b\c"#, "5m");
    for text in [q.window_sums(), q.replicas(), q.buckets()] {
        assert!(text.contains(r#"job="a\"b\\c""#), "{text}");
    }
    assert!(q.replicas().contains(r#"window="5m""#));
    assert_eq!(q.chart(60).len(), 7);
}
