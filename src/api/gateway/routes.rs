//! The gateway's routes, matched as axum's router matches them (a test holds the two
//! side by side): `/s3` and `/s3/` list buckets, `/s3/{bucket}` and `/s3/{bucket}/`
//! list objects, `/s3/{bucket}/{*key}` is an object. The bucket is one segment (empty
//! before a `/`, as axum's matcher allows: the handler then refuses the name), the key
//! all the rest; both still percent-encoded.

use http::Method;

use crate::server::operation::OpRoute;
use crate::telemetry::OperationType as Op;

/// The route templates as axum would report them (Mission Control's route label).
const BUCKETS_BARE: &str = "/s3";
const BUCKETS: &str = "/s3/";
const OBJECTS: &str = "/s3/{bucket}";
const OBJECTS_SLASH: &str = "/s3/{bucket}/";
const OBJECT: &str = "/s3/{bucket}/{*key}";

/// What a path names, its parameters still percent-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target<'a> {
    Buckets,
    Objects { bucket: &'a str },
    Object { bucket: &'a str, key: &'a str },
}

/// A matched path: its template and what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route<'a> {
    pub template: &'static str,
    pub target: Target<'a>,
}

/// Whether `path` is the gateway's to answer (matched or not).
pub fn is_gateway(path: &str) -> bool {
    path == BUCKETS_BARE || path.starts_with(BUCKETS)
}

/// The route of `path`, or `None` (a 404).
pub fn find(path: &str) -> Option<Route<'_>> {
    if path == BUCKETS_BARE {
        return Some(route(BUCKETS_BARE, Target::Buckets));
    }
    let rest = path.strip_prefix(BUCKETS)?;
    if rest.is_empty() {
        return Some(route(BUCKETS, Target::Buckets));
    }
    let (bucket, key) = match rest.split_once('/') {
        None => return Some(route(OBJECTS, Target::Objects { bucket: rest })),
        Some(parts) => parts,
    };
    Some(match key {
        "" => route(OBJECTS_SLASH, Target::Objects { bucket }),
        key => route(OBJECT, Target::Object { bucket, key }),
    })
}

fn route<'a>(template: &'static str, target: Target<'a>) -> Route<'a> {
    Route { template, target }
}

/// The operation `method` is on `target`, or `None` (a 405). `GET` routes answer
/// `HEAD` too, as axum's `get` does.
pub fn operation(target: &Target<'_>, method: &Method) -> Option<OpRoute> {
    let (operation, route) = match (target, method.as_str()) {
        (Target::Buckets, "GET" | "HEAD") => (Op::ListBuckets, BUCKETS),
        (Target::Objects { .. }, "GET" | "HEAD") => (Op::ListObjects, OBJECTS),
        (Target::Object { .. }, "GET") => (Op::GetObject, OBJECT),
        (Target::Object { .. }, "PUT") => (Op::PutObject, OBJECT),
        (Target::Object { .. }, "HEAD") => (Op::HeadObject, OBJECT),
        (Target::Object { .. }, "DELETE") => (Op::DeleteObject, OBJECT),
        _ => return None,
    };
    Some(OpRoute { operation, route })
}

/// The `Allow` header of a 405 on `target`.
pub fn allow(target: &Target<'_>) -> &'static str {
    match target {
        Target::Object { .. } => "GET,HEAD,PUT,DELETE",
        _ => "GET,HEAD",
    }
}
