//! The pure parsing layer of S3 server access logs: no I/O, no async, no HTTP types, its
//! own error types. What reads log objects from a bucket, aggregates and caches them is the
//! rest of [`crate::accesslog`], built on top of it.
//!
//! - [`line`](mod@line): one line → [`LogLine`], every one of the 27 fields, borrowing from the line.
//! - [`fields`]: the field value types and decoders ([`Quoted`], keys, operations, status
//!   classes).
//! - [`time`]: the `[06/Feb/2019:00:00:38 +0000]` timestamp ↔ unix seconds.
//! - [`lines`]: the lines of one object's bytes, plain or gzip (streamed), under a byte cap.
//!
//! The module uses only `super::` paths and the crates `memchr`, `flate2` and `thiserror`,
//! so the fuzz crate (`fuzz/`) compiles this folder on its own, without the rest of SpaceWatch.

pub mod fields;
pub mod line;
pub mod lines;
pub mod time;

pub use fields::{
    OperationParts, Quoted, StatusClass, decode_key, key_encoding_passes, operation_parts,
    percent_decode,
};
pub use line::{KNOWN_FIELDS, LogLine, MIN_FIELDS, Malformed, parse_line};
pub use lines::{
    Compression, End, GZIP_BUFFER, MAX_LINE, ObjectReport, ObjectStats, STOP_EVERY, for_each_line,
    for_each_line_until, parse_object, parse_object_until,
};
pub use time::{format_time, parse_time};

#[cfg(test)]
mod tests;
