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
                .is_none_or(|b| op.shown_bucket() == Some(b))
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
mod tests;
