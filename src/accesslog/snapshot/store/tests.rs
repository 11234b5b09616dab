use super::*;
use crate::accesslog::parse::MAX_LINE;

#[test]
fn object_names_round_trip_their_hour() {
    let now = 1_709_632_807; // 2024-03-05T10:00:07Z
    let prefix = KeyPrefix::parse("spacewatch-metrics/").unwrap();
    let key = object_key(&prefix, now).unwrap();
    assert_eq!(
        key.as_str(),
        "spacewatch-metrics/dt=2024-03-05/hour=10/metrics.jsonl.gz"
    );
    assert_eq!(
        object_hour("spacewatch-metrics/", key.as_str()),
        Some(1_709_632_800)
    );
    assert_eq!(object_hour("other/", key.as_str()), None);
    assert_eq!(
        object_hour("", "dt=2024-03-05/hour=xx/metrics.jsonl.gz"),
        None
    );
}

fn gz(text: &str) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap()
}

#[test]
fn only_snapshot_lines_are_read_back_and_long_lines_are_never_parsed() {
    let good = "{\"timestamp\":\"2024-03-05T10:00:07Z\",\"source_bucket\":\"b\",\"source_bytes\":7,\"top_ips\":[{\"ip\":\"x\"}]}";
    let long = format!(
        "{{\"timestamp\":\"2024-03-05T10:00:07Z\",\"source_bucket\":\"b\",\"pad\":\"{}\"}}",
        "x".repeat(MAX_LINE)
    );
    let text = format!("{good}\nnot json\n{{\"x\":1}}\n\n{long}\n");
    let mut got = Vec::new();
    let (bad, end) = read_lines(&gz(&text), true, &|| false, |l| got.push(l));
    assert_eq!((got.len(), bad, end), (1, 3, End::Complete));
    assert_eq!((got[0].time, got[0].source_bytes), (1_709_632_807, Some(7)));
    assert_eq!(got[0].raw.as_ref().unwrap().get(), good, "kept verbatim");
    let (_, end) = read_lines(&gz(&text), false, &|| true, |_| {});
    assert_eq!(end, End::Stopped);
}
