//! Query strings: [`Params`] (pure, with its own [`ParamError`]) and the parsers built on
//! it, e.g. [`logs::LogQuery`] of `/logs/operations`; the extractor and the mapping to a
//! 400 live here, in the HTTP layer.

pub mod logs;
mod params;

use axum::extract::FromRequestParts;
use http::request::Parts;

pub use params::{ParamError, Params};

use super::error::ApiError;

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Ok(Params::parse(parts.uri.query().unwrap_or(""))?)
    }
}

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> Self {
        ApiError::bad_request(e.0)
    }
}
