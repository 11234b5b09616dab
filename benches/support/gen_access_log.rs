//! A deterministic generator of realistic S3 server access-log lines (all 27 fields), for
//! the access-log benchmark and `examples/gen-access-log.rs`.
//!
//! Realistic means shaped like a busy bucket's log: ~550 bytes a line, 3,000 client IPs
//! with a skewed (few heavy, many light) distribution, 20,000 keys (some with spaces, `+`,
//! `%` and non-ASCII, URL-encoded as S3 writes them: twice for requests, once for batch
//! deletes and lifecycle), mixed operations and statuses with matching error codes,
//! user agents with spaces, 64-hex canonical ids, 76-character host ids. The same seed
//! always gives the same bytes.

use spacewatch::accesslog::parse::format_time;
use std::fmt::Write as _;

/// splitmix64: small, fast, and good enough to shape test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize
    }

    /// Skewed towards 0: index `n·u³` — a few items get most of the picks.
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((u * u * u) * n as f64) as usize
    }

    fn hex(&mut self, out: &mut String, len: usize, upper: bool) {
        let digits: &[u8; 16] = if upper {
            b"0123456789ABCDEF"
        } else {
            b"0123456789abcdef"
        };
        for _ in 0..len {
            out.push(char::from(digits[self.below(16)]));
        }
    }
}

const BUCKETS: [&str; 3] = ["media-assets", "backups-prod", "static-site"];

/// (operation, weight in percent)
const OPERATIONS: [(&str, usize); 10] = [
    ("REST.GET.OBJECT", 55),
    ("REST.PUT.OBJECT", 14),
    ("REST.HEAD.OBJECT", 10),
    ("REST.GET.BUCKET", 6),
    ("REST.DELETE.OBJECT", 4),
    ("WEBSITE.GET.OBJECT", 3),
    ("REST.COPY.OBJECT_GET", 2),
    ("REST.POST.UPLOADS", 2),
    ("BATCH.DELETE.OBJECT", 2),
    ("S3.EXPIRE.OBJECT", 2),
];

const AGENTS: [&str; 7] = [
    "aws-sdk-go/1.44.298 (go1.20.5; linux; amd64)",
    "Boto3/1.28.9 md/Botocore#1.31.9 ua/2.0 os/linux#5.15.0 md/arch#x86_64 lang/python#3.11.4 cfg/retry-mode#legacy Botocore/1.31.9",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "aws-cli/2.13.4 Python/3.11.4 Linux/5.15.0-78-generic exe/x86_64.ubuntu.22 prompt/off command/s3.cp",
    "rclone/v1.64.0",
    "S3Console/0.4",
    "curl/7.88.1",
];

const STATUSES: [(u16, &str, usize); 8] = [
    (200, "-", 80),
    (206, "-", 4),
    (304, "-", 4),
    (403, "AccessDenied", 3),
    (404, "NoSuchKey", 5),
    (500, "InternalError", 1),
    (503, "SlowDown", 2),
    (400, "InvalidArgument", 1),
];

/// Percent-encodes all but RFC 3986's unreserved characters and `/`.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(b))
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

pub struct Generator {
    rng: Rng,
    ips: Vec<String>,
    keys: Vec<String>,
    requesters: Vec<String>,
    owner: String,
    time: i64,
}

impl Generator {
    pub fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let ips = (0..3000)
            .map(|_| {
                let [a, b, c, d] = (rng.next() as u32).to_be_bytes();
                format!("{}.{b}.{c}.{}", a % 223 + 1, d.max(1))
            })
            .collect();
        let words = [
            "photo", "report", "a b", "x+y", "100%", "café", "数据", "backup", "v2",
        ];
        let exts = ["jpg", "png", "json", "tar.gz", "csv", "html"];
        let keys = (0..20_000)
            .map(|i| {
                let w = words[rng.below(words.len())];
                let ext = exts[rng.below(exts.len())];
                let (year, month) = (2020 + rng.below(5), 1 + rng.below(12));
                format!("uploads/{year}/{month:02}/{w}-{i:05}.{ext}")
            })
            .collect();
        let requesters = (0..50)
            .map(|i| {
                let mut s = String::new();
                if i % 5 == 0 {
                    s.push_str("arn:aws:iam::123456789012:user/service-");
                    s.push_str(&i.to_string());
                } else {
                    rng.hex(&mut s, 64, false);
                }
                s
            })
            .collect();
        let mut owner = String::new();
        rng.hex(&mut owner, 64, false);
        Generator {
            rng,
            ips,
            keys,
            requesters,
            owner,
            time: 1_704_067_200,
        }
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, usize)]) -> T {
        let total: usize = items.iter().map(|i| i.1).sum();
        let mut pick = self.rng.below(total);
        for &(item, w) in items {
            if pick < w {
                return item;
            }
            pick -= w;
        }
        items[0].0
    }

    /// Appends one line (with its `\n`) to `out`.
    pub fn line(&mut self, out: &mut String) {
        let r = &mut self.rng;
        self.time += r.below(3) as i64;
        let bucket = BUCKETS[r.skewed(BUCKETS.len())];
        let ip = &self.ips[r.skewed(self.ips.len())];
        let anonymous = r.below(10) < 2;
        let requester = if anonymous {
            "-"
        } else {
            &self.requesters[r.below(50)]
        };
        let _ = write!(
            out,
            "{} {bucket} [{}] {ip} {requester} ",
            self.owner,
            format_time(self.time)
        );
        r.hex(out, 16, true);
        let op = self.weighted(&OPERATIONS.map(|(o, w)| (o, w)));
        let r = &mut self.rng;
        let verb = op.split('.').nth(1).unwrap_or("GET");
        let (key, encoded) =
            if op == "REST.GET.BUCKET" || op == "REST.POST.UPLOADS" && r.below(2) == 0 {
                (None, "-".to_string())
            } else {
                let key = &self.keys[r.skewed(self.keys.len())];
                let once = url_encode(key);
                let enc = if op.starts_with("BATCH") || op.starts_with("S3.") {
                    once.clone()
                } else {
                    url_encode(&once)
                };
                (Some(once), enc)
            };
        let _ = write!(out, " {op} {encoded} ");
        match &key {
            Some(k) => {
                let _ = write!(out, "\"{verb} /{bucket}/{k} HTTP/1.1\"");
            }
            None => {
                let _ = write!(
                    out,
                    "\"GET /{bucket}?list-type=2&prefix=uploads%2F&max-keys=1000 HTTP/1.1\""
                );
            }
        }
        let (status, error) = self.weighted(&STATUSES.map(|(s, e, w)| ((s, e), w)));
        let r = &mut self.rng;
        let size = 1 + r.below(5_000_000) as u64;
        let sent = match (verb, status) {
            ("GET", 200) if key.is_none() => 1000 + r.below(50_000) as u64,
            ("GET", 200) => size,
            ("GET", 206) => size / 4,
            (_, s) if s >= 400 => 200 + r.below(150) as u64,
            _ => 0,
        };
        let sent = if sent == 0 {
            "-".to_string()
        } else {
            sent.to_string()
        };
        let size = if key.is_some() {
            size.to_string()
        } else {
            "-".to_string()
        };
        let total = 1 + r.skewed(3000);
        let turn = if r.below(10) == 0 {
            "-".to_string()
        } else {
            (1 + r.skewed(total)).to_string()
        };
        let _ = write!(out, " {status} {error} {sent} {size} {total} {turn} ");
        if r.below(5) == 0 {
            let _ = write!(
                out,
                "\"https://www.example.com/gallery/{}?ref=home\" ",
                r.below(500)
            );
        } else {
            out.push_str("\"-\" ");
        }
        let _ = write!(out, "\"{}\" ", AGENTS[r.skewed(AGENTS.len())]);
        if r.below(10) == 0 {
            r.hex(out, 32, false);
        } else {
            out.push('-');
        }
        out.push(' ');
        for _ in 0..75 {
            let chars = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            out.push(char::from(chars[r.below(64)]));
        }
        out.push('=');
        let (sig, auth) = if anonymous {
            ("-", "-")
        } else if r.below(8) == 0 {
            ("SigV4", "QueryString")
        } else {
            ("SigV4", "AuthHeader")
        };
        let tls = if r.below(3) == 0 {
            "TLSv1.3"
        } else {
            "TLSv1.2"
        };
        let cipher = if tls == "TLSv1.3" {
            "TLS_AES_128_GCM_SHA256"
        } else {
            "ECDHE-RSA-AES128-GCM-SHA256"
        };
        let arn = if r.below(20) == 0 {
            "arn:aws:s3:us-east-1:123456789012:accesspoint/example-ap"
        } else {
            "-"
        };
        let acl = if r.below(10) == 0 { "Yes" } else { "-" };
        let _ = writeln!(
            out,
            " {sig} {cipher} {auth} {bucket}.s3.us-east-1.amazonaws.com {tls} {arn} {acl} us-east-1"
        );
    }

    /// Appends whole lines until `out` holds at least `bytes` bytes.
    pub fn fill(&mut self, out: &mut String, bytes: usize) {
        out.reserve(bytes + 1024);
        while out.len() < bytes {
            self.line(out);
        }
    }
}
