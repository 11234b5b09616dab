//! SpaceWatch: an observability service for S3-compatible object storage.
//!
//! The data path, one module per stage:
//! request → [`server`] (router, request id, auth, rate limit) → [`tenant`] (credentials)
//! → [`api`] handlers → [`storage`] (SDK tools) → one [`telemetry::Operation`] →
//! [`telemetry::Recorder`] fan-out (Prometheus, windows, recent log, log lines).
//! Several replicas add up in a Prometheus-HTTP-API engine, read back by [`fleet`].
#![forbid(unsafe_code)]
// The gateway's dispatch (server::dispatch) nests its stages as plain futures instead of
// boxing each one as axum layers do; computing that future's layout needs more depth.
#![recursion_limit = "256"]

pub mod accesslog;
pub mod agent;
pub mod api;
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
