//! Access logs for the demo store: what Spaces would have delivered for `demo-assets` over
//! the last days — hourly objects named as S3 names them, some gzipped, with every field
//! filled the way real lines are (URL-encoded keys with spaces, `+` and non-ASCII, quoted
//! user agents with spaces and an escaped quote, `-` fields, 404s, 403s and `SlowDown`s),
//! plus the odd garbage line a real bucket sees. Deterministic: the same `now` gives the
//! same logs.

use super::seed::OBJECTS;
use crate::accesslog::parse::format_time;

/// One generated log object.
pub struct LogObject {
    pub key: String,
    pub body: Vec<u8>,
}

const IPS: [&str; 12] = [
    "203.0.113.10",
    "198.51.100.7",
    "192.0.2.44",
    "203.0.113.99",
    "198.51.100.23",
    "2001:db8::1f",
    "2001:db8:4::a2",
    "192.0.2.200",
    "203.0.113.5",
    "198.51.100.150",
    "192.0.2.9",
    "2001:db8:7::3",
];

/// Keys the logs name besides the store's objects — objects deleted since, and one that
/// never was (size 0: only ever a 404) — URL-encoded as S3 logs them.
const GONE: [(&str, u64); 4] = [
    ("website/release%20notes.txt", 3_300),
    ("website/a+b.css", 1_200),
    ("images/caf%C3%A9.png", 9_000),
    ("old/missing.txt", 0),
];

/// Every key the logs name, with its size: the store's [`OBJECTS`] (whose keys need no
/// URL-encoding), then [`GONE`].
const KEYS: [(&str, u64); OBJECTS.len() + GONE.len()] = {
    let mut keys = [("", 0); OBJECTS.len() + GONE.len()];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = if i < OBJECTS.len() {
            OBJECTS[i]
        } else {
            GONE[i - OBJECTS.len()]
        };
        i += 1;
    }
    keys
};

const AGENTS: [&str; 4] = [
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
    "rclone/v1.66.0",
    "curl/8.5.0 (build \\\"custom\\\")",
];

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `hours` hourly log objects ending with the hour before `now`'s (unix seconds).
pub fn generate(now: i64, hours: u32) -> Vec<LogObject> {
    let current = now.div_euclid(3600) * 3600;
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    (0..hours)
        .map(|h| {
            let start = current - i64::from(hours - h) * 3600;
            // Delivered a few minutes after the hour it covers.
            let delivered = start + 3600 + 300 + rng.below(900) as i64;
            let lines = 30 + rng.below(40);
            let mut text = String::new();
            for i in 0..lines {
                let t = start + (i * 3600 / lines) as i64 + rng.below(30) as i64;
                text.push_str(&line(&mut rng, t.min(start + 3599), h as u64 * 100 + i));
            }
            if h % 17 == 5 {
                text.push_str("this line is not an access log line\n");
            }
            let stamp = chrono::DateTime::from_timestamp(delivered, 0)
                .unwrap_or_default()
                .format("%Y-%m-%d-%H-%M-%S");
            let gz = h % 3 == 0;
            let key = format!(
                "{}{stamp}-{:016X}{}",
                super::DEMO_LOG_PREFIX,
                0x5EED_0000 + u64::from(h),
                if gz { ".gz" } else { "" }
            );
            let body = if gz {
                gzip(text.as_bytes())
            } else {
                text.into_bytes()
            };
            LogObject { key, body }
        })
        .collect()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

fn line(rng: &mut Rng, t: i64, n: u64) -> String {
    // Busy clients are busier: the first IPs take most requests.
    let ip = IPS[(rng.below(12).min(rng.below(12))) as usize];
    let (key, size) = KEYS[rng.below(KEYS.len() as u64) as usize];
    let roll = rng.below(100);
    let (method, op, status, err, sent) = match roll {
        0..=59 if size == 0 => ("GET", "REST.GET.OBJECT", 404, "NoSuchKey", 243),
        0..=59 => ("GET", "REST.GET.OBJECT", 200, "-", size),
        60..=69 => ("HEAD", "REST.HEAD.OBJECT", 200, "-", 0),
        70..=79 => ("PUT", "REST.PUT.OBJECT", 200, "-", 0),
        80..=82 => ("DELETE", "REST.DELETE.OBJECT", 204, "-", 0),
        83..=87 => ("GET", "REST.GET.BUCKET", 200, "-", 3_100),
        88..=89 => ("PUT", "REST.COPY.OBJECT", 200, "-", 234),
        90..=94 => ("GET", "REST.GET.OBJECT", 403, "AccessDenied", 243),
        95..=97 => ("GET", "REST.GET.OBJECT", 404, "NoSuchKey", 243),
        _ => ("GET", "REST.GET.OBJECT", 503, "SlowDown", 0),
    };
    let key_field = if op == "REST.GET.BUCKET" { "-" } else { key };
    let uri = if op == "REST.GET.BUCKET" {
        "/demo-assets?list-type=2&prefix=images%2F".to_string()
    } else {
        format!("/demo-assets/{key}")
    };
    let total = 5 + rng.below(120) + if sent > 100_000 { 200 } else { 0 };
    let turn = 1 + rng.below(total);
    let agent = AGENTS[rng.below(AGENTS.len() as u64) as usize];
    let sent = if sent == 0 {
        "-".to_string()
    } else {
        sent.to_string()
    };
    let obj_size = if size == 0 {
        "-".to_string()
    } else {
        size.to_string()
    };
    format!(
        "5e3c5d9a7f0b demo-assets [{}] {ip} 5e3c5d9a7f0b {n:016X} {op} {key_field} \"{method} {uri} HTTP/1.1\" {status} {err} {sent} {obj_size} {total} {turn} \"-\" \"{agent}\" - demohostid{n} SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader sgp1.digitaloceanspaces.com TLSv1.2 - - sgp1\n",
        format_time(t)
    )
}

#[cfg(test)]
mod tests;
