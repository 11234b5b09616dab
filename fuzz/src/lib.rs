//! The access-log parsing layer of SpaceWatch, compiled on its own for the fuzz targets.
#![forbid(unsafe_code)]

#[path = "../../src/accesslog/mod.rs"]
pub mod accesslog;
