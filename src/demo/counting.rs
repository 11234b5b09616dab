//! The store's own count of the requests it served, by S3 API and status class: the
//! server-side ground truth against which SpaceWatch's S3 call metrics are checked.

use std::collections::BTreeMap;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::telemetry::s3::{CallClass, S3Api};

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

/// The S3 API of a path-style request.
pub(crate) fn classify(method: &http::Method, path: &str, query: Option<&str>) -> S3Api {
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let bucket = parts.next().filter(|b| !b.is_empty());
    let key = parts.next().filter(|k| !k.is_empty());
    let list_v2 = query.is_some_and(|q| q.split('&').any(|p| p == "list-type=2"));
    match (method.as_str(), bucket, key) {
        ("GET", None, _) => S3Api::ListBuckets,
        ("GET", Some(_), None) if list_v2 => S3Api::ListObjectsV2,
        ("HEAD", Some(_), None) => S3Api::HeadBucket,
        ("PUT", Some(_), None) => S3Api::CreateBucket,
        ("GET", Some(_), Some(_)) => S3Api::GetObject,
        ("PUT", Some(_), Some(_)) => S3Api::PutObject,
        ("HEAD", Some(_), Some(_)) => S3Api::HeadObject,
        ("DELETE", Some(_), Some(_)) => S3Api::DeleteObject,
        _ => S3Api::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::Method;

    #[test]
    fn requests_are_classified_like_the_sdk_names_them() {
        assert_eq!(classify(&Method::GET, "/", None), S3Api::ListBuckets);
        assert_eq!(
            classify(&Method::GET, "/b", Some("list-type=2&prefix=a")),
            S3Api::ListObjectsV2
        );
        assert_eq!(classify(&Method::HEAD, "/b", None), S3Api::HeadBucket);
        assert_eq!(classify(&Method::GET, "/b/k/x", None), S3Api::GetObject);
        assert_eq!(classify(&Method::DELETE, "/b/k", None), S3Api::DeleteObject);
        assert_eq!(
            classify(&Method::POST, "/b/k", Some("uploads")),
            S3Api::Other
        );
    }
}
