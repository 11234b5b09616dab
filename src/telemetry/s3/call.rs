//! The record of one upstream S3 API call, and its closed vocabularies.

use std::sync::Arc;
use std::time::Duration;

pub use super::api::S3Api;
use crate::telemetry::StatusClass;
use crate::telemetry::clock::UnixTime;
use crate::telemetry::operation::TraceId;

/// How an S3 call ended: the [`StatusClass`] of its answer, or no response at all
/// (connection refused, timeout) — the `status_class` label of the S3 families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallClass {
    Status(StatusClass),
    NoResponse,
}

impl CallClass {
    pub const ALL: [CallClass; 5] = [
        Self::Status(StatusClass::Success),
        Self::Status(StatusClass::Redirection),
        Self::Status(StatusClass::ClientError),
        Self::Status(StatusClass::ServerError),
        Self::NoResponse,
    ];
    pub const COUNT: usize = Self::ALL.len();

    pub fn of(status: Option<u16>) -> Self {
        status.map_or(Self::NoResponse, |s| {
            Self::Status(StatusClass::of_answer(s))
        })
    }

    /// Position in [`ALL`](Self::ALL).
    pub fn index(self) -> usize {
        match self {
            Self::Status(class) => class.answered_index(),
            Self::NoResponse => StatusClass::ANSWERED.len(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status(class) => class.as_str(),
            Self::NoResponse => "no_response",
        }
    }
}

/// One upstream S3 call, CloudWatch-style.
#[derive(Debug, Clone)]
pub struct S3Call {
    pub api: S3Api,
    pub bucket: Option<Arc<str>>,
    /// HTTP status, `None` when no response came back.
    pub status: Option<u16>,
    /// Request sent to response headers received (CloudWatch FirstByteLatency).
    pub first_byte: Option<Duration>,
    /// Request start to the last response byte (CloudWatch TotalRequestLatency).
    pub total: Duration,
    pub bytes_up: u64,
    pub bytes_down: u64,
    /// When the call ended.
    pub ended_at: UnixTime,
    /// The trace of the operation that made the call, when known.
    pub trace_id: Option<TraceId>,
}

impl S3Call {
    pub fn class(&self) -> CallClass {
        CallClass::of(self.status)
    }

    pub fn is_success(&self) -> bool {
        self.class() == CallClass::Status(StatusClass::Success)
    }
}
