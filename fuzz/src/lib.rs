//! SpaceWatch's pure parsing modules, compiled on their own for the fuzz targets. Each file
//! is mounted at the top (a `#[path]` may not walk through folders that do not exist here),
//! and the crate's module paths are rebuilt with re-exports, so the files' `crate::…` and
//! `super::…` references resolve as they do in SpaceWatch.
#![forbid(unsafe_code)]

#[path = "../../src/accesslog/parse/mod.rs"]
pub mod accesslog;
#[path = "../../src/storage/gateway/chunked/decoder.rs"]
pub mod chunked;
#[path = "../../src/telemetry/clock.rs"]
pub mod clock;
#[path = "../../src/tenant/endpoint.rs"]
pub mod endpoint;
#[path = "../../src/server/query/logs.rs"]
pub mod logs;
#[path = "../../src/storage/names.rs"]
pub mod names;
#[path = "../../src/telemetry/operation.rs"]
pub mod operation;
#[path = "../../src/percent.rs"]
pub mod percent;
#[path = "../../src/server/query/params.rs"]
pub mod params;
#[path = "../../src/telemetry/recent.rs"]
pub mod recent;
#[path = "../../src/telemetry/status.rs"]
pub mod status;
#[path = "../../src/telemetry/s3/api.rs"]
pub mod s3api;

/// `telemetry::s3` as `operation.rs` (`super::s3`) sees it.
pub mod s3 {
    pub use crate::s3api::S3Api;
}

pub mod storage {
    pub use crate::names;
    pub mod gateway {
        pub use crate::chunked;
    }
}

pub mod tenant {
    pub use crate::endpoint;
}

pub mod telemetry {
    pub use crate::operation::OperationType;
    pub use crate::status::StatusClass;
    pub use crate::{clock, operation, recent};
}

pub mod server {
    pub mod query {
        pub use crate::{logs, params};
    }
}
