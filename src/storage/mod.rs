//! The storage layer: SDK clients per tenant credential, the tools built on them, and
//! the mapping of upstream failures to HTTP answers.

mod account;
pub mod calls;
pub mod client;
pub mod error;
pub mod gateway;
pub mod listing;
pub mod names;
pub mod sigv4;

pub use account::Account;
pub use error::{StorageError, StorageErrorKind};
pub use names::{BucketName, KeyError, KeyPrefix, ObjectKey};
