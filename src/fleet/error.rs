//! What can go wrong between a replica and the engine.

use std::time::Duration;

/// Longest engine-supplied text kept in an error (an HTML error page of a proxy, say).
const MAX_TEXT: usize = 300;

/// A failed fleet query.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FleetError {
    /// Nothing answered: connection refused, DNS, TLS, a connection cut mid-answer.
    #[error("the metrics engine at {url} cannot be reached: {reason}")]
    Unreachable { url: String, reason: String },
    /// No complete answer within the query timeout (ours, or the engine's own).
    #[error("the metrics engine at {url} did not answer within {}s", .timeout.as_secs_f64())]
    Timeout { url: String, timeout: Duration },
    /// The engine answered with an error (`"status": "error"`, or a non-2xx status).
    #[error("the metrics engine at {url} answered {status} ({error_type}): {message}")]
    Engine {
        url: String,
        status: u16,
        error_type: String,
        message: String,
    },
    /// The answer is not the Prometheus HTTP API's shape.
    #[error(
        "the metrics engine at {url} answered something that is not the Prometheus HTTP API: {reason}"
    )]
    BadResponse { url: String, reason: String },
}

/// Why the fleet view cannot be set up (at start-up).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FleetConfigError {
    #[error("the engine credentials are not valid header text")]
    Credentials,
    #[error("cannot build the engine client: {0}")]
    Client(String),
}

/// A `/fleet/timeseries` parameter that cannot be used (a 400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    #[error("'window' must be a duration such as 15m, 60m, 6h or 7d")]
    Window,
    #[error("'resolution' must be a duration such as 10s, 1m or 1h")]
    Resolution,
    #[error("'window' is at most 30d")]
    WindowTooLong,
    #[error("'resolution' must not be longer than 'window'")]
    ResolutionOverWindow,
    #[error(
        "window / resolution is {0} points; at most {max} (use a coarser resolution)",
        max = super::MAX_POINTS
    )]
    TooManyPoints(u64),
}

impl FleetError {
    /// Whether the engine was too slow (a 504) rather than broken or away (a 502).
    pub fn is_timeout(&self) -> bool {
        match self {
            Self::Timeout { .. } => true,
            // Prometheus answers its own query timeout with 503 and errorType "timeout".
            Self::Engine { error_type, .. } => error_type == "timeout",
            _ => false,
        }
    }
}

/// `s` cut to [`MAX_TEXT`] characters.
pub(crate) fn capped(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(MAX_TEXT) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests;
