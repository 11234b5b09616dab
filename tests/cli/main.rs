//! Tests of the `spacewatch` binary itself: `serve --demo` end to end with a graceful
//! stop, configuration precedence, `setup`, and the documentation's curl examples run verbatim.

mod config;
mod dashboard;
mod otel;
#[path = "../common/otlp.rs"]
mod otlp;
mod process;
mod readme;
mod serve;
mod setup;
mod soak;
mod streaming;
