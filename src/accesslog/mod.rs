//! Access-log analytics: the S3 server access logs that DigitalOcean Spaces (and AWS S3)
//! deliver to a tenant's log bucket — the whole traffic of a bucket, not only what passed
//! through SpaceWatch — parsed, aggregated and served.
//!
//! The path of a query:
//!
//! ```text
//! log bucket ──list──► [`keys`] (delivery time and source from the key name; pruning)
//!            ──get───► [`fetch`] (byte cap, concurrent, bounded)
//!                      [`parse`] (every field of every line)
//!                      [`summary`] (per object: per source bucket and UTC hour)
//!                      [`cache`] (by endpoint, bucket, key and ETag, under a memory cap)
//!                      [`scan`] ──► totals, top IPs, hot prefixes  (aggregate endpoints)
//!                               ──► [`search`], [`audit`]          (line endpoints)
//!                      [`metrics`] (each log object counted once into Prometheus)
//! ```
//!
//! [`answers`] builds the aggregate answers (request metrics, hot prefixes) once for the
//! HTTP endpoints and the agent's tools alike.
//! [`snapshot`] writes metric snapshots (storage summary + request metrics) back into the
//! tenant's metrics bucket and reads them back as series. [`plot`] draws the top-IPs PNG.
//! Everything here takes plain arguments and returns [`LogError`]; the HTTP layer maps it.

pub mod answers;
pub mod audit;
pub mod cache;
mod error;
pub mod fetch;
pub mod jobs;
pub mod keys;
pub mod metrics;
pub mod parse;
pub mod plot;
pub mod record;
pub mod report;
pub mod scan;
pub mod search;
pub mod snapshot;
pub mod summary;
pub mod totals;

pub use error::LogError;
