//! Integration tests of the core service against a real S3 server (s3s-fs) over the
//! network. One test binary: the modules share the harness in `support`.

mod fault_proxy;
#[path = "../common/hostile_logs.rs"]
mod hostile_logs;
#[path = "../common/otlp.rs"]
mod otlp;
mod raw_http;
mod support;

mod access_limits;
mod access_logs;
mod admin_auth_and_headers;
mod agent;
mod bad_input;
mod bad_input_sweep;
mod clients;
mod connections;
mod conservation;
mod disconnects;
mod errors;
mod faults;
mod gateway;
mod gateway_buckets;
mod gateway_integrity;
mod gateway_sigv4;
mod hardening;
mod isolation;
mod mission;
mod moto;
mod otel;
mod pages;
mod read_paths;
mod s3_calls;
mod secrets;
mod seed_examples;
mod tools;
mod windows;
