//! The store's own count of the requests it served, by S3 API and status class: the
//! server-side ground truth against which SpaceWatch's S3 call metrics are checked.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::telemetry::s3::{CallClass, S3Api, api};

/// Requests served, by (API, status class).
#[derive(Debug, Clone, Default)]
pub struct Served(Arc<Mutex<BTreeMap<(&'static str, &'static str), u64>>>);

impl Served {
    pub(crate) fn count(&self, api: S3Api, status: u16) {
        *self
            .0
            .lock()
            .entry((api.as_str(), CallClass::of(Some(status)).as_str()))
            .or_default() += 1;
    }

    /// A copy of the counts.
    pub fn snapshot(&self) -> BTreeMap<(&'static str, &'static str), u64> {
        self.0.lock().clone()
    }

    /// Requests of one API, any status.
    pub fn of(&self, api: S3Api) -> u64 {
        self.0
            .lock()
            .iter()
            .filter(|((a, _), _)| *a == api.as_str())
            .map(|(_, n)| n)
            .sum()
    }
}

/// The S3 API of a path-style request, named as the gateway names it.
pub(crate) fn classify<B>(req: &http::Request<B>) -> S3Api {
    let mut parts = req.uri().path().trim_start_matches('/').splitn(2, '/');
    let bucket = parts.next().is_some_and(|b| !b.is_empty());
    let key = parts.next().is_some_and(|k| !k.is_empty());
    let h = req.headers();
    api::classify(&api::Request {
        method: req.method(),
        bucket,
        key,
        query: req.uri().query().unwrap_or(""),
        copy_source: h.contains_key("x-amz-copy-source"),
        form: h
            .get(http::header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"multipart/form-data")),
    })
}

#[cfg(test)]
mod tests;
