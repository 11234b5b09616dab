//! The demo store's contents: a few buckets, objects and S3-format access logs.
//!
//! Seeded through the S3 API with the SDK, like any client would, so what the demo shows
//! is what a real store would return.

use std::time::Duration;

use aws_sdk_s3::primitives::ByteStream;

use crate::config::Secret;
use crate::storage::Account;
use crate::storage::client::{build_client, shared_http_client};
use crate::telemetry::UnixTime;

/// Buckets of the demo store.
pub const DEMO_BUCKETS: [&str; 3] = ["demo-assets", "demo-logs", "demo-metrics"];
/// Bucket holding the snapshots.
pub const DEMO_METRICS_BUCKET: &str = "demo-metrics";
/// Bucket holding the access logs of `demo-assets`.
pub const DEMO_LOG_BUCKET: &str = "demo-logs";
/// Prefix of the access-log objects.
pub const DEMO_LOG_PREFIX: &str = "access-logs/";

/// The objects of `demo-assets`: key and size in bytes. The access logs name these keys
/// (and a few more), with these sizes.
pub(super) const OBJECTS: [(&str, u64); 8] = [
    ("images/logo.png", 18_432),
    ("images/banner.jpg", 245_760),
    ("reports/2024/q1.csv", 4_096),
    ("reports/2024/q2.csv", 5_120),
    ("reports/2024/summary.pdf", 1_048_576),
    ("backups/db-2024-01-15.sql.gz", 2_621_440),
    ("website/index.html", 2_048),
    ("website/app.js", 65_536),
];

/// A store request of the seed that failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("create bucket {bucket}: {source}")]
    CreateBucket {
        bucket: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("put {bucket}/{key}: {source}")]
    Put {
        bucket: String,
        key: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("seed snapshot {key}: {source}")]
    Snapshot {
        key: String,
        source: crate::accesslog::LogError,
    },
    #[error("seed snapshot: {0}")]
    SnapshotLine(#[from] serde_json::Error),
    #[error("seed snapshot: {0}")]
    SnapshotKey(#[from] crate::storage::KeyError),
}

/// Creates the buckets, objects and access logs. `now` dates the log lines.
pub async fn seed(endpoint: &str, key: &str, secret: &str, now: UnixTime) -> Result<(), SeedError> {
    let secret = Secret::new(secret);
    let account = Account {
        key,
        secret: &secret,
        region: "us-east-1",
        endpoint,
    };
    let client = build_client(account, shared_http_client(), Duration::from_secs(30), None);
    for b in DEMO_BUCKETS {
        client
            .create_bucket()
            .bucket(b)
            .send()
            .await
            .map_err(|e| SeedError::CreateBucket {
                bucket: b,
                source: e.into(),
            })?;
    }
    for (i, (k, size)) in OBJECTS.iter().enumerate() {
        let body: Vec<u8> = (0..*size as usize)
            .map(|j| ((i * 31 + j * 7) % 251) as u8)
            .collect();
        put(&client, "demo-assets", k, body).await?;
    }
    let now_secs = (now.as_micros() / 1_000_000) as i64;
    let logs = super::access_logs::generate(now_secs, LOG_HOURS);
    for o in &logs {
        put(&client, DEMO_LOG_BUCKET, &o.key, o.body.clone()).await?;
    }
    seed_snapshots(&client, endpoint, &logs, now_secs).await?;
    Ok(())
}

async fn put(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    body: Vec<u8>,
) -> Result<(), SeedError> {
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(ByteStream::from(body))
        .send()
        .await
        .map(|_| ())
        .map_err(|e| SeedError::Put {
            bucket: bucket.to_string(),
            key: key.to_string(),
            source: e.into(),
        })
}

/// Hours of access logs the demo store holds (three days).
const LOG_HOURS: u32 = 72;

/// A snapshot of `demo-assets` at the end of each of the last [`LOG_HOURS`] hours, as the
/// scheduler would have taken them: the request metrics come from the logs delivered by
/// then, aggregated by the same code the endpoints use.
async fn seed_snapshots(
    client: &aws_sdk_s3::Client,
    endpoint: &str,
    logs: &[super::access_logs::LogObject],
    now: i64,
) -> Result<(), SeedError> {
    use crate::accesslog::keys::Window;
    use crate::accesslog::report::{CoverageJson, RequestMetrics};
    use crate::accesslog::scan::Coverage;
    use crate::accesslog::snapshot::{Stored, line, store};
    use crate::accesslog::totals::Totals;
    let summaries: Vec<_> = logs
        .iter()
        .filter_map(|o| {
            let s = crate::accesslog::summary::summarize(&o.key, &o.body, u64::MAX).ok()?;
            let delivered =
                crate::accesslog::keys::LogObject::new(o.key.clone(), 0, String::new(), None)
                    .delivered?;
            Some((delivered, std::sync::Arc::new(s)))
        })
        .collect();
    let stored = Stored {
        source: "demo-assets",
        prefix: "",
        objects: OBJECTS.len() as u64,
        bytes: OBJECTS.iter().map(|(_, n)| *n).sum(),
    };
    let metrics_bucket = crate::storage::BucketName::parse(DEMO_METRICS_BUCKET)
        .expect("DEMO_METRICS_BUCKET is a bucket name");
    let locks = store::KeyLocks::default();
    let current = now.div_euclid(3600) * 3600;
    for h in (1..=i64::from(LOG_HOURS)).rev() {
        let at = current - h * 3600 + 3540;
        let known: Vec<_> = summaries
            .iter()
            .filter(|(d, _)| *d <= at)
            .map(|(_, s)| s.clone())
            .collect();
        let window = Window::hours(24, at);
        let totals = Totals::of(&known, Some("demo-assets"), window);
        let cov = Coverage {
            objects_considered: known.len(),
            objects_read: known.len(),
            ..Coverage::default()
        };
        let requests = Some((RequestMetrics::of(&totals, 10), CoverageJson::from(&cov)));
        let text = serde_json::to_string(&line(&stored, window, 24, requests, at))?;
        let prefix = crate::storage::KeyPrefix::parse(crate::tenant::DEFAULT_METRICS_PREFIX)?;
        let key = store::object_key(&prefix, at)?;
        store::append(client, endpoint, &metrics_bucket, &key, &text, &locks)
            .await
            .map_err(|source| SeedError::Snapshot {
                key: key.to_string(),
                source,
            })?;
    }
    Ok(())
}
