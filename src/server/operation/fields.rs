//! What the handler tells the operation layer about the operation.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::storage::BucketName;
use crate::telemetry::Fingerprint;

/// Bucket and tenant of the operation, filled in by the handler and the tenant extractor.
#[derive(Debug, Clone, Default)]
pub struct OpFields(Arc<Mutex<Filled>>);

type Filled = (Option<Arc<str>>, Option<Fingerprint>);

impl OpFields {
    pub fn set_bucket(&self, bucket: &BucketName) {
        self.0.lock().0 = Some(bucket.as_arc());
    }

    pub fn set_tenant(&self, fingerprint: Fingerprint) {
        self.0.lock().1 = Some(fingerprint);
    }

    pub(crate) fn take(&self) -> (Option<Arc<str>>, Option<Fingerprint>) {
        std::mem::take(&mut *self.0.lock())
    }
}
