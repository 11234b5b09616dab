//! Reading the log objects a query needs: list the log bucket, keep the objects whose
//! names say they may hold the window and the source, then fetch and digest them
//! concurrently (at most [`Reader::concurrency`] at a time, parsing on blocking threads so
//! the runtime keeps serving). Summaries come from the cache when they can; what is read
//! is counted once into the Prometheus families.
//!
//! Nothing is capped silently: objects over `MAX_LOG_BYTES`, damaged ones and ones that
//! vanished between the listing and the read are listed in [`Coverage::skipped`].

use std::sync::Arc;

use aws_sdk_s3::Client;
use bytes::Bytes;
use futures_util::stream::{self, StreamExt};

use super::LogError;
use super::cache::{ObjectId, SummaryCache};
use super::fetch;
use super::keys::{LogObject, Window};
use super::metrics::LogMetrics;
use super::summary::{ObjectSummary, Skipped, summarize};
use crate::storage::BucketName;

/// How much larger than `MAX_LOG_BYTES` the text of a gzip object may be.
pub const GZIP_RATIO_CAP: u64 = 16;

/// Where a tenant's logs are.
#[derive(Debug, Clone, Copy)]
pub struct Logs<'a> {
    pub client: &'a Client,
    /// The storage endpoint (part of each object's identity in the cache).
    pub endpoint: &'a str,
    pub bucket: &'a BucketName,
    pub prefix: &'a str,
}

/// What a query covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Only lines of this source bucket (all when `None`).
    pub source: Option<String>,
    pub window: Window,
}

/// An object left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedObject {
    pub key: String,
    pub reason: &'static str,
}

/// How much of the logs an answer rests on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Objects under the log prefix.
    pub objects_listed: usize,
    /// Objects whose names fit the query (the rest were pruned unread).
    pub objects_considered: usize,
    /// Objects read from the storage for this answer.
    pub objects_read: usize,
    /// Objects answered from the cache.
    pub objects_cached: usize,
    pub skipped: Vec<SkippedObject>,
    pub lines: u64,
    pub malformed_lines: u64,
}

/// The cache, the metrics and the limits every scan shares.
#[derive(Debug)]
pub struct Reader {
    pub cache: SummaryCache,
    pub metrics: LogMetrics,
    /// `MAX_LOG_BYTES`: most bytes read from one object.
    pub max_bytes: u64,
    /// Objects fetched at once.
    pub concurrency: usize,
}

/// A read that failed for one object only.
enum ObjectFailure {
    Skip(&'static str),
    Fatal(LogError),
}

impl Reader {
    /// The objects of `logs` that may hold `q`, newest delivery first.
    pub async fn objects(
        &self,
        logs: &Logs<'_>,
        q: &Query,
    ) -> Result<(Vec<LogObject>, usize), LogError> {
        let all = fetch::list(logs.client, logs.bucket, logs.prefix).await?;
        let listed = all.len();
        let kept = all
            .into_iter()
            .filter(|o| o.may_be_of(q.source.as_deref()) && q.window.may_hold(o.delivered))
            .collect();
        Ok((kept, listed))
    }

    /// Summaries of every object that may hold `q`.
    pub async fn summaries(
        &self,
        logs: &Logs<'_>,
        q: &Query,
    ) -> Result<(Vec<Arc<ObjectSummary>>, Coverage), LogError> {
        let (objects, listed) = self.objects(logs, q).await?;
        let mut cov = Coverage {
            objects_listed: listed,
            objects_considered: objects.len(),
            ..Coverage::default()
        };
        let mut out = Vec::with_capacity(objects.len());
        let mut to_read = Vec::new();
        for o in objects {
            let id = ObjectId::new(logs.endpoint, logs.bucket.as_str(), &o.key, &o.etag);
            match self.cache.get(&id) {
                Some(s) => {
                    cov.objects_cached += 1;
                    out.push(s);
                }
                None => to_read.push((id, o)),
            }
        }
        let max = self.max_bytes.saturating_mul(GZIP_RATIO_CAP);
        let read = self
            .each(logs, to_read, move |(id, o), bytes| {
                let summary = summarize(&o.key, &bytes, max).map_err(|s| match s {
                    Skipped::TooLarge => "decoded text larger than MAX_LOG_BYTES x 16",
                    Skipped::CorruptGzip => "damaged gzip",
                })?;
                Ok((*id, Arc::new(summary)))
            })
            .await?;
        for ((_, o), r) in read {
            match r {
                Ok((id, s)) => {
                    cov.objects_read += 1;
                    self.cache.insert(id, s.clone());
                    self.metrics.count_once(id, &s);
                    out.push(s);
                }
                Err(reason) => cov.skipped.push(SkippedObject { key: o.key, reason }),
            }
        }
        for s in &out {
            cov.lines += s.lines;
            cov.malformed_lines += s.malformed;
        }
        Ok((out, cov))
    }

    /// Fetches every item's object (concurrently, bounded) and runs `work` on its bytes on
    /// a blocking thread. Per-object failures come back as skip reasons; a failing storage
    /// fails the whole read.
    pub async fn each<I, T, F>(
        &self,
        logs: &Logs<'_>,
        items: Vec<I>,
        work: F,
    ) -> Result<Vec<(I, Result<T, &'static str>)>, LogError>
    where
        I: AsObject + Send + 'static,
        T: Send + 'static,
        F: Fn(&I, Bytes) -> Result<T, &'static str> + Clone + Send + Sync + 'static,
    {
        let results: Vec<(I, Result<T, ObjectFailure>)> = stream::iter(items)
            .map(|item| {
                let work = work.clone();
                async move {
                    let r = self.one(logs, &item, work).await;
                    (item, r)
                }
            })
            .buffer_unordered(self.concurrency.max(1))
            .collect()
            .await;
        let mut out = Vec::with_capacity(results.len());
        for (item, r) in results {
            match r {
                Ok(t) => out.push((item, Ok(t))),
                Err(ObjectFailure::Skip(why)) => out.push((item, Err(why))),
                Err(ObjectFailure::Fatal(e)) => return Err(e),
            }
        }
        Ok(out)
    }

    async fn one<I, T, F>(&self, logs: &Logs<'_>, item: &I, work: F) -> Result<T, ObjectFailure>
    where
        I: AsObject + Send + 'static,
        T: Send + 'static,
        F: Fn(&I, Bytes) -> Result<T, &'static str> + Send + 'static,
    {
        let o = item.object();
        if o.size > self.max_bytes {
            return Err(ObjectFailure::Skip("larger than MAX_LOG_BYTES"));
        }
        let bytes = match fetch::get(logs.client, logs.bucket, &o.key, self.max_bytes).await {
            Ok(b) => b,
            Err(LogError::TooLarge { .. }) => {
                return Err(ObjectFailure::Skip("larger than MAX_LOG_BYTES"));
            }
            Err(LogError::NotFound) => {
                return Err(ObjectFailure::Skip("deleted since it was listed"));
            }
            Err(e) => return Err(ObjectFailure::Fatal(e)),
        };
        let item = item.clone_for_work();
        let done = tokio::task::spawn_blocking(move || work(&item, bytes)).await;
        match done {
            Ok(r) => r.map_err(ObjectFailure::Skip),
            Err(_) => Err(ObjectFailure::Skip("could not be processed")),
        }
    }
}

/// An item of work that names a log object.
pub trait AsObject {
    fn object(&self) -> &LogObject;
    fn clone_for_work(&self) -> Self;
}

impl AsObject for LogObject {
    fn object(&self) -> &LogObject {
        self
    }
    fn clone_for_work(&self) -> Self {
        self.clone()
    }
}

impl AsObject for (ObjectId, LogObject) {
    fn object(&self) -> &LogObject {
        &self.1
    }
    fn clone_for_work(&self) -> Self {
        self.clone()
    }
}
