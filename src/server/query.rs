//! Query-string parameters, parsed by hand so every bad value gets a 400 that names it.

use std::ops::RangeInclusive;

use axum::extract::FromRequestParts;
use http::request::Parts;

use super::error::ApiError;

/// The decoded query string (last value wins for repeated names).
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        Params::parse(parts.uri.query().unwrap_or(""))
    }
}

impl Params {
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(Params)
            .map_err(|_| ApiError::bad_request("malformed query string"))
    }

    /// Every pair, in order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The value of `name`, if present and non-empty.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// A required value.
    pub fn require(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::bad_request(format!("missing query parameter '{name}'")))
    }

    /// An integer in `range`, or `default` when absent.
    pub fn int(
        &self,
        name: &str,
        range: RangeInclusive<u64>,
        default: u64,
    ) -> Result<u64, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        match raw.parse::<u64>() {
            Ok(v) if range.contains(&v) => Ok(v),
            _ => Err(ApiError::bad_request(format!(
                "'{name}' must be an integer between {} and {}",
                range.start(),
                range.end()
            ))),
        }
    }

    /// A finite, non-negative number, if present.
    pub fn non_negative(&self, name: &str) -> Result<Option<f64>, ApiError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            _ => Err(ApiError::bad_request(format!(
                "'{name}' must be a non-negative number"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_name_the_parameter() {
        let p = Params::parse("limit=abc&min_duration_ms=-1&x=%20y").unwrap();
        assert!(
            p.int("limit", 1..=1000, 100)
                .unwrap_err()
                .detail
                .contains("'limit'")
        );
        let e = p.non_negative("min_duration_ms").unwrap_err();
        assert!(e.detail.contains("'min_duration_ms'"));
        assert_eq!(p.get("x"), Some(" y"));
        assert_eq!(p.int("absent", 1..=5, 3).unwrap(), 3);
        assert!(
            Params::parse("limit=1001")
                .unwrap()
                .int("limit", 1..=1000, 1)
                .is_err()
        );
    }
}
