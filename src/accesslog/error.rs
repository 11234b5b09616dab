//! Why an access-log or snapshot request could not be answered.

use super::jobs::Busy;
use crate::storage::{KeyError, StorageError};

/// The failures of this module; the HTTP layer turns them into answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    /// A required setting is missing (no `X-Log-Bucket`, no `X-Metrics-Bucket`).
    #[error("{0}")]
    NotConfigured(&'static str),
    /// A parameter is out of range or malformed.
    #[error("{0}")]
    BadInput(String),
    /// One object is larger than `MAX_LOG_BYTES` (a single read).
    #[error("log object is larger than MAX_LOG_BYTES ({max} bytes)")]
    TooLarge { max: u64 },
    #[error("log object not found")]
    NotFound,
    /// A key or prefix the storage would normalise (a `..` segment, …).
    #[error("{0}")]
    Key(#[from] KeyError),
    /// No room for another heavy job (of this tenant, or on the server).
    #[error(transparent)]
    Busy(#[from] Busy),
    /// The storage failed.
    #[error("{0}")]
    Storage(StorageError),
}

impl From<StorageError> for LogError {
    fn from(e: StorageError) -> Self {
        if e.kind == crate::storage::StorageErrorKind::ObjectNotFound {
            return Self::NotFound;
        }
        Self::Storage(e)
    }
}
