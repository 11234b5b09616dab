//! Fetching the objects of one job — concurrently, at most [`Reader::concurrency`] at a
//! time — and running work on each one's bytes on a blocking thread, so the runtime keeps
//! serving. Results are handed on as they come, so the job never holds more than the
//! objects in flight.

use bytes::Bytes;
use futures_util::stream::{self, StreamExt};

use super::{Logs, Reader};
use crate::accesslog::LogError;
use crate::accesslog::cache::{CacheKey, ObjectId};
use crate::accesslog::fetch;
use crate::accesslog::jobs::{Job, JobHandle};
use crate::accesslog::keys::LogObject;
use crate::storage::ObjectKey;

/// Why an object was not read: its work stopped because the request ended.
pub(crate) const STOPPED: &str = "stopped: the request ended";
/// … its listed size is over `MAX_LOG_BYTES`.
pub(crate) const RAW_TOO_LARGE: &str = "larger than MAX_LOG_BYTES";
/// … its bytes would not fit in what the job may hold.
pub(crate) const OVER_BUDGET: &str = "over ACCESS_LOG_JOB_BYTES with the objects before it";
/// … its key has a segment the storage would normalise.
pub(crate) const ODD_KEY: &str = "its key has a '.', '..' or empty path segment";
const VANISHED: &str = "deleted since it was listed";
const FAILED: &str = "could not be processed";

/// Whether a skip reason comes from the object's bytes — remembered by ETag, so a retry
/// skips the object without reading it again.
pub(crate) fn remembered(reason: &str) -> bool {
    ![STOPPED, OVER_BUDGET, VANISHED, FAILED].contains(&reason)
}

/// An item of work that names a log object.
pub trait AsObject: Clone + Send + 'static {
    fn object(&self) -> &LogObject;
}

impl AsObject for LogObject {
    fn object(&self) -> &LogObject {
        self
    }
}

impl AsObject for (CacheKey, LogObject) {
    fn object(&self) -> &LogObject {
        &self.1
    }
}

impl AsObject for (CacheKey, ObjectId, LogObject) {
    fn object(&self) -> &LogObject {
        &self.2
    }
}

/// A read that failed for one object only, or for all.
enum ObjectFailure {
    Skip(&'static str),
    Fatal(LogError),
}

impl Reader {
    /// Fetches every item's object for `job` and runs `work` on its bytes; `done` gets
    /// each result (or why the object was skipped) as it comes. A failing storage fails
    /// the whole read.
    pub(crate) async fn each<I, T, W>(
        &self,
        logs: &Logs<'_>,
        job: &Job,
        items: Vec<I>,
        work: W,
        mut done: impl FnMut(I, Result<T, &'static str>),
    ) -> Result<(), LogError>
    where
        I: AsObject,
        T: Send + 'static,
        W: Fn(&I, Bytes, &JobHandle) -> Result<T, &'static str> + Clone + Send + Sync + 'static,
    {
        let mut results = stream::iter(items)
            .map(|item| {
                let work = work.clone();
                async move {
                    let r = self.one(logs, job.handle(), &item, work).await;
                    (item, r)
                }
            })
            .buffer_unordered(self.concurrency.max(1));
        while let Some((item, r)) = results.next().await {
            match r {
                Ok(t) => done(item, Ok(t)),
                Err(ObjectFailure::Skip(why)) => done(item, Err(why)),
                Err(ObjectFailure::Fatal(e)) => return Err(e),
            }
        }
        Ok(())
    }

    async fn one<I, T, W>(
        &self,
        logs: &Logs<'_>,
        handle: JobHandle,
        item: &I,
        work: W,
    ) -> Result<T, ObjectFailure>
    where
        I: AsObject,
        T: Send + 'static,
        W: Fn(&I, Bytes, &JobHandle) -> Result<T, &'static str> + Send + 'static,
    {
        let o = item.object();
        let Ok(key) = ObjectKey::parse(&o.key) else {
            return Err(ObjectFailure::Skip(ODD_KEY));
        };
        if o.size > self.max_bytes {
            return Err(ObjectFailure::Skip(RAW_TOO_LARGE));
        }
        // The listed size; the read is capped at MAX_LOG_BYTES whatever it finds.
        let held = o.size.max(1) as usize;
        if !handle.charge(held) {
            return Err(ObjectFailure::Skip(OVER_BUDGET));
        }
        let got = fetch::get(logs.client(), logs.bucket, &key, self.max_bytes).await;
        let bytes = match got {
            Ok(b) => b,
            Err(e) => {
                handle.uncharge(held);
                return Err(match e {
                    LogError::TooLarge { .. } => ObjectFailure::Skip(RAW_TOO_LARGE),
                    LogError::NotFound => ObjectFailure::Skip(VANISHED),
                    e => ObjectFailure::Fatal(e),
                });
            }
        };
        let item = item.clone();
        let w = handle.clone();
        let done = tokio::task::spawn_blocking(move || work(&item, bytes, &w)).await;
        handle.uncharge(held);
        match done {
            Ok(r) => r.map_err(ObjectFailure::Skip),
            Err(_) => Err(ObjectFailure::Skip(FAILED)),
        }
    }
}
