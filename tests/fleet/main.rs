//! The fleet view end to end: real `spacewatch serve` replicas in front of one real S3
//! store, scraped by a real Prometheus or VictoriaMetrics (the Debian binaries), and
//! OTLP from several replicas, and the bundle's nginx in front of them. The tests that need an engine are `#[ignore]`d in plain
//! `cargo test` and fail, never skip, without it; `.ci/run` installs both.

mod checks;
mod config;
mod engines;
mod nginx;
mod otel;
#[path = "../common/otlp.rs"]
mod otlp;
mod readme;
mod support;
mod traffic;
