//! The demo store's contents: a few buckets, objects and S3-format access logs.
//!
//! Seeded through the S3 API with the SDK, like any client would, so what the demo shows
//! is what a real store would return.

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;

use crate::config::Secret;
use crate::storage::client::{build_client, shared_http_client};
use crate::telemetry::UnixTime;
use crate::tenant::Credentials;

/// Buckets of the demo store.
pub const DEMO_BUCKETS: [&str; 3] = ["demo-assets", "demo-logs", "demo-metrics"];
/// Bucket holding the access logs of `demo-assets`.
pub const DEMO_LOG_BUCKET: &str = "demo-logs";
/// Prefix of the access-log objects.
pub const DEMO_LOG_PREFIX: &str = "access-logs/";

const OBJECTS: [(&str, usize); 8] = [
    ("images/logo.png", 18_432),
    ("images/banner.jpg", 245_760),
    ("reports/2024/q1.csv", 4_096),
    ("reports/2024/q2.csv", 5_120),
    ("reports/2024/summary.pdf", 1_048_576),
    ("backups/db-2024-01-15.sql.gz", 2_621_440),
    ("website/index.html", 2_048),
    ("website/app.js", 65_536),
];

/// Creates the buckets, objects and access logs. `now` dates the log lines.
pub async fn seed(endpoint: &str, key: &str, secret: &str, now: UnixTime) -> Result<(), String> {
    let creds = Credentials {
        key: key.into(),
        secret: Secret::new(secret),
        region: "us-east-1".into(),
        endpoint: endpoint.into(),
        log_bucket: None,
        metrics_bucket: None,
        log_prefix: String::new(),
        metrics_prefix: String::new(),
    };
    let client = build_client(&creds, shared_http_client(), Duration::from_secs(30), None);
    for b in DEMO_BUCKETS {
        client
            .create_bucket()
            .bucket(b)
            .send()
            .await
            .map_err(|e| format!("create bucket {b}: {e}"))?;
    }
    for (i, (k, size)) in OBJECTS.iter().enumerate() {
        let body: Vec<u8> = (0..*size).map(|j| ((i * 31 + j * 7) % 251) as u8).collect();
        put(&client, "demo-assets", k, body).await?;
    }
    for hour in 0..6u64 {
        let at = UnixTime::from_secs(now.as_micros() / 1_000_000 - (6 - hour) * 3600);
        let key = format!(
            "{DEMO_LOG_PREFIX}{}-{:016X}.log",
            log_stamp(at),
            0x5EED_0000 + hour
        );
        put(
            &client,
            DEMO_LOG_BUCKET,
            &key,
            access_log(at, hour).into_bytes(),
        )
        .await?;
    }
    Ok(())
}

async fn put(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) -> Result<(), String> {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| format!("put {bucket}/{key}: {e}"))
}

fn log_stamp(t: UnixTime) -> String {
    chrono::DateTime::from_timestamp_micros(t.as_micros() as i64)
        .unwrap_or_default()
        .format("%Y-%m-%d-%H-%M-%S")
        .to_string()
}

/// Forty S3 server-access-log lines, deterministic, spread over one hour.
fn access_log(start: UnixTime, hour: u64) -> String {
    const IPS: [&str; 5] = [
        "203.0.113.10",
        "198.51.100.7",
        "192.0.2.44",
        "203.0.113.99",
        "198.51.100.23",
    ];
    let mut out = String::new();
    for i in 0..40u64 {
        let n = hour * 40 + i;
        let (key, size) = OBJECTS[(n % OBJECTS.len() as u64) as usize];
        let t =
            chrono::DateTime::from_timestamp_micros((start.as_micros() + i * 90_000_000) as i64)
                .unwrap_or_default()
                .format("%d/%b/%Y:%H:%M:%S +0000");
        let (method, op, status, err, sent) = match n % 10 {
            0 => ("PUT", "REST.PUT.OBJECT", 200, "-", 0),
            1 => ("GET", "REST.GET.OBJECT", 404, "NoSuchKey", 243),
            2 => ("DELETE", "REST.DELETE.OBJECT", 204, "-", 0),
            3 => ("HEAD", "REST.HEAD.OBJECT", 200, "-", 0),
            _ => ("GET", "REST.GET.OBJECT", 200, "-", size),
        };
        let ip = IPS[(n * 7 % 5) as usize];
        out.push_str(&format!(
            "5e3c5d9a7f0b demo-assets [{t}] {ip} 5e3c5d9a7f0b {n:016X} {op} {key} \"{method} /demo-assets/{key} HTTP/1.1\" {status} {err} {sent} {size} {} {} \"-\" \"aws-cli/2.15.0\" - demohostid{n} SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader sgp1.digitaloceanspaces.com TLSv1.2 - -\n",
            12 + n % 90,
            8 + n % 40,
        ));
    }
    out
}
