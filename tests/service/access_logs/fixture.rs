//! Logs written by the test with known content, and the truth about them computed here,
//! independently of SpaceWatch's parser: every line the test writes is also kept as a
//! plain record.

use std::io::Write;

/// One request, as the test knows it.
#[derive(Debug, Clone)]
pub struct Req {
    pub t: i64,
    pub bucket: &'static str,
    pub ip: &'static str,
    pub op: &'static str,
    /// The object key, decoded (None for bucket operations).
    pub key: Option<&'static str>,
    pub method: &'static str,
    pub status: u16,
    pub err: Option<&'static str>,
    pub sent: u64,
    pub total: Option<u64>,
    pub turn: Option<u64>,
    pub ua: &'static str,
    /// The log object holding the line.
    pub object: String,
}

/// A log object the test uploads.
pub struct Obj {
    pub key: String,
    pub body: Vec<u8>,
    pub delivered: i64,
    /// Non-empty lines, malformed ones among them.
    pub lines: u64,
    pub malformed: u64,
    /// Over the byte cap: skipped, its requests not in the truth.
    pub over_cap: bool,
}

pub const IPS: [&str; 7] = [
    "203.0.113.1",
    "203.0.113.2",
    "198.51.100.9",
    "192.0.2.77",
    "2001:db8::5",
    "2001:db8:1::9",
    "10.1.2.3",
];

/// Keys with spaces, `+`, non-ASCII, a literal `%`, several depths.
pub const KEYS: [&str; 7] = [
    "docs/release notes.txt",
    "docs/a+b.css",
    "img/café.png",
    "deep/x/y/z.bin",
    "top.txt",
    "weird/100%.txt",
    "docs/guide.pdf",
];

/// User agents: with spaces, with an escaped quote (written `\"`).
pub const AGENTS: [&str; 3] = [
    "aws-cli/2.15 Python/3.11",
    "Mozilla/5.0 (X11; \"quoted\")",
    "rclone/1.66",
];

const OPS: [(&str, &str); 7] = [
    ("REST.GET.OBJECT", "GET"),
    ("REST.GET.OBJECT", "GET"),
    ("REST.GET.OBJECT", "GET"),
    ("REST.PUT.OBJECT", "PUT"),
    ("REST.HEAD.OBJECT", "HEAD"),
    ("REST.DELETE.OBJECT", "DELETE"),
    ("REST.GET.BUCKET", "GET"),
];

/// Percent-encoding as S3 logs keys (twice for REST operations).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn stamp(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%d/%b/%Y:%H:%M:%S +0000")
        .to_string()
}

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The text of one request's line with `fields` fields (17 to 29: 28 and 29 are unknown
/// trailing fields).
fn render(r: &Req, fields: usize) -> String {
    let key = r.key.map(|k| enc(&enc(k))).unwrap_or_else(|| "-".into());
    let uri = match r.key {
        Some(k) => format!("/{}/{}", r.bucket, enc(k)),
        None => format!("/{}?list-type=2", r.bucket),
    };
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |n| n.to_string());
    let sent = if r.sent == 0 {
        "-".to_string()
    } else {
        r.sent.to_string()
    };
    let ua = r.ua.replace('"', "\\\"");
    let all = [
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be".to_string(),
        r.bucket.to_string(),
        format!("[{}]", stamp(r.t)),
        r.ip.to_string(),
        "arn:aws:iam::123456789012:user/tester".to_string(),
        format!("REQ{:X}", r.t),
        r.op.to_string(),
        key,
        format!("\"{} {uri} HTTP/1.1\"", r.method),
        r.status.to_string(),
        r.err.unwrap_or("-").to_string(),
        sent,
        "12345".to_string(),
        opt(r.total),
        opt(r.turn),
        "\"-\"".to_string(),
        format!("\"{ua}\""),
        "-".to_string(),
        "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=".to_string(),
        "SigV4".to_string(),
        "ECDHE-RSA-AES128-GCM-SHA256".to_string(),
        "AuthHeader".to_string(),
        format!("{}.s3.us-west-1.amazonaws.com", r.bucket),
        "TLSv1.2".to_string(),
        "-".to_string(),
        "-".to_string(),
        "us-east-1".to_string(),
        "future-field".to_string(),
        "another".to_string(),
    ];
    all[..fields].join(" ")
}

/// `objects` objects of ~`per` lines, covering the `hours` hours before `current_hour`
/// (unix seconds); every other object gzipped; one more, over `cap` bytes.
pub fn generate(
    current_hour: i64,
    hours: i64,
    objects: i64,
    per: u64,
    cap: u64,
) -> (Vec<Obj>, Vec<Req>) {
    let mut rng = Rng(0x00C0_FFEE_1234_5678);
    let span = hours * 3600 / objects;
    let start = current_hour - (hours - 1) * 3600;
    let mut out = Vec::new();
    let mut truth = Vec::new();
    for i in 0..objects {
        let from = start + i * span;
        let delivered = from + span + 300;
        let gz = i % 2 == 1;
        let key = format!(
            "access/{}-{:016X}{}",
            chrono::DateTime::from_timestamp(delivered, 0)
                .unwrap()
                .format("%Y-%m-%d-%H-%M-%S"),
            0xABC0 + i,
            if gz { ".gz" } else { "" }
        );
        let (mut text, mut lines, mut bad) = (String::new(), 0, 0);
        for n in 0..per {
            let r = request(&mut rng, from + (n as i64 * span / per as i64), &key);
            let fields = [17, 18, 24, 26, 27, 27, 27, 29][rng.below(8) as usize];
            text.push_str(&render(&r, fields));
            text.push('\n');
            lines += 1;
            if n % 13 == 7 {
                text.push_str("garbage [not/a/time] line\n\n");
                lines += 1;
                bad += 1;
            }
            truth.push(r);
        }
        let body = if gz {
            gzip(text.as_bytes())
        } else {
            text.into_bytes()
        };
        out.push(Obj {
            key,
            body,
            delivered,
            lines,
            malformed: bad,
            over_cap: false,
        });
    }
    // One object over the cap, in the middle of the period: skipped everywhere.
    let mut big = String::new();
    let key = format!(
        "access/{}-FFFFFFFFFFFFFFFF",
        chrono::DateTime::from_timestamp(start + hours * 1800, 0)
            .unwrap()
            .format("%Y-%m-%d-%H-%M-%S")
    );
    while (big.len() as u64) <= cap {
        let r = request(&mut rng, start + hours * 1800 - 60, &key);
        big.push_str(&render(&r, 27));
        big.push('\n');
    }
    let lines = big.lines().count() as u64;
    out.push(Obj {
        key,
        body: big.into_bytes(),
        delivered: start + hours * 1800,
        lines,
        malformed: 0,
        over_cap: true,
    });
    (out, truth)
}

fn request(rng: &mut Rng, t: i64, object: &str) -> Req {
    let (op, method) = OPS[rng.below(OPS.len() as u64) as usize];
    let key = (op != "REST.GET.BUCKET").then(|| KEYS[rng.below(KEYS.len() as u64) as usize]);
    let roll = rng.below(20);
    let (status, err) = match roll {
        0..=1 => (404, Some("NoSuchKey")),
        2 => (403, Some("AccessDenied")),
        3 => (503, Some("SlowDown")),
        4 => (500, Some("InternalError")),
        _ if method == "DELETE" => (204, None),
        _ => (200, None),
    };
    let sent = if method == "GET" && status == 200 {
        100 + rng.below(5000)
    } else {
        0
    };
    Req {
        t,
        bucket: if rng.below(10) == 0 { "beta" } else { "alpha" },
        ip: IPS[rng.below(IPS.len() as u64).min(rng.below(IPS.len() as u64)) as usize],
        op,
        key,
        method,
        status,
        err,
        sent,
        total: (rng.below(15) != 0).then(|| rng.below(400)),
        turn: (rng.below(15) != 0).then(|| rng.below(50)),
        ua: AGENTS[rng.below(AGENTS.len() as u64) as usize],
        object: object.to_string(),
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Nearest-rank quantile.
pub fn quantile(mut v: Vec<u64>, q: f64) -> Option<u64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}

/// The UTC date of `t`.
pub fn date(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}
