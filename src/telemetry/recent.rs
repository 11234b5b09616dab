//! The recent-operation log: the last N operations, newest first, with filters.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::Mutex;

use super::operation::{Operation, OperationType};

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

/// A bounded ring of the most recent operations.
#[derive(Debug)]
pub struct RecentLog {
    capacity: usize,
    ring: Mutex<VecDeque<Arc<Operation>>>,
}

impl RecentLog {
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            capacity,
            ring: Mutex::new(VecDeque::with_capacity(capacity)),
        }
    }

    pub fn push(&self, op: Arc<Operation>) {
        let mut ring = self.ring.lock();
        if ring.len() == self.capacity {
            ring.pop_front();
        }
        ring.push_back(op);
    }

    /// Up to `limit` matching operations, newest first.
    pub fn query(&self, filter: &LogFilter, limit: usize) -> Vec<Arc<Operation>> {
        let ring = self.ring.lock();
        ring.iter()
            .rev()
            .filter(|op| filter.matches(op))
            .take(limit)
            .cloned()
            .collect()
    }

    pub fn len(&self) -> usize {
        self.ring.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}
