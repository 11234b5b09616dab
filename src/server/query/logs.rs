//! The parameters of `GET /logs/operations`: `operation_type`, `bucket`,
//! `min_duration_ms`, `status=error|ok`, `limit` (1–1000, default 100). Pure: the fuzz crate
//! compiles this file with the modules it names.

use super::params::{ParamError, Params};
use crate::storage::names::BucketName;
use crate::telemetry::operation::OperationType;
use crate::telemetry::recent::LogFilter;

/// Largest `limit`.
pub const MAX_LIMIT: u64 = 1000;

/// A parsed `/logs/operations` query.
#[derive(Debug, Clone, PartialEq)]
pub struct LogQuery {
    pub filter: LogFilter,
    pub limit: usize,
}

impl LogQuery {
    pub fn parse(query: &str) -> Result<Self, ParamError> {
        Self::from_params(&Params::parse(query)?)
    }

    pub fn from_params(p: &Params) -> Result<Self, ParamError> {
        let operation = p
            .get("operation_type")
            .map(|t| {
                OperationType::parse(&t.to_ascii_uppercase()).ok_or_else(|| {
                    let known: Vec<&str> = OperationType::ALL.iter().map(|t| t.as_str()).collect();
                    ParamError(format!(
                        "unknown operation_type; expected one of {}",
                        known.join(", ")
                    ))
                })
            })
            .transpose()?;
        let bucket = p
            .get("bucket")
            .map(|b| {
                BucketName::parse(b)
                    .map(|b| b.to_string())
                    .ok_or_else(|| ParamError("'bucket' is not a valid bucket name".into()))
            })
            .transpose()?;
        let errors = match p.get("status") {
            None => None,
            Some("error") => Some(true),
            Some("ok") => Some(false),
            Some(_) => return Err(ParamError("'status' must be 'error' or 'ok'".into())),
        };
        let filter = LogFilter {
            operation,
            bucket,
            min_duration_ms: p.non_negative("min_duration_ms")?,
            errors,
        };
        let limit = p.int("limit", 1..=MAX_LIMIT, 100)? as usize;
        Ok(Self { filter, limit })
    }
}

#[cfg(test)]
mod tests;
