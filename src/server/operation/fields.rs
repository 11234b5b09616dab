//! What the handler tells the operation layer about the operation.
//!
//! A request becomes an operation only once it is *admitted*: the storage accepted its
//! credentials, or could not be asked (an outage is an outcome worth counting). A request
//! refused before that — no or malformed credentials, credentials the storage rejected —
//! is counted as refused and nothing else, so an anonymous client moves no figure. The
//! tenant is attributed only once verified, and the bucket only once access passed.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::storage::BucketName;
use crate::telemetry::Fingerprint;
use crate::telemetry::prom::Refusal;

/// Bucket, tenant and admission of the operation, filled in as the request is authorised.
#[derive(Debug, Clone, Default)]
pub struct OpFields(Arc<Mutex<Attribution>>);

#[derive(Debug, Default)]
struct Attribution {
    admitted: bool,
    refusal: Refusal,
    bucket: Option<Arc<str>>,
    /// The bucket a verified tenant named, whether or not access passed.
    named: Option<Arc<str>>,
    tenant: Option<Fingerprint>,
}

/// How the request ended up, for the operation layer.
#[derive(Debug)]
pub(crate) enum Admission {
    Admitted {
        bucket: Option<Arc<str>>,
        named: Option<Arc<str>>,
        tenant: Option<Fingerprint>,
    },
    Refused(Refusal),
}

impl OpFields {
    /// The request is an operation; `tenant` when its credentials were verified.
    pub fn admit(&self, tenant: Option<Fingerprint>) {
        let mut f = self.0.lock();
        f.admitted = true;
        f.tenant = tenant;
    }

    /// Why the request, if it ends unadmitted, was refused.
    pub fn refuse(&self, why: Refusal) {
        self.0.lock().refusal = why;
    }

    /// The bucket a verified tenant named (its text, bounded), kept in the operation's
    /// record even when access fails — never a label.
    pub fn name_bucket(&self, raw: &str) {
        let text = crate::telemetry::operation::bounded_text(raw, 64);
        self.0.lock().named = Some(Arc::from(text));
    }

    /// The bucket, once the tenant's access to it passed.
    pub fn set_bucket(&self, bucket: &BucketName) {
        self.0.lock().bucket = Some(bucket.as_arc());
    }

    pub(crate) fn is_admitted(&self) -> bool {
        self.0.lock().admitted
    }

    pub(crate) fn take(&self) -> Admission {
        let f = std::mem::take(&mut *self.0.lock());
        if f.admitted {
            Admission::Admitted {
                bucket: f.bucket,
                named: f.named,
                tenant: f.tenant,
            }
        } else {
            Admission::Refused(f.refusal)
        }
    }
}
