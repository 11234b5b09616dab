use super::*;

#[test]
fn object_names_round_trip_their_hour() {
    let now = 1_709_632_807; // 2024-03-05T10:00:07Z
    let key = object_key("spacewatch-metrics/", now);
    assert_eq!(
        key,
        "spacewatch-metrics/dt=2024-03-05/hour=10/metrics.jsonl.gz"
    );
    assert_eq!(
        object_hour("spacewatch-metrics/", &key),
        Some(1_709_632_800)
    );
    assert_eq!(object_hour("other/", &key), None);
    assert_eq!(
        object_hour("", "dt=2024-03-05/hour=xx/metrics.jsonl.gz"),
        None
    );
}

#[test]
fn only_snapshot_lines_are_read_back() {
    let text =
        "{\"timestamp\":\"2024-03-05T10:00:07Z\",\"source_bucket\":\"b\"}\nnot json\n{\"x\":1}\n\n";
    let (good, bad) = lines(text);
    assert_eq!((good.len(), bad), (1, 2));
}
