//! Hand-made lines for each rule of the parser: time, numbers, quotes, keys, helpers.

use crate::accesslog::parse::{
    Malformed, StatusClass, decode_key, format_time, operation_parts, parse_line, parse_time,
    percent_decode,
};
use std::borrow::Cow;

/// A 27-field line with the given time, key, request-URI and numbers; the rest fixed.
fn line(time: &str, op: &str, key: &str, uri: &str, nums: &str) -> String {
    format!(
        "owner bkt [{time}] 10.0.0.1 req RID {op} {key} {uri} {nums} \"-\" \"ua\" - hid SigV4 \
         C AuthHeader h TLSv1.2 - - us-east-1"
    )
}

fn simple(time: &str) -> String {
    line(
        time,
        "REST.GET.OBJECT",
        "k",
        "\"GET /bkt/k HTTP/1.1\"",
        "200 - 5 5 1 1",
    )
}

#[test]
fn time_offsets_are_applied() {
    let utc = parse_line(&simple("01/Jan/2024:00:00:00 +0000"))
        .unwrap()
        .time;
    assert_eq!(utc, 1_704_067_200); // 2024-01-01T00:00:00Z
    let east = parse_line(&simple("01/Jan/2024:05:30:00 +0530"))
        .unwrap()
        .time;
    assert_eq!(east, utc);
    let west = parse_line(&simple("31/Dec/2023:16:00:00 -0800"))
        .unwrap()
        .time;
    assert_eq!(west, utc);
}

#[test]
fn impossible_times_are_malformed() {
    for bad in [
        "29/Feb/2023:00:00:00 +0000", // not a leap year
        "31/Apr/2024:00:00:00 +0000",
        "00/Jan/2024:00:00:00 +0000",
        "01/Jan/2024:24:00:00 +0000",
        "01/Jan/2024:00:60:00 +0000",
        "01/Jan/2024:00:00:60 +0000",
        "01/Jan/2024:00:00:00 +2400",
        "01/Jan/2024:00:00:00 *0000",
        "01/jan/2024:00:00:00 +0000",
        "1/Jan/2024:00:00:00 +0000 ",
        "01/Jan/2024:00:00:00+0000 ",
        "01/Jan/2O24:00:00:00 +0000",
    ] {
        assert_eq!(parse_line(&simple(bad)), Err(Malformed::Time), "{bad}");
    }
    assert!(
        parse_time(b"29/Feb/2024:23:59:59 +0000").is_some(),
        "leap day"
    );
    assert!(
        parse_time(b"29/Feb/2000:00:00:00 +0000").is_some(),
        "400-year leap"
    );
    assert!(
        parse_time(b"29/Feb/1900:00:00:00 +0000").is_none(),
        "100-year rule"
    );
    let dash = simple("x").replace("[x]", "-");
    assert_eq!(parse_line(&dash), Err(Malformed::Time));
}

#[test]
fn format_time_inverts_parse_time() {
    for t in [0, 951_782_400, 1_704_067_199, 4_102_444_800, -86_400] {
        let text = format_time(t);
        assert_eq!(parse_time(text.as_bytes()), Some(t), "{text}");
    }
    assert_eq!(format_time(1_549_411_238), "06/Feb/2019:00:00:38 +0000");
}

type Numbers = (Option<u16>, u64, Option<u64>, Option<u64>, Option<u64>);

/// Fields 10–15 of a line with these numbers: status, bytes sent, size, total, turn-around.
fn numbers(nums: &str) -> Result<Numbers, Malformed> {
    let text = line(
        "01/Jan/2024:00:00:00 +0000",
        "OP",
        "-",
        "\"GET / HTTP/1.1\"",
        nums,
    );
    let l = parse_line(&text)?;
    Ok((
        l.status,
        l.bytes_sent,
        l.object_size,
        l.total_time_ms,
        l.turn_around_ms,
    ))
}

#[test]
fn numbers_overflow_and_garbage_are_malformed() {
    let max = u64::MAX;
    let got = numbers(&format!("204 - - {max} 0 -")).unwrap();
    assert_eq!(
        got,
        (Some(204), 0, Some(max), Some(0), None),
        "bytes sent - is 0"
    );
    assert_eq!(numbers("- - - - - -").unwrap(), (None, 0, None, None, None));
    let over = "18446744073709551616"; // u64::MAX + 1
    let err = |field| Err(Malformed::Number { field });
    assert_eq!(numbers(&format!("200 - {over} 1 1 1")), err(12));
    assert_eq!(numbers("65536 - 1 1 1 1"), err(10));
    assert_eq!(numbers("200 - 1 1x 1 1"), err(13));
    assert_eq!(numbers("200 - 1 1 +1 1"), err(14));
    assert_eq!(numbers("200 - 1 1 1 "), err(15));
}

#[test]
fn quoted_fields_dash_bare_and_escapes() {
    let t = "01/Jan/2024:00:00:00 +0000";
    let text = line(t, "OP", "-", "-", "200 - 1 1 1 1");
    let l = parse_line(&text).unwrap();
    assert_eq!(l.request_uri, None, "bare - is absent");
    let text = line(t, "OP", "-", "\"-\"", "200 - 1 1 1 1");
    let l = parse_line(&text).unwrap();
    assert_eq!(l.request_uri, None, "\"-\" is absent");
    assert_eq!(l.request_method(), None);

    let uri = r#""GET /b/say \"hi\" \\o/ HTTP/1.1""#;
    let text = line(t, "OP", "-", uri, "200 - 1 1 1 1");
    let l = parse_line(&text).unwrap();
    let q = l.request_uri.unwrap();
    assert_eq!(q.raw(), r#"GET /b/say \"hi\" \\o/ HTTP/1.1"#);
    assert_eq!(q.unescaped(), r#"GET /b/say "hi" \o/ HTTP/1.1"#);
    assert!(matches!(
        l.user_agent.unwrap().unescaped(),
        Cow::Borrowed("ua")
    ));
    // A lone backslash before the closing quote, as AWS writes it unescaped.
    let text = line(t, "OP", "-", r#""GET /x\" 200"#, "- 1 1 1 1");
    let l = parse_line(&text).unwrap();
    assert_eq!(l.request_uri.unwrap().raw(), r"GET /x\");
    assert_eq!(l.status, Some(200));
    // No closing quote that fits.
    let open = line(t, "OP", "-", "\"GET /x", "200 - 1 1 1 1").replace("\"-\" \"ua\"", "- ua");
    assert_eq!(parse_line(&open), Err(Malformed::Quote { field: 9 }));
}

#[test]
fn keys_are_decoded_as_s3_encoded_them() {
    let t = "01/Jan/2024:00:00:00 +0000";
    let uri = "\"GET / HTTP/1.1\"";
    let key_of = |op: &str, key: &str| {
        let l = line(t, op, key, uri, "200 - 1 1 1 1");
        parse_line(&l).unwrap().key_decoded().unwrap().into_owned()
    };
    // Requests: encoded twice. "a b+c\"ü" → a%20b%2Bc%22%C3%BC → a%2520b%252Bc%2522%25C3%25BC
    let twice = "photos/a%2520b%252Bc%2522%25C3%25BC.jpg";
    assert_eq!(key_of("REST.GET.OBJECT", twice), "photos/a b+c\"ü.jpg");
    assert_eq!(key_of("WEBSITE.GET.OBJECT", twice), "photos/a b+c\"ü.jpg");
    // Operations S3 ran itself: encoded once, so a literal %41 in the key survives.
    assert_eq!(key_of("S3.EXPIRE.OBJECT", "x%2541%20y"), "x%41 y");
    assert_eq!(key_of("BATCH.DELETE.OBJECT", "x%2541%20y"), "x%41 y");
    // `+` is never a space.
    assert_eq!(key_of("REST.PUT.OBJECT", "a+b"), "a+b");
    // Broken escapes: the last good pass is kept, never a panic.
    assert_eq!(key_of("REST.GET.OBJECT", "100%"), "100%");
    assert_eq!(key_of("REST.GET.OBJECT", "50%25off"), "50%off");
    assert_eq!(key_of("REST.GET.OBJECT", "bad%FF%FE"), "bad%FF%FE");
    assert_eq!(key_of("REST.GET.OBJECT", "bad%25FF"), "bad%FF");
    let l = line(t, "REST.GET.BUCKET", "-", uri, "200 - 1 1 1 1");
    assert_eq!(parse_line(&l).unwrap().key_decoded(), None);

    assert_eq!(percent_decode("%zz"), None);
    assert_eq!(percent_decode("%4"), None);
    assert!(matches!(
        percent_decode("plain"),
        Some(Cow::Borrowed("plain"))
    ));
    assert!(matches!(decode_key("plain", 2), Cow::Borrowed("plain")));
}

#[test]
fn operation_parts_and_status_classes() {
    let p = operation_parts("REST.COPY.OBJECT_GET").unwrap();
    assert_eq!((p.kind, p.verb, p.resource), ("REST", "COPY", "OBJECT_GET"));
    let p = operation_parts("BATCH.DELETE.OBJECT").unwrap();
    assert_eq!((p.kind, p.verb, p.resource), ("BATCH", "DELETE", "OBJECT"));
    assert_eq!(operation_parts("SOAP.CreateBucket"), None);
    assert_eq!(operation_parts("REST..OBJECT"), None);
    assert_eq!(operation_parts("-"), None);
    let classes: Vec<&str> = [
        Some(101),
        Some(204),
        Some(304),
        Some(404),
        Some(503),
        Some(99),
        None,
    ]
    .into_iter()
    .map(|s| StatusClass::of(s).as_str())
    .collect();
    assert_eq!(
        classes,
        ["1xx", "2xx", "3xx", "4xx", "5xx", "other", "other"]
    );
}

#[test]
fn short_and_odd_lines_are_malformed_not_panics() {
    for bad in [
        "",
        " ",
        "-",
        "a b",
        "a b [",
        "a b [x",
        "\"",
        "a b [06/Feb/2019:00:00:38 +0000]",
    ] {
        assert!(parse_line(bad).is_err(), "{bad:?}");
    }
    let full = simple("06/Feb/2019:00:00:38 +0000");
    assert!(
        parse_line(&format!("{full}\r")).is_ok(),
        "trailing \\r ignored"
    );
    for cut in 0..full.len() {
        let _ = parse_line(&full[..cut]);
    }
}
