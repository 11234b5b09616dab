//! Upstream S3 API calls — from the SDK tools and from the gateway alike — recorded
//! CloudWatch-style: requests by API and status class, first-byte and total latency,
//! bytes down and up. Each [`S3Call`] feeds the Prometheus [`S3Counters`], the
//! [`S3Window`] behind `s3_requests`, and the per-bucket state.

pub mod api;
mod call;
mod counters;
mod per_api;
mod window;

pub use api::{Family, S3Api};
pub use call::{CallClass, S3Call};
pub use counters::S3Counters;
pub use per_api::PerApi;
pub use window::{Quantiles, S3Cell, S3Snapshot, S3Stats, S3Window};
