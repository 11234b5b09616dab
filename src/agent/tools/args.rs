//! A tool call's arguments, read by name with errors the model can act on: each names the
//! argument and says what was expected. Integers may come as numbers or digit strings
//! (models write both); unknown arguments are ignored.

use std::ops::RangeInclusive;

use serde_json::{Map, Value};

use super::ToolError;
use crate::accesslog::keys::Window;
use crate::storage::BucketName;

/// The arguments of one call.
#[derive(Debug, Clone, Default)]
pub struct Args(Map<String, Value>);

impl Args {
    /// From the wire: a JSON string (as the API sends), an object, or nothing.
    pub fn from_wire(v: &Value) -> Result<Self, ToolError> {
        match v {
            Value::Null => Ok(Self::default()),
            Value::String(s) if s.trim().is_empty() => Ok(Self::default()),
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(m)) => Ok(Self(m)),
                Ok(Value::Null) => Ok(Self::default()),
                Ok(_) => Err(ToolError::bad_args("arguments must be a JSON object")),
                Err(e) => Err(ToolError::bad_args(format!(
                    "arguments are not valid JSON ({e}); send a JSON object matching the tool's parameters"
                ))),
            },
            Value::Object(m) => Ok(Self(m.clone())),
            _ => Err(ToolError::bad_args("arguments must be a JSON object")),
        }
    }

    /// The arguments as JSON (for the steps of a chat).
    pub fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }

    /// A string argument; absent, null and "" are `None`.
    pub fn str(&self, name: &str) -> Result<Option<&str>, ToolError> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(ToolError::bad_args(format!("'{name}' must be a string"))),
        }
    }

    /// A key prefix (`prefix`, `source_prefix`), checked as every S3 call's prefixes are.
    pub fn prefix(&self, name: &str) -> Result<Option<crate::storage::KeyPrefix>, ToolError> {
        self.str(name)?
            .map(crate::storage::KeyPrefix::parse)
            .transpose()
            .map_err(|e| ToolError::bad_args(format!("'{name}': {e}")))
    }

    pub fn require(&self, name: &str) -> Result<&str, ToolError> {
        self.str(name)?
            .ok_or_else(|| ToolError::bad_args(format!("'{name}' is required")))
    }

    /// An integer in `range`, `default` when absent.
    pub fn int(
        &self,
        name: &str,
        range: RangeInclusive<u64>,
        default: u64,
    ) -> Result<u64, ToolError> {
        let v = match self.0.get(name) {
            None | Some(Value::Null) => return Ok(default),
            Some(Value::Number(n)) => n.as_u64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
        };
        match v {
            Some(v) if range.contains(&v) => Ok(v),
            _ => Err(ToolError::bad_args(format!(
                "'{name}' must be an integer between {} and {}",
                range.start(),
                range.end()
            ))),
        }
    }

    /// A bucket-name argument, checked for shape.
    pub fn bucket(&self, name: &str) -> Result<Option<BucketName>, ToolError> {
        self.str(name)?
            .map(|b| {
                BucketName::parse(b).ok_or_else(|| {
                    ToolError::bad_args(format!("'{name}' is not a valid bucket name"))
                })
            })
            .transpose()
    }

    pub fn require_bucket(&self, name: &str) -> Result<BucketName, ToolError> {
        self.bucket(name)?
            .ok_or_else(|| ToolError::bad_args(format!("'{name}' is required")))
    }

    /// The log window: `date` (YYYY-MM-DD) or `hours`, or every log object.
    pub fn window(&self, now: i64) -> Result<Window, ToolError> {
        let hours = match self.0.get("hours") {
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => self.str("hours")?.map(str::to_string),
        };
        Ok(Window::parse(self.str("date")?, hours.as_deref(), now)?)
    }
}

#[cfg(test)]
mod tests;
