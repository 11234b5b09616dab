//! Periodic snapshots, for operators who want series without anyone pressing a button:
//! `serve --snapshot-interval-sec N` with credentials from the environment
//! (`SNAPSHOT_SPACES_KEY`/`SNAPSHOT_SPACES_SECRET`, log and metrics buckets). Each round
//! snapshots the configured buckets (or every bucket but the log and metrics buckets); a
//! failure is counted (`snapshots_err`) and logged, and the next round comes anyway.

use std::sync::Arc;
use std::time::Duration;

use super::{DEFAULT_WINDOW_HOURS, Target, store::KeyLocks, take};
use crate::accesslog::scan::{Logs, Reader};
use crate::storage::BucketName;
use crate::storage::listing::list_buckets;
use crate::telemetry::Clock;
use crate::telemetry::log::LogSink;
use crate::telemetry::prom::{AppCounters, AppEvent};
use crate::tenant::Tenant;

/// What the scheduler needs.
pub struct Schedule {
    pub interval: Duration,
    /// Buckets to snapshot; empty is every bucket but the log and metrics buckets.
    pub buckets: Vec<BucketName>,
    pub tenant: Tenant,
    pub metrics_bucket: BucketName,
}

/// The shared parts it reports to.
pub struct Deps {
    pub reader: Arc<Reader>,
    pub locks: Arc<KeyLocks>,
    pub counters: AppCounters,
    pub log: Arc<LogSink>,
    pub clock: Arc<dyn Clock>,
}

/// Runs rounds every `interval` until the task is dropped.
pub fn spawn(s: Schedule, d: Deps) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(s.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            round(&s, &d).await;
        }
    })
}

/// One round: every bucket, one snapshot each.
pub async fn round(s: &Schedule, d: &Deps) -> (usize, usize) {
    let buckets = match targets(s).await {
        Ok(b) => b,
        Err(e) => {
            d.counters.inc(AppEvent::SnapshotError);
            d.log
                .warn(&format!("snapshot scheduler: cannot list buckets: {e}"));
            return (0, 1);
        }
    };
    let creds = &s.tenant.creds;
    let logs = creds.log_bucket.as_ref().map(|b| Logs {
        tenant: &s.tenant,
        bucket: b,
        prefix: &creds.log_prefix,
        access: None,
    });
    let (mut ok, mut failed) = (0, 0);
    for b in &buckets {
        let t = Target {
            tenant: &s.tenant,
            source: b,
            source_prefix: None,
            metrics_bucket: &s.metrics_bucket,
            metrics_prefix: &creds.metrics_prefix,
            logs,
            window_hours: DEFAULT_WINDOW_HOURS,
        };
        let now = (d.clock.now().as_micros() / 1_000_000) as i64;
        match take(&d.reader, &d.locks, &t, now).await {
            Ok(_) => {
                ok += 1;
                d.counters.inc(AppEvent::SnapshotOk);
            }
            Err(e) => {
                failed += 1;
                d.counters.inc(AppEvent::SnapshotError);
                d.log.warn(&format!("snapshot of {b} failed: {e}"));
            }
        }
    }
    (ok, failed)
}

async fn targets(s: &Schedule) -> Result<Vec<BucketName>, crate::storage::StorageError> {
    if !s.buckets.is_empty() {
        return Ok(s.buckets.clone());
    }
    let skip = [&s.tenant.creds.log_bucket, &Some(s.metrics_bucket.clone())];
    Ok(list_buckets(&s.tenant.client)
        .await?
        .into_iter()
        .filter_map(|b| BucketName::parse(&b.name))
        .filter(|b| !skip.iter().any(|s| s.as_ref() == Some(b)))
        .collect())
}
