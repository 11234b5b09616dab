//! HTTP handlers, grouped by endpoint family, and the application they make ([`app`]).
//! Each handler is thin: parse the input, call the layer below, render the answer.

mod accesslog;
mod admin;
mod app;
mod chat;
mod fleet;
pub mod gateway;
mod health;
mod mcp;
mod mission;
mod pages;
mod snapshots;
mod tenant_bucket;
mod tools;

pub use app::{App, S3App, app, s3_app};
