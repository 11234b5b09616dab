//! Reading the log objects a query needs: list the log bucket, keep the objects whose
//! names say they may hold the window and the source, then fetch and digest them
//! concurrently (`Reader::each`). Summaries come from the cache when they can; what is read is
//! counted once into the Prometheus families.
//!
//! Every read is one heavy job ([`super::jobs`]): refused at once when the tenant or the
//! server has no room, stopped when its owner — the request — goes away, and held to a byte
//! budget ([`Reader::job_bytes`]). At most [`Reader::max_objects`] objects are read from
//! the storage for one answer, newest first; the rest are counted in
//! [`Coverage::objects_deferred`] (a repeated query finds the first ones in the cache and
//! reads the next).
//!
//! Nothing is capped silently: objects over `MAX_LOG_BYTES`, damaged ones, ones whose
//! summary is over the budget and ones that vanished between the listing and the read are
//! listed in [`Coverage::skipped`]. A failure that comes from the object's bytes is
//! remembered by its ETag, so a retry does not pay again.

mod each;

use std::sync::Arc;

use aws_sdk_s3::Client;

use super::LogError;
use super::cache::{CacheKey, Cached, ObjectId, SummaryCache};
use super::fetch;
use super::jobs::{Job, Jobs};
use super::keys::{LogObject, Window};
use super::metrics::LogMetrics;
use super::record::LineRecord;
use super::summary::{ObjectSummary, Skipped, summarize_metered};
use crate::storage::{BucketName, KeyPrefix};
use crate::telemetry::Fingerprint;
use crate::tenant::{BucketAccess, Tenant};

pub use each::AsObject;

/// How much larger than `MAX_LOG_BYTES` the text of a gzip object may be.
pub const GZIP_RATIO_CAP: u64 = 16;

/// Where a tenant's logs are, and whose read it is.
#[derive(Debug, Clone, Copy)]
pub struct Logs<'a> {
    /// Whose read: its client, its share of the heavy jobs, the scope of what the cache
    /// gives it.
    pub tenant: &'a Tenant,
    pub bucket: &'a BucketName,
    pub prefix: &'a KeyPrefix,
    /// Which source buckets the tenant has shown it owns: only those get a bucket label of
    /// their own in the Prometheus families. `None` trusts every name (the operator's own
    /// scheduler).
    pub access: Option<&'a BucketAccess>,
}

impl<'a> Logs<'a> {
    pub fn client(&self) -> &'a Client {
        &self.tenant.client
    }

    /// The storage endpoint (part of each object's identity in the cache).
    pub fn endpoint(&self) -> &'a str {
        &self.tenant.creds.endpoint
    }

    pub fn fingerprint(&self) -> Fingerprint {
        self.tenant.fingerprint
    }

    /// Whether `bucket` may claim a label slot of its own.
    pub fn verified(&self, bucket: &str) -> bool {
        self.access.is_none_or(|a| a.owns(self.tenant, bucket))
    }
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
    /// Objects that fit but were not read: more than `ACCESS_LOG_MAX_OBJECTS` for one
    /// answer (the oldest are left).
    pub objects_deferred: usize,
    pub skipped: Vec<SkippedObject>,
    pub lines: u64,
    pub malformed_lines: u64,
}

/// The cache, the metrics and the limits every scan shares.
#[derive(Debug)]
pub struct Reader {
    pub cache: SummaryCache,
    pub metrics: LogMetrics,
    pub jobs: Jobs,
    /// `MAX_LOG_BYTES`: most bytes read from one object.
    pub max_bytes: u64,
    /// Objects fetched at once.
    pub concurrency: usize,
    /// `ACCESS_LOG_MAX_OBJECTS`: most objects read from the storage for one answer.
    pub max_objects: usize,
    /// `ACCESS_LOG_JOB_BYTES`: most bytes one job's reads and summaries may hold.
    pub job_bytes: usize,
}

/// What a line-level pass over one object found.
#[derive(Debug, Clone, Default)]
pub struct Matches {
    /// The lines kept (a bounded number of the matching ones).
    pub records: Vec<LineRecord>,
    /// Every matching line.
    pub count: u64,
    pub lines: u64,
    pub malformed: u64,
}

impl Matches {
    /// Approximate heap bytes, for the cache's budget.
    pub fn heap_bytes(&self) -> usize {
        64 + self
            .records
            .iter()
            .map(LineRecord::heap_bytes)
            .sum::<usize>()
    }
}

/// Why a summary was not made: only summaries are that large, a search may still read it.
const SUMMARY_TOO_LARGE: &str = "summary larger than ACCESS_LOG_JOB_BYTES allows";

/// Why an object's bytes could not be digested, as coverage says it.
fn skip_reason(s: Skipped) -> &'static str {
    match s {
        Skipped::TooLarge => "decoded text larger than MAX_LOG_BYTES x 16",
        Skipped::CorruptGzip => "damaged gzip",
        Skipped::SummaryTooLarge => SUMMARY_TOO_LARGE,
        Skipped::Stopped => each::STOPPED,
    }
}

impl Reader {
    /// A heavy job of `logs`' tenant (waiting a moment for a slot), or why there is no room.
    pub async fn start(&self, logs: &Logs<'_>) -> Result<Job, LogError> {
        Ok(self.jobs.start(logs.fingerprint(), self.job_bytes).await?)
    }

    /// The objects of `logs` that may hold `q`, newest delivery first.
    pub async fn objects(
        &self,
        logs: &Logs<'_>,
        q: &Query,
    ) -> Result<(Vec<LogObject>, usize), LogError> {
        let all = fetch::list(logs.client(), logs.bucket, logs.prefix).await?;
        let listed = all.len();
        let kept = all
            .into_iter()
            .filter(|o| o.may_be_of(q.source.as_deref()) && q.window.may_hold(o.delivered))
            .collect();
        Ok((kept, listed))
    }

    /// The objects that may hold `q` with what the cache holds for each under `key`, the
    /// ones to read (at most [`Self::max_objects`]) and the coverage so far.
    async fn plan(
        &self,
        logs: &Logs<'_>,
        q: &Query,
        key: impl Fn(&ObjectId) -> CacheKey,
    ) -> Result<(Vec<Cached>, Vec<(CacheKey, LogObject)>, Coverage), LogError> {
        let (objects, listed) = self.objects(logs, q).await?;
        let mut cov = Coverage {
            objects_listed: listed,
            objects_considered: objects.len(),
            ..Coverage::default()
        };
        let (mut hits, mut to_read) = (Vec::new(), Vec::new());
        for o in objects {
            let id = ObjectId::new(logs.endpoint(), logs.bucket.as_str(), &o.key, &o.etag);
            let k = key(&id);
            match self.cached(logs, &id, &k) {
                Some(Cached::Failed(reason)) => {
                    cov.skipped.push(SkippedObject { key: o.key, reason });
                }
                Some(hit) => {
                    cov.objects_cached += 1;
                    hits.push(hit);
                }
                None if to_read.len() < self.max_objects => to_read.push((k, o)),
                None => cov.objects_deferred += 1,
            }
        }
        Ok((hits, to_read, cov))
    }

    /// What the cache holds under `k` for object `id` — or, when that is nothing, the
    /// failure its summary met if the object's bytes were at fault for all questions.
    fn cached(&self, logs: &Logs<'_>, id: &ObjectId, k: &CacheKey) -> Option<Cached> {
        if let Some(hit) = self.cache.get(k) {
            return Some(hit);
        }
        let summary = CacheKey::summary(logs.fingerprint(), id);
        match self.cache.get(&summary).filter(|_| summary != *k)? {
            Cached::Failed(reason) if reason != SUMMARY_TOO_LARGE => Some(Cached::Failed(reason)),
            _ => None,
        }
    }

    /// Summaries of every object that may hold `q`.
    pub async fn summaries(
        &self,
        logs: &Logs<'_>,
        q: &Query,
    ) -> Result<(Vec<Arc<ObjectSummary>>, Coverage), LogError> {
        let job = self.start(logs).await?;
        let tenant = logs.fingerprint();
        let (hits, to_read, mut cov) = self
            .plan(logs, q, |id| CacheKey::summary(tenant, id))
            .await?;
        let mut out: Vec<Arc<ObjectSummary>> = hits
            .into_iter()
            .filter_map(|c| match c {
                Cached::Summary(s) => Some(s),
                _ => None,
            })
            .collect();
        let max = self.max_bytes.saturating_mul(GZIP_RATIO_CAP);
        let id =
            |o: &LogObject| ObjectId::new(logs.endpoint(), logs.bucket.as_str(), &o.key, &o.etag);
        let to_read = to_read.into_iter().map(|(k, o)| (k, id(&o), o)).collect();
        self.each(
            logs,
            &job,
            to_read,
            move |(_, _, o): &(CacheKey, ObjectId, LogObject), bytes, work| {
                let s = summarize_metered(&o.key, &bytes, max, work).map_err(skip_reason)?;
                Ok(Arc::new(s))
            },
            |(key, id, o), r| match r {
                Ok(s) => {
                    cov.objects_read += 1;
                    self.cache.insert(key, Cached::Summary(s.clone()));
                    self.metrics.count_once(id, &s, |b| logs.verified(b));
                    out.push(s);
                }
                Err(reason) => self.skipped(&mut cov, logs, key, o, reason),
            },
        )
        .await?;
        for s in &out {
            cov.lines += s.lines;
            cov.malformed_lines += s.malformed;
        }
        Ok((out, cov))
    }

    /// Notes a skipped object in `cov`, and remembers why when the bytes were at fault:
    /// under `key`, and — unless only a summary is that large — as the object's failure
    /// for every question.
    fn skipped(
        &self,
        cov: &mut Coverage,
        logs: &Logs<'_>,
        key: CacheKey,
        o: LogObject,
        reason: &'static str,
    ) {
        if each::remembered(reason) {
            self.cache.insert(key, Cached::Failed(reason));
            let id = ObjectId::new(logs.endpoint(), logs.bucket.as_str(), &o.key, &o.etag);
            let all = CacheKey::summary(logs.fingerprint(), &id);
            if all != key && reason != SUMMARY_TOO_LARGE {
                self.cache.insert(all, Cached::Failed(reason));
            }
        }
        cov.skipped.push(SkippedObject { key: o.key, reason });
    }

    /// Runs `work` over the bytes of every object that may hold `q` and hands each
    /// object's matches to `keep` as they come. The matches are cached under the object
    /// and `question` (which must describe everything `work` depends on).
    pub async fn scan_lines<F>(
        &self,
        logs: &Logs<'_>,
        q: &Query,
        question: &[u8],
        work: F,
        mut keep: impl FnMut(&Matches),
    ) -> Result<Coverage, LogError>
    where
        F: Fn(&LogObject, &[u8], u64, &dyn Fn() -> bool) -> Result<Matches, Skipped>
            + Clone
            + Send
            + Sync
            + 'static,
    {
        let job = self.start(logs).await?;
        let tenant = logs.fingerprint();
        let (hits, to_read, mut cov) = self
            .plan(logs, q, |id| CacheKey::question(tenant, id, question))
            .await?;
        for hit in hits {
            if let Cached::Matches(m) = hit {
                cov.lines += m.lines;
                cov.malformed_lines += m.malformed;
                keep(&m);
            }
        }
        let max = self.max_bytes.saturating_mul(GZIP_RATIO_CAP);
        self.each(
            logs,
            &job,
            to_read,
            move |(_, o): &(CacheKey, LogObject), bytes, w| {
                work(o, &bytes, max, &|| w.stopped()).map_err(skip_reason)
            },
            |(key, o), r| match r {
                Ok(m) => {
                    cov.objects_read += 1;
                    cov.lines += m.lines;
                    cov.malformed_lines += m.malformed;
                    keep(&m);
                    self.cache.insert(key, Cached::Matches(Arc::new(m)));
                }
                Err(reason) => self.skipped(&mut cov, logs, key, o, reason),
            },
        )
        .await?;
        Ok(cov)
    }
}
