//! Query-string parameters, parsed by hand so every bad value gets an error that names
//! it. Pure (no HTTP types): the fuzz crate compiles this file on its own.

use std::ops::RangeInclusive;

/// A parameter that is missing or out of range (a 400 to the client).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError(pub String);

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ParamError {}

/// The decoded query string (last value wins for repeated names).
#[derive(Debug, Clone, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: &str) -> Result<Self, ParamError> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .map(Params)
            .map_err(|_| ParamError("malformed query string".into()))
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
    pub fn require(&self, name: &str) -> Result<&str, ParamError> {
        self.get(name)
            .ok_or_else(|| ParamError(format!("missing query parameter '{name}'")))
    }

    /// An integer in `range`, or `default` when absent.
    pub fn int(
        &self,
        name: &str,
        range: RangeInclusive<u64>,
        default: u64,
    ) -> Result<u64, ParamError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        match raw.parse::<u64>() {
            Ok(v) if range.contains(&v) => Ok(v),
            _ => Err(ParamError(format!(
                "'{name}' must be an integer between {} and {}",
                range.start(),
                range.end()
            ))),
        }
    }

    /// A finite, non-negative number, if present.
    pub fn non_negative(&self, name: &str) -> Result<Option<f64>, ParamError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        match raw.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(Some(v)),
            _ => Err(ParamError(format!(
                "'{name}' must be a non-negative number"
            ))),
        }
    }
}

#[cfg(test)]
mod tests;
