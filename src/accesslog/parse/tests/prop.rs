//! Property tests: nothing panics on any input, and every well-formed generated line gives
//! back the values it was written from.

use crate::accesslog::parse::{Compression, format_time, parse_line, parse_object};
use proptest::prelude::*;

/// A plain field value: printable, no space, no `"`, some non-ASCII; never the `-` that
/// means absent.
fn token() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9._:/+=%\u{e9}\u{4e2d}-]{1,16}".prop_filter("- is absent", |s| s != "-")
}

fn opt_token() -> impl Strategy<Value = Option<String>> {
    prop::option::of(token())
}

/// Quoted-field text: anything printable, spaces, quotes and backslashes included.
fn quoted_text() -> impl Strategy<Value = Option<String>> {
    prop::option::of(r#"[ -~\u{e9}\u{fc}\u{4e2d}"\\]{0,30}"#)
}

const OPS: [&str; 6] = [
    "REST.GET.OBJECT",
    "REST.PUT.OBJECT",
    "REST.COPY.OBJECT_GET",
    "WEBSITE.GET.OBJECT",
    "BATCH.DELETE.OBJECT",
    "S3.EXPIRE.OBJECT",
];

/// Percent-encodes all but RFC 3986's unreserved characters and `/`, as S3 does.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn quote(v: &Option<String>, dash_quoted: bool) -> String {
    match v {
        None if dash_quoted => "\"-\"".into(),
        None => "-".into(),
        Some(s) => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

fn dash<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or("-".into(), T::to_string)
}

#[derive(Debug, Clone)]
struct Spec {
    head: [Option<String>; 4], // owner, bucket, remote ip, requester
    request_id: Option<String>,
    time: i64,
    offset_min: i64,
    op: usize,
    key: Option<String>,
    uri: Option<String>,
    referer: Option<String>,
    agent: Option<String>,
    dash_quoted: bool,
    status: Option<u16>,
    error_code: Option<String>,
    bytes_sent: u64,
    numbers: [Option<u64>; 3], // object size, total time, turn-around time
    tail: Vec<Option<String>>, // fields 18..=27, as many as the era has
    extra: Vec<String>,
}

fn spec() -> impl Strategy<Value = Spec> {
    let eras = prop_oneof![Just(17usize), Just(18), Just(24), Just(26), Just(27)];
    (
        (
            prop::array::uniform4(opt_token()),
            opt_token(),
            0i64..4_102_444_800,
            -720i64..=840,
        ),
        (
            0..OPS.len(),
            prop::option::of("\\PC{1,20}".prop_filter("-", |k| k != "-")),
        ),
        (quoted_text(), quoted_text(), quoted_text(), any::<bool>()),
        (prop::option::of(100u16..=999), opt_token(), any::<u64>()),
        prop::array::uniform3(prop::option::of(any::<u64>())),
        (
            eras,
            prop::collection::vec(opt_token(), 10),
            prop::collection::vec(token(), 0..3),
        ),
    )
        .prop_map(|(h, k, q, s, numbers, t)| {
            let (era, mut tail, extra) = t;
            tail.truncate(era - 17);
            Spec {
                head: h.0,
                request_id: h.1,
                time: h.2,
                offset_min: h.3,
                op: k.0,
                key: k.1,
                uri: q.0,
                referer: q.1,
                agent: q.2,
                dash_quoted: q.3,
                status: s.0,
                error_code: s.1,
                bytes_sent: s.2,
                numbers,
                extra: if era == 27 { extra } else { Vec::new() },
                tail,
            }
        })
}

impl Spec {
    fn encoded_key(&self) -> Option<String> {
        let once = self.key.as_deref().map(encode)?;
        Some(
            if OPS[self.op].starts_with("REST") || OPS[self.op].starts_with("WEBSITE") {
                encode(&once)
            } else {
                once
            },
        )
    }

    fn line(&self) -> String {
        let local = format_time(self.time + self.offset_min * 60);
        let off = self.offset_min.abs();
        let sign = if self.offset_min < 0 { '-' } else { '+' };
        let time = format!("[{}{sign}{:02}{:02}]", &local[..21], off / 60, off % 60);
        let [o, b, ip, rq] = &self.head;
        let mut f = vec![
            dash(o),
            dash(b),
            time,
            dash(ip),
            dash(rq),
            dash(&self.request_id),
        ];
        f.push(OPS[self.op].into());
        f.push(dash(&self.encoded_key()));
        f.push(quote(&self.uri, self.dash_quoted));
        f.push(dash(&self.status));
        f.push(dash(&self.error_code));
        f.push(match self.bytes_sent {
            0 if self.dash_quoted => "-".into(),
            n => n.to_string(),
        });
        f.extend(self.numbers.iter().map(dash));
        f.push(quote(&self.referer, !self.dash_quoted));
        f.push(quote(&self.agent, self.dash_quoted));
        f.extend(self.tail.iter().map(dash));
        f.extend(self.extra.iter().cloned());
        f.join(" ")
    }
}

/// The value a quoted field gives back: `-` (bare or quoted) is absent.
fn want_quoted(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| s != "-")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn well_formed_lines_round_trip(s in spec()) {
        let line = s.line();
        let l = parse_line(&line).map_err(|e| TestCaseError::fail(format!("{e}: {line}")))?;
        let [o, b, ip, rq] = &s.head;
        prop_assert_eq!(l.bucket_owner, o.as_deref());
        prop_assert_eq!(l.bucket, b.as_deref());
        prop_assert_eq!(l.time, s.time);
        prop_assert_eq!(l.remote_ip, ip.as_deref());
        prop_assert_eq!(l.requester, rq.as_deref());
        prop_assert_eq!(l.request_id, s.request_id.as_deref());
        prop_assert_eq!(l.operation, Some(OPS[s.op]));
        let key = s.encoded_key();
        prop_assert_eq!(l.key, key.as_deref());
        prop_assert_eq!(l.key_decoded().map(|k| k.into_owned()), s.key.clone());
        let unq = |q: Option<crate::accesslog::parse::Quoted>| q.map(|q| q.unescaped().into_owned());
        prop_assert_eq!(unq(l.request_uri), want_quoted(&s.uri));
        prop_assert_eq!(unq(l.referer), want_quoted(&s.referer));
        prop_assert_eq!(unq(l.user_agent), want_quoted(&s.agent));
        prop_assert_eq!(l.status, s.status);
        prop_assert_eq!(l.error_code, s.error_code.as_deref());
        prop_assert_eq!(l.bytes_sent, s.bytes_sent);
        prop_assert_eq!([l.object_size, l.total_time_ms, l.turn_around_ms], s.numbers);
        let tail = [l.version_id, l.host_id, l.signature_version, l.cipher_suite, l.auth_type,
            l.host_header, l.tls_version, l.access_point_arn, l.acl_required, l.source_region];
        for (i, got) in tail.iter().enumerate() {
            prop_assert_eq!(*got, s.tail.get(i).and_then(|v| v.as_deref()));
        }
        prop_assert_eq!(usize::from(l.fields), 17 + s.tail.len());
        let extra = s.extra.join(" ");
        prop_assert_eq!(l.extra, (!extra.is_empty()).then_some(extra.as_str()));
    }

    #[test]
    fn find_space_agrees_with_a_plain_search(
        bytes in prop::collection::vec(prop_oneof![Just(b' '), Just(0x20 ^ 0x80), Just(0x21), Just(0x1f), any::<u8>()], 0..80),
        from in 0usize..90,
    ) {
        let from = from.min(bytes.len());
        let naive = bytes[from..].iter().position(|&b| b == b' ').map_or(bytes.len(), |p| from + p);
        prop_assert_eq!(crate::accesslog::parse::line::find_space(&bytes, from), naive);
    }

    #[test]
    fn any_str_parses_without_panic(s in "\\PC*|[ -~\"\\[\\]]{0,300}") {
        let _ = parse_line(&s);
    }

    #[test]
    fn any_bytes_read_without_panic(data in prop::collection::vec(any::<u8>(), 0..2000), gz in any::<bool>()) {
        let c = if gz { Compression::Gzip } else { Compression::Plain };
        let mut n = 0u64;
        let r = parse_object(&data, c, 1 << 16, |_, _| n += 1);
        prop_assert!(r.stats.lines >= n);
    }
}
