use super::*;

/// A 27-field line with the fields that matter here.
fn line(t: &str, ip: &str, op: &str, key: &str, status: u16, sent: &str, total: &str) -> String {
    let method = op.split('.').nth(1).unwrap_or("GET");
    format!(
        "owner src-bucket [{t}] {ip} req REQID {op} {key} \"{method} /src-bucket/{key} HTTP/1.1\" {status} - {sent} 10 {total} 3 \"-\" \"ua/1.0 (x)\" - hid SigV4 ECDHE AuthHeader host TLSv1.2 - - -\n"
    )
}

#[test]
fn prefixes_are_folders() {
    assert_eq!(prefix_at("a/b/c.txt", 1), "a/");
    assert_eq!(prefix_at("a/b/c.txt", 2), "a/b/");
    assert_eq!(prefix_at("a/b/c.txt", 3), "a/b/");
    assert_eq!(prefix_at("top.txt", 1), "");
    assert_eq!(method_index(Some("DELETE")), 4);
    assert_eq!(method_index(Some("PATCH")), METHODS.len() - 1);
    assert_eq!(method_index(None), METHODS.len() - 1);
}

#[test]
fn an_object_is_counted_by_bucket_and_hour() {
    let mut text = String::new();
    text += &line(
        "05/Mar/2024:10:00:01 +0000",
        "203.0.113.1",
        "REST.GET.OBJECT",
        "a/b/x.txt",
        200,
        "100",
        "7",
    );
    text += &line(
        "05/Mar/2024:10:59:59 +0000",
        "203.0.113.1",
        "REST.GET.OBJECT",
        "a/y.txt",
        404,
        "-",
        "5",
    );
    text += &line(
        "05/Mar/2024:11:00:00 +0000",
        "2001:db8::1",
        "REST.PUT.OBJECT",
        "top.txt",
        503,
        "-",
        "-",
    );
    text += "garbage line\n";
    let s = summarize("x.log", text.as_bytes(), 1 << 20).unwrap();
    assert_eq!((s.lines, s.malformed), (4, 1));
    assert_eq!(s.hours.len(), 2);
    let h10 = s.hours.iter().find(|h| h.hour == 1_709_632_800).unwrap();
    assert_eq!(&*h10.bucket, "src-bucket");
    assert_eq!(h10.requests, 2);
    assert_eq!(h10.bytes_sent, 100);
    assert_eq!(h10.by_class[StatusClass::Success as usize], 1);
    assert_eq!(h10.by_class[StatusClass::ClientError as usize], 1);
    assert_eq!(h10.by_method[0], 2, "GET");
    let ip = Client::of(Some("203.0.113.1"));
    assert_eq!(
        h10.clients[&ip],
        ClientStats {
            requests: 2,
            bytes: 100,
            errors: 1
        }
    );
    assert_eq!(ip.to_text(), "203.0.113.1");
    assert_eq!(h10.prefixes[0]["a/"].requests, 2);
    assert_eq!(h10.prefixes[1]["a/b/"].requests, 1);
    assert_eq!(h10.prefixes[1]["a/"].errors_4xx, 1);
    assert_eq!(h10.total_ms, vec![(5, 1), (7, 1)]);
    let h11 = s.hours.iter().find(|h| h.hour == 1_709_636_400).unwrap();
    assert_eq!(h11.prefixes[0][""].slowdowns, 1);
    assert_eq!(h11.total_ms, vec![], "absent total time is not a value");
    assert_eq!(
        h11.by_operation,
        vec![("REST.PUT.OBJECT".into(), [0, 0, 0, 0, 1, 0])]
    );
    assert_eq!(Client::of(Some("2001:db8::1")).to_text(), "2001:db8::1");
}

#[test]
fn a_bomb_or_a_broken_gzip_skips_the_object() {
    let text = line(
        "05/Mar/2024:10:00:01 +0000",
        "1.2.3.4",
        "REST.GET.OBJECT",
        "k",
        200,
        "1",
        "1",
    )
    .repeat(100);
    assert_eq!(
        summarize("x.log", text.as_bytes(), 100).unwrap_err(),
        Skipped::TooLarge
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
    let mut data = gz.finish().unwrap();
    let whole = summarize("x.log.gz", &data, 1 << 20).unwrap();
    assert_eq!(whole.hours[0].requests, 100);
    data.truncate(data.len() / 2);
    assert_eq!(
        summarize("x.log.gz", &data, 1 << 20).unwrap_err(),
        Skipped::CorruptGzip
    );
}
