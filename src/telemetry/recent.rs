//! The journal: the last N operations (the recent-operation log) — and the export queue.
//!
//! One ring serves both: `/logs/operations` reads its newest `capacity` entries, and the
//! export task reads, by cursor, the entries it has not exported yet. Nothing is lost: if
//! the exporter falls a whole ring behind, the entry about to be overwritten is handed
//! back to the recorder to export inline.

use super::operation::{Operation, OperationType};

/// Smallest ring, so a small recent-log capacity does not force inline exports.
const MIN_RING: usize = 4096;

/// Which operations a `/logs/operations` query wants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFilter {
    pub operation: Option<OperationType>,
    pub bucket: Option<String>,
    pub min_duration_ms: Option<f64>,
    /// `Some(true)`: errors only; `Some(false)`: successes only.
    pub errors: Option<bool>,
}

impl LogFilter {
    fn matches(&self, op: &Operation) -> bool {
        self.operation.is_none_or(|t| t == op.operation)
            && self
                .bucket
                .as_deref()
                .is_none_or(|b| op.bucket.as_deref() == Some(b))
            && self.min_duration_ms.is_none_or(|m| op.duration_ms() >= m)
            && self.errors.is_none_or(|e| e == op.is_error())
    }
}

/// The entry a push displaced, to drop outside the lock — or, when the exporter had not
/// reached it yet, to export first.
#[derive(Debug)]
pub struct Displaced {
    pub op: Option<Operation>,
    pub unexported: bool,
}

/// The ring of recent operations with an export cursor.
#[derive(Debug)]
pub struct Journal {
    capacity: usize,
    slots: Box<[Option<Operation>]>,
    /// Index the next push writes to.
    cursor: usize,
    /// Operations pushed so far, and exported so far (sequence numbers).
    pushed: u64,
    exported: u64,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            slots: (0..capacity.max(MIN_RING)).map(|_| None).collect(),
            cursor: 0,
            pushed: 0,
            exported: 0,
        }
    }

    #[inline]
    pub fn push(&mut self, op: Operation) -> Displaced {
        let unexported = self.pushed - self.exported == self.slots.len() as u64;
        if unexported {
            self.exported += 1;
        }
        let out = Displaced {
            op: self.slots[self.cursor].replace(op),
            unexported,
        };
        self.cursor += 1;
        if self.cursor == self.slots.len() {
            self.cursor = 0;
        }
        self.pushed += 1;
        out
    }

    /// Up to `max` operations not exported yet, oldest first; they count as exported.
    pub fn take_unexported(&mut self, max: usize) -> Vec<Operation> {
        let len = self.slots.len() as u64;
        let end = self.pushed.min(self.exported.saturating_add(max as u64));
        let out = (self.exported..end)
            .filter_map(|seq| self.slots[(seq % len) as usize].clone())
            .collect();
        self.exported = end;
        out
    }

    /// Up to `limit` matching operations among the newest `capacity`, newest first.
    pub fn query(&self, filter: &LogFilter, limit: usize) -> Vec<Operation> {
        let len = self.slots.len();
        (1..=self.len())
            .map(|back| &self.slots[(self.cursor + len - back) % len])
            .filter_map(Option::as_ref)
            .filter(|op| filter.matches(op))
            .take(limit)
            .cloned()
            .collect()
    }

    /// Entries visible to queries.
    pub fn len(&self) -> usize {
        (self.pushed as usize).min(self.capacity)
    }

    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Operations ever pushed.
    pub fn pushed(&self) -> u64 {
        self.pushed
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::telemetry::{HttpMethod, RequestId, TraceId, UnixTime};

    fn op(n: u64) -> Operation {
        Operation {
            started_at: UnixTime(n),
            operation: OperationType::ListBuckets,
            method: HttpMethod::Get,
            route: "/t",
            bucket: None,
            tenant: None,
            status: if n.is_multiple_of(2) { 200 } else { 500 },
            duration: Duration::from_millis(n),
            bytes_in: 0,
            bytes_out: 0,
            first_byte: None,
            error: None,
            s3_api: None,
            request_id: RequestId::new("r").unwrap(),
            trace_id: TraceId::default(),
        }
    }

    #[test]
    fn queries_see_the_newest_capacity_newest_first() {
        let mut j = Journal::new(10);
        (0..25).for_each(|n| drop(j.push(op(n))));
        let all = j.query(&LogFilter::default(), 100);
        let seen: Vec<u64> = all.iter().map(|o| o.started_at.0).collect();
        assert_eq!(seen, (15..25).rev().collect::<Vec<_>>());
        let errors = LogFilter {
            errors: Some(true),
            ..LogFilter::default()
        };
        assert!(j.query(&errors, 100).iter().all(|o| o.status == 500));
        assert_eq!(j.len(), 10);
    }

    #[test]
    fn nothing_is_lost_when_the_exporter_lags_a_whole_ring() {
        let mut j = Journal::new(1);
        let ring = MIN_RING as u64;
        let mut exported = Vec::new();
        for n in 0..ring + 100 {
            let d = j.push(op(n));
            if d.unexported {
                exported.push(d.op.unwrap().started_at.0);
            }
        }
        assert_eq!(
            exported,
            (0..100).collect::<Vec<_>>(),
            "the oldest were handed back"
        );
        let rest: Vec<u64> = j
            .take_unexported(usize::MAX)
            .iter()
            .map(|o| o.started_at.0)
            .collect();
        assert_eq!(rest, (100..ring + 100).collect::<Vec<_>>());
        assert!(j.take_unexported(10).is_empty());
    }
}
