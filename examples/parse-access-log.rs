//! Parses one access-log file (plain or gzip) with SpaceWatch's parser and prints what it
//! counted: the whole-process side of `scripts/bench-accesslog.sh`, timed against goaccess.
//!
//! Usage: `cargo run --release --example parse-access-log -- FILE`

use spacewatch::accesslog::parse::{Compression, End, StatusClass, parse_object};

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: parse-access-log FILE");
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let compression = Compression::detect(&path, &data);
    let mut by_class = [0u64; 6];
    let mut bytes_sent = 0u64;
    let mut total_ms = 0u64;
    let report = parse_object(&data, compression, u64::MAX, |_, parsed| {
        if let Ok(l) = parsed {
            by_class[l.status_class() as usize] += 1;
            bytes_sent += l.bytes_sent;
            total_ms += l.total_time_ms.unwrap_or(0);
        }
    });
    assert_eq!(report.end, End::Complete, "{path}: {:?}", report.end);
    let s = report.stats;
    let classes = [
        StatusClass::Informational,
        StatusClass::Success,
        StatusClass::Redirection,
        StatusClass::ClientError,
        StatusClass::ServerError,
        StatusClass::Other,
    ];
    let by: Vec<String> = classes
        .iter()
        .map(|c| format!("{}={}", c.as_str(), by_class[*c as usize]))
        .collect();
    println!(
        "lines={} malformed={} non_utf8={} bytes_read={} bytes_decoded={} bytes_sent={bytes_sent} total_ms={total_ms} {}",
        s.lines,
        s.malformed,
        s.non_utf8,
        s.bytes_read,
        s.bytes_decoded,
        by.join(" ")
    );
}
