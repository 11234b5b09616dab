//! SpaceWatch: an observability service for S3-compatible object storage.
//!
//! The data path: request → the stages of [`server::stages`] (run by [`api::app`]) →
//! an [`api`] handler → [`tenant`] (whose credentials) → [`storage`] (SDK tools, the
//! streaming gateway) → one [`telemetry::Operation`] → the [`telemetry::Recorder`]'s
//! fan-out (Prometheus, OpenTelemetry, windows, recent log, log lines). Several replicas
//! add up in a Prometheus-HTTP-API engine, read back by [`fleet`].
//!
//! Layers, top to bottom; a module may import only from its own layer's module and the
//! layers below (`tests/layers.rs` holds the code to it, and `docs/architecture.md`
//! explains it):
//!
//! layers: main run | api | server | agent accesslog mission fleet demo web | tenant | storage | telemetry | config | percent body
#![forbid(unsafe_code)]
// The gateway's dispatch (api::gateway) nests its stages as plain futures instead of
// boxing each one as axum layers do; computing that future's layout needs more depth.
#![recursion_limit = "256"]

pub mod accesslog;
pub mod agent;
pub mod api;
pub mod body;
pub mod config;
pub mod demo;
pub mod fleet;
pub mod mission;
pub mod percent;
pub mod run;
pub mod server;
pub mod storage;
pub mod telemetry;
pub mod tenant;
pub mod web;
