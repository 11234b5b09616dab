//! Heavy jobs — access-log parses, searches and audits, snapshot reads, charts — under two
//! limits: at most `global` at once on the server, at most `per_tenant` of one tenant. A job
//! that finds no room waits at most [`WAIT`] for one (a burst — a dashboard's few panels, a
//! model's parallel tool calls — passes), then is refused: a tenant over its share gets
//! [`Busy::Tenant`] (a 429), everyone when the server is full [`Busy::Server`] (a 503).
//! Nothing queues longer than that.
//!
//! A [`Job`] also carries the stop signal of its work: dropping it — the request's future
//! dropped because its client left — tells every parse of the job to stop (they ask
//! [`JobHandle::stopped`] every few hundred lines), and the job's slot is given back when
//! the last of them has stopped, not before. And it carries the job's byte budget: what its
//! reads and summaries hold is charged to it ([`JobHandle::charge`]), and a charge beyond
//! the budget is refused — so memory is bounded by `global` × the budget, whatever the
//! objects hold.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::Notify;

use crate::telemetry::Fingerprint;

/// Which limit refused a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Busy {
    #[error(
        "this tenant already runs its share of heavy requests (ACCESS_LOG_JOBS_PER_TENANT); retry when one has finished"
    )]
    Tenant,
    #[error(
        "the server runs as many heavy requests as it may (ACCESS_LOG_JOBS); retry in a moment"
    )]
    Server,
}

/// Longest a heavy request waits for a slot.
pub const WAIT: Duration = Duration::from_secs(1);

#[derive(Debug, Default)]
struct Counts {
    running: usize,
    by_tenant: HashMap<Fingerprint, usize>,
}

/// What runs now, and the signal that a slot was given back.
#[derive(Debug, Default)]
struct Shared {
    counts: Mutex<Counts>,
    freed: Notify,
}

/// The limits and what runs now.
#[derive(Debug)]
pub struct Jobs {
    global: usize,
    per_tenant: usize,
    wait: Duration,
    shared: Arc<Shared>,
}

impl Jobs {
    /// `global` jobs at once, `per_tenant` of one tenant (both at least 1); a job waits at
    /// most `wait` for a slot.
    pub fn new(global: usize, per_tenant: usize, wait: Duration) -> Self {
        Self {
            global: global.max(1),
            per_tenant: per_tenant.max(1),
            wait,
            shared: Arc::default(),
        }
    }

    /// A slot for a job of `tenant` that may hold `budget` bytes, waiting for one at most
    /// the wait given to [`Jobs::new`]; or which limit stayed full.
    pub async fn start(&self, tenant: Fingerprint, budget: usize) -> Result<Job, Busy> {
        let deadline = tokio::time::Instant::now() + self.wait;
        loop {
            // Listening before trying: a slot given back in between is not missed.
            let freed = self.shared.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            match self.try_start(tenant, budget) {
                Ok(job) => return Ok(job),
                Err(busy) => {
                    if tokio::time::timeout_at(deadline, freed).await.is_err() {
                        return Err(busy);
                    }
                }
            }
        }
    }

    /// A slot for a job of `tenant` now, or which limit is full.
    pub fn try_start(&self, tenant: Fingerprint, budget: usize) -> Result<Job, Busy> {
        let mut c = self.shared.counts.lock();
        let mine = c.by_tenant.get(&tenant).copied().unwrap_or(0);
        if mine >= self.per_tenant {
            return Err(Busy::Tenant);
        }
        if c.running >= self.global {
            return Err(Busy::Server);
        }
        c.running += 1;
        *c.by_tenant.entry(tenant).or_default() += 1;
        Ok(Job(JobHandle(Arc::new(Slot {
            shared: self.shared.clone(),
            tenant,
            stop: AtomicBool::new(false),
            budget,
            used: AtomicUsize::new(0),
        }))))
    }

    /// Jobs running now.
    pub fn running(&self) -> usize {
        self.shared.counts.lock().running
    }
}

/// A job's slot; given back when the last handle is dropped.
#[derive(Debug)]
struct Slot {
    shared: Arc<Shared>,
    tenant: Fingerprint,
    stop: AtomicBool,
    budget: usize,
    used: AtomicUsize,
}

impl Drop for Slot {
    fn drop(&mut self) {
        {
            let mut c = self.shared.counts.lock();
            c.running -= 1;
            if let Some(n) = c.by_tenant.get_mut(&self.tenant) {
                *n -= 1;
                if *n == 0 {
                    c.by_tenant.remove(&self.tenant);
                }
            }
        }
        self.shared.freed.notify_waiters();
    }
}

/// What the work of a job holds: the slot, and the stop signal to ask.
#[derive(Debug, Clone)]
pub struct JobHandle(Arc<Slot>);

impl JobHandle {
    /// True once the job's owner is gone (its client left).
    pub fn stopped(&self) -> bool {
        self.0.stop.load(Ordering::Relaxed)
    }

    /// Charges `bytes` to the job; false (and nothing charged) when they do not fit.
    pub fn charge(&self, bytes: usize) -> bool {
        let s = &self.0;
        s.used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(bytes).filter(|n| *n <= s.budget)
            })
            .is_ok()
    }

    /// Gives back `bytes` charged before (a buffer the job no longer holds).
    pub fn uncharge(&self, bytes: usize) {
        let _ = self
            .0
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                Some(used.saturating_sub(bytes))
            });
    }

    /// Bytes charged now.
    pub fn used(&self) -> usize {
        self.0.used.load(Ordering::Relaxed)
    }
}

impl crate::accesslog::summary::Meter for JobHandle {
    fn stopped(&self) -> bool {
        JobHandle::stopped(self)
    }
    fn charge(&self, bytes: usize) -> bool {
        JobHandle::charge(self, bytes)
    }
}

/// A running job, owned by the request: dropping it stops the job's work.
#[derive(Debug)]
pub struct Job(JobHandle);

impl Job {
    /// A handle for a piece of the job's work (a parse on a blocking thread).
    pub fn handle(&self) -> JobHandle {
        self.0.clone()
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        self.0.0.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests;
