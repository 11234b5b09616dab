//! Hostile access-log objects of the hardening review (issue 18), made in memory: what a
//! tenant can upload to its own log bucket to spend the server's CPU and memory. Shared by
//! the service tests (`tests/service/read_paths/`) and the benchmark (`benches/accesslog.rs`).
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::Write as _;

use spacewatch::accesslog::parse::format_time;

/// One well-formed 18-field line of bucket `bucket` at `time`, with `user_agent`.
pub fn line(out: &mut String, bucket: &str, time: i64, ip: &str, user_agent: &str) {
    let _ = writeln!(
        out,
        "owner {bucket} [{}] {ip} - REQ0001 REST.GET.OBJECT dir/k.txt \
         \"GET /{bucket}/dir/k.txt HTTP/1.1\" 200 - 512 512 3 1 \"-\" \"{user_agent}\" -",
        format_time(time)
    );
}

/// `n` lines at `time`, each naming a bucket of its own (`b000000` …): one (bucket, hour)
/// group a line — the quadratic access-log parse.
pub fn distinct_buckets(n: usize, time: i64) -> String {
    let mut text = String::with_capacity(n * 140);
    for i in 0..n {
        line(&mut text, &format!("b{i:06}"), time, "192.0.2.7", "ua");
    }
    text
}

/// `n` lines of bucket `bucket` at `time` whose user agent is `ua_bytes` long (made of
/// the line number, so no two lines are alike) — the search that kept every match.
pub fn long_user_agents(n: usize, bucket: &str, time: i64, ua_bytes: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        let ua: String = format!("{i:08}-").repeat(ua_bytes / 9 + 1)[..ua_bytes].to_string();
        line(&mut text, bucket, time, "192.0.2.8", &ua);
    }
    text
}

/// `n` lines of bucket `bucket`, each from a client whose remote-IP field is a
/// `label_bytes`-long token (not an address) — the top-IPs chart's labels.
pub fn long_client_labels(n: usize, bucket: &str, time: i64, label_bytes: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        let label: String = format!("c{i:04}x").repeat(label_bytes / 6 + 1)[..label_bytes].into();
        line(&mut text, bucket, time, &label, "ua");
    }
    text
}

/// `text` gzipped.
pub fn gzip(text: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(text).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}
