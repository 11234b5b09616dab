//! Lines as AWS publishes them in its format page (27-, 26- and 18-field eras), and the
//! unescaped-quote lines seen in the wild.

use crate::accesslog::parse::{Malformed, StatusClass, parse_line};

const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

/// The first record of AWS's current example log (27 fields).
const AWS_27: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1";

/// The second record: no access point, no aclRequired.
const AWS_27_DASHES: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 891CE47D2EXAMPLE REST.GET.LOGGING_STATUS - \"GET /amzn-s3-demo-bucket1?logging HTTP/1.1\" 200 - 242 - 11 - \"-\" \"S3Console/0.4\" - 9vKBE6vMhrNiWHZmb2L0mXOcqPGzQOI5XLnCtZNPxev+Hf+7tpT6sxDwDty4LHBUOZJG96N1234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 - - us-east-1";

/// The same record as an older version of the page printed it (26 fields, before the
/// source region).
const AWS_26: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be DOC-EXAMPLE-BUCKET1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /DOC-EXAMPLE-BUCKET1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader DOC-EXAMPLE-BUCKET1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes";

/// The 18-field era (2014 example).
const AWS_18: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be mybucket [06/Feb/2014:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /mybucket?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" -";

/// 2019-02-06T00:00:38Z, computed independently of the parser: days from 1970-01-01 to
/// 2019-01-01 (49 years, 12 of them leap: 1972…2016) plus January's 31 and 5 more days.
fn feb_6_2019_00_00_38() -> i64 {
    let days = 49 * 365 + 12 + 31 + 5;
    days * 86_400 + 38
}

#[test]
fn aws_27_field_record_parses_every_field() {
    let l = parse_line(AWS_27).unwrap();
    assert_eq!(l.fields, 27);
    assert_eq!(l.bucket_owner, Some(OWNER));
    assert_eq!(l.bucket, Some("amzn-s3-demo-bucket1"));
    assert_eq!(l.time, feb_6_2019_00_00_38());
    assert_eq!(l.remote_ip, Some("192.0.2.3"));
    assert_eq!(l.requester, Some(OWNER));
    assert_eq!(l.request_id, Some("3E57427F3EXAMPLE"));
    assert_eq!(l.operation, Some("REST.GET.VERSIONING"));
    assert_eq!(l.key, None);
    assert_eq!(
        l.request_uri.unwrap().raw(),
        "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1"
    );
    assert_eq!(l.request_method(), Some("GET"));
    assert_eq!(l.status, Some(200));
    assert_eq!(l.status_class(), StatusClass::Success);
    assert_eq!(l.error_code, None);
    assert_eq!(l.bytes_sent, 113);
    assert_eq!(l.object_size, None);
    assert_eq!(l.total_time_ms, Some(7));
    assert_eq!(l.turn_around_ms, None);
    assert_eq!(l.referer, None, "\"-\" is absent");
    assert_eq!(l.user_agent.unwrap().raw(), "S3Console/0.4");
    assert_eq!(l.version_id, None);
    assert_eq!(
        l.host_id,
        Some("s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=")
    );
    assert_eq!(l.signature_version, Some("SigV4"));
    assert_eq!(l.cipher_suite, Some("ECDHE-RSA-AES128-GCM-SHA256"));
    assert_eq!(l.auth_type, Some("AuthHeader"));
    assert_eq!(
        l.host_header,
        Some("amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com")
    );
    assert_eq!(l.tls_version, Some("TLSV1.2"));
    assert_eq!(
        l.access_point_arn,
        Some("arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP")
    );
    assert_eq!(l.acl_required, Some("Yes"));
    assert_eq!(l.source_region, Some("us-east-1"));
    assert_eq!(l.extra, None);
    let op = l.operation_parts().unwrap();
    assert_eq!(
        (op.kind, op.verb, op.resource),
        ("REST", "GET", "VERSIONING")
    );
}

#[test]
fn aws_27_field_record_with_dash_fields() {
    let l = parse_line(AWS_27_DASHES).unwrap();
    assert_eq!(l.fields, 27);
    assert_eq!(l.request_id, Some("891CE47D2EXAMPLE"));
    assert_eq!(l.bytes_sent, 242);
    assert_eq!(l.total_time_ms, Some(11));
    assert_eq!(l.access_point_arn, None);
    assert_eq!(l.acl_required, None);
    assert_eq!(l.source_region, Some("us-east-1"));
}

#[test]
fn older_eras_parse_with_later_fields_absent() {
    let l = parse_line(AWS_26).unwrap();
    assert_eq!(l.fields, 26);
    assert_eq!(l.acl_required, Some("Yes"));
    assert_eq!(l.source_region, None);

    let l = parse_line(AWS_18).unwrap();
    assert_eq!(l.fields, 18);
    assert_eq!(l.bucket, Some("mybucket"));
    assert_eq!(l.time, feb_6_2019_00_00_38() - (365 * 5 + 1) * 86_400);
    assert_eq!(l.user_agent.unwrap().raw(), "S3Console/0.4");
    assert_eq!(l.version_id, None);
    assert_eq!(l.host_id, None);
    assert_eq!(l.source_region, None);

    // 17 fields (no version id) is the least that parses; 16 is malformed.
    let seventeen = AWS_18.strip_suffix(" -").unwrap();
    assert_eq!(parse_line(seventeen).unwrap().fields, 17);
    let sixteen = seventeen.strip_suffix(" \"S3Console/0.4\"").unwrap();
    assert_eq!(
        parse_line(sixteen),
        Err(Malformed::TooFewFields { found: 16 })
    );
}

#[test]
fn unknown_trailing_fields_are_kept_raw() {
    let line = format!("{AWS_27} new-field-28 \"quoted 29\"");
    let l = parse_line(&line).unwrap();
    assert_eq!(l.fields, 27);
    assert_eq!(l.source_region, Some("us-east-1"));
    assert_eq!(l.extra, Some("new-field-28 \"quoted 29\""));
}

/// Request-URI and user-agent with the unescaped quotes AWS writes (reported by users of
/// AWS's own log samples and the Athena RegexSerDe that breaks on them).
#[test]
fn unescaped_embedded_quotes_as_aws_writes_them() {
    let uri = AWS_27.replace(
        "\"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1\"",
        "\"GET /a\"b HTTP/1.1\"",
    );
    let l = parse_line(&uri).unwrap();
    assert_eq!(l.request_uri.unwrap().raw(), "GET /a\"b HTTP/1.1");
    assert_eq!(l.status, Some(200));

    let uri = AWS_27.replace(
        "\"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1\"",
        "\"GET /\" HTTP/1.1\"",
    );
    let l = parse_line(&uri).unwrap();
    assert_eq!(l.request_uri.unwrap().raw(), "GET /\" HTTP/1.1");

    let ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 12_1 like Mac OS X) Safari/604.1\"";
    let line = AWS_27.replace("\"S3Console/0.4\"", &format!("\"{ua}\""));
    let l = parse_line(&line).unwrap();
    assert_eq!(l.user_agent.unwrap().raw(), ua);
    assert_eq!(l.version_id, None);
    assert_eq!(l.source_region, Some("us-east-1"));

    let referer = "https://example.com/?q=\"x\" y";
    let line = AWS_27.replace(" \"-\" ", &format!(" \"{referer}\" "));
    let l = parse_line(&line).unwrap();
    assert_eq!(l.referer.unwrap().raw(), referer);
    assert_eq!(l.user_agent.unwrap().raw(), "S3Console/0.4");
}
