//! Lines of whole objects: plain and gzip, caps, damage, odd bytes.

use crate::accesslog::parse::{
    Compression, End, GZIP_BUFFER, MAX_LINE, ObjectReport, STOP_EVERY, for_each_line,
    for_each_line_until, format_time, parse_object,
};
use flate2::{Compression as Level, write::GzEncoder};
use std::io::Write;

fn gz(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Level::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn collect(data: &[u8], c: Compression, cap: u64) -> (Vec<String>, ObjectReport) {
    let mut out = Vec::new();
    let report = for_each_line(data, c, cap, |l| out.push(l.to_owned()));
    (out, report)
}

/// Ground truth by a different route: split on '\n' with the standard library.
fn expected_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Text of `n` lines of varying length (1 to ~3000 bytes), some with `\r\n`, some empty.
fn varied_text(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let len = (i * 7919) % 3000 + 1;
        s.push_str(&format!("{i}:"));
        s.extend(std::iter::repeat_n(char::from(b'a' + (i % 26) as u8), len));
        s.push_str(match i % 5 {
            0 => "\r\n",
            1 => "\n\n",
            _ => "\n",
        });
    }
    s.push_str("last line without newline");
    s
}

#[test]
fn plain_lines_crlf_empty_and_unterminated() {
    let text = "a b\r\n\n\nc\nlast";
    let (lines, r) = collect(text.as_bytes(), Compression::Plain, 1 << 20);
    assert_eq!(lines, ["a b", "c", "last"]);
    assert_eq!(r.end, End::Complete);
    assert_eq!(r.stats.lines, 3);
    assert_eq!(r.stats.bytes_read, text.len() as u64);
    assert_eq!(r.stats.bytes_decoded, text.len() as u64);
}

#[test]
fn gzip_matches_plain_across_buffer_boundaries_and_members() {
    let text = varied_text(600); // ~900 KB: several refills of the buffer
    assert!(text.len() > 3 * GZIP_BUFFER);
    let want = expected_lines(&text);
    let (plain, _) = collect(text.as_bytes(), Compression::Plain, u64::MAX);
    assert_eq!(plain, want);

    // Two gzip members, split mid-line.
    let cut = text.len() / 2 + 17;
    let mut two = gz(&text.as_bytes()[..cut]);
    two.extend(gz(&text.as_bytes()[cut..]));
    assert_eq!(
        Compression::detect("logs/2024-01-01-00-00-00-X", &two),
        Compression::Gzip
    );
    let (lines, r) = collect(&two, Compression::Gzip, u64::MAX);
    assert_eq!(r.end, End::Complete);
    assert_eq!(lines, want);
    assert_eq!(r.stats.lines, want.len() as u64);
    assert_eq!(r.stats.bytes_read, two.len() as u64);
    assert_eq!(r.stats.bytes_decoded, text.len() as u64);
}

#[test]
fn detection_by_suffix_and_magic() {
    assert_eq!(Compression::detect("a.log.gz", b"x"), Compression::Gzip);
    assert_eq!(
        Compression::detect("a.log", b"\x1f\x8bxx"),
        Compression::Gzip
    );
    assert_eq!(
        Compression::detect("a.log", b"owner bucket"),
        Compression::Plain
    );
    assert_eq!(Compression::detect("a.log", b""), Compression::Plain);
}

#[test]
fn caps_stop_plain_before_reading_and_gzip_bombs_early() {
    let text = "x\n".repeat(1000);
    let (lines, r) = collect(text.as_bytes(), Compression::Plain, 1999);
    assert_eq!((lines.len(), r.end), (0, End::TooLarge));
    let (lines, r) = collect(text.as_bytes(), Compression::Plain, 2000);
    assert_eq!((lines.len(), r.end), (1000, End::Complete));

    // 64 MiB of newlines compress to ~64 KiB; a 1 MiB cap stops within one buffer of it.
    let bomb = gz(&vec![b'\n'; 64 << 20]);
    assert!(bomb.len() < 1 << 20);
    let cap = 1 << 20;
    let (lines, r) = collect(&bomb, Compression::Gzip, cap);
    assert_eq!(r.end, End::TooLarge);
    assert!(lines.is_empty());
    assert!(r.stats.bytes_decoded > cap);
    assert!(r.stats.bytes_decoded <= cap + GZIP_BUFFER as u64);
}

#[test]
fn a_stop_from_outside_ends_the_read_within_a_batch_of_lines() {
    use std::cell::Cell;
    let text = "x\n".repeat(10_000);
    for (data, c) in [
        (text.clone().into_bytes(), Compression::Plain),
        (gz(text.as_bytes()), Compression::Gzip),
    ] {
        let seen = Cell::new(0u64);
        let stop = || seen.get() >= 1000;
        let r = for_each_line_until(&data, c, u64::MAX, &stop, |_| seen.set(seen.get() + 1));
        assert_eq!(r.end, End::Stopped, "{c:?}");
        let n = seen.get();
        assert!((1000..1000 + STOP_EVERY).contains(&n), "{c:?}: {n} lines");
        assert_eq!(r.stats.lines, n);
        let r = for_each_line_until(&data, c, u64::MAX, &|| true, |_| panic!("no line"));
        assert_eq!((r.end, r.stats.lines), (End::Stopped, 0));
    }
}

#[test]
fn damaged_gzip_keeps_the_lines_before_the_damage() {
    let text = varied_text(400);
    let full = gz(text.as_bytes());
    let truncated = &full[..full.len() / 2];
    let (lines, r) = collect(truncated, Compression::Gzip, u64::MAX);
    assert_eq!(r.end, End::CorruptGzip);
    let want = expected_lines(&text);
    assert!(!lines.is_empty() && lines.len() < want.len());
    assert_eq!(lines[..], want[..lines.len()]);

    let (lines, r) = collect(b"\x1f\x8bnot gzip at all", Compression::Gzip, u64::MAX);
    assert_eq!((lines.len(), r.end), (0, End::CorruptGzip));
    let (lines, r) = collect(b"", Compression::Gzip, u64::MAX);
    assert!(lines.is_empty());
    assert_ne!(r.end, End::TooLarge);
}

#[test]
fn non_utf8_lines_are_read_lossily_and_counted() {
    let data = b"good one\nbad \xff\xfe here\nfine\n\xc3\n\xe2\x82\xac ok";
    for c in [Compression::Plain, Compression::Gzip] {
        let bytes = if c == Compression::Gzip {
            gz(data)
        } else {
            data.to_vec()
        };
        let (lines, r) = collect(&bytes, c, u64::MAX);
        assert_eq!(
            lines,
            [
                "good one",
                "bad \u{fffd}\u{fffd} here",
                "fine",
                "\u{fffd}",
                "€ ok"
            ]
        );
        assert_eq!(
            (r.stats.lines, r.stats.non_utf8, r.stats.malformed),
            (5, 2, 0)
        );
    }
}

#[test]
fn over_long_lines_are_malformed_and_skipped() {
    for long in [MAX_LINE + 1, GZIP_BUFFER + 10, 3 * GZIP_BUFFER] {
        let text = format!("first\n{}\nlast\n", "y".repeat(long));
        for c in [Compression::Plain, Compression::Gzip] {
            let bytes = if c == Compression::Gzip {
                gz(text.as_bytes())
            } else {
                text.clone().into_bytes()
            };
            let (lines, r) = collect(&bytes, c, u64::MAX);
            assert_eq!(lines, ["first", "last"], "{long} {c:?}");
            assert_eq!((r.stats.lines, r.stats.malformed), (3, 1), "{long} {c:?}");
        }
    }
    let exact = format!("{}\n", "z".repeat(MAX_LINE));
    assert_eq!(
        collect(exact.as_bytes(), Compression::Plain, u64::MAX)
            .0
            .len(),
        1
    );
}

#[test]
fn parse_object_counts_malformed_lines() {
    let good = format!(
        "o b [{}] 1.2.3.4 r id REST.GET.OBJECT k \"GET /b/k HTTP/1.1\" 200 - 1 1 1 1 \"-\" \"ua\" -",
        format_time(1_700_000_000)
    );
    let text = format!("{good}\ngarbage\n{good}\r\n\n{good}");
    let mut times = Vec::new();
    let mut raw_bad = Vec::new();
    let r = parse_object(
        &gz(text.as_bytes()),
        Compression::Gzip,
        u64::MAX,
        |raw, p| match p {
            Ok(l) => times.push(l.time),
            Err(_) => raw_bad.push(raw.to_owned()),
        },
    );
    assert_eq!(times, [1_700_000_000; 3]);
    assert_eq!(raw_bad, ["garbage"]);
    assert_eq!(
        (r.stats.lines, r.stats.malformed, r.end),
        (4, 1, End::Complete)
    );
}
