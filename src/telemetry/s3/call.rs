//! The record of one upstream S3 API call, and its closed vocabularies.

use std::sync::Arc;
use std::time::Duration;

pub use super::api::S3Api;
use crate::telemetry::clock::UnixTime;
use crate::telemetry::operation::TraceId;

/// How an S3 call ended: an HTTP status class, or no response at all (connection
/// refused, timeout) — the `status_class` label of the S3 families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CallClass {
    Success,
    Redirect,
    ClientError,
    ServerError,
    NoResponse,
}

impl CallClass {
    pub const ALL: [CallClass; 5] = [
        Self::Success,
        Self::Redirect,
        Self::ClientError,
        Self::ServerError,
        Self::NoResponse,
    ];
    pub const COUNT: usize = Self::ALL.len();

    pub fn of(status: Option<u16>) -> Self {
        match status {
            None => Self::NoResponse,
            Some(0..=299) => Self::Success,
            Some(300..=399) => Self::Redirect,
            Some(400..=499) => Self::ClientError,
            Some(_) => Self::ServerError,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "2xx",
            Self::Redirect => "3xx",
            Self::ClientError => "4xx",
            Self::ServerError => "5xx",
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
        self.class() == CallClass::Success
    }
}
