//! Telemetry: the [`Operation`] record and everything it feeds.
//!
//! ```text
//! Operation ──► Recorder::record ──┬─► Prometheus families (prom)
//!                                  ├─► rolling windows + sketches (window, sketch)
//!                                  ├─► recent-operation log (recent)
//!                                  └─► export queue ──► log lines (log), OTel metrics
//! ```

pub mod bucket;
pub mod clock;
pub mod export;
pub mod genai;
pub mod log;
pub mod operation;
pub mod otel;
pub mod prom;
pub mod recent;
pub mod recorder;
pub mod report;
pub mod s3;
pub mod sketch;
pub mod status;
pub mod window;

pub use clock::{Clock, ManualClock, SystemClock, UnixTime};
pub use operation::{Fingerprint, HttpMethod, Operation, OperationType, RequestId, TraceId};
pub use recorder::{Recorder, RecorderConfig};
pub use status::StatusClass;
