//! The Prometheus HTTP API's answers: `{"status", "data": {"resultType", "result"},
//! "warnings"}` on success, `{"status": "error", "errorType", "error"}` otherwise.
//! Sample values are strings (`"1.5"`, `"NaN"`, `"+Inf"`); timestamps are seconds.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::error::capped;
use crate::telemetry::clock::UnixTime;

/// The labels of one series.
pub type Labels = BTreeMap<String, String>;

/// One element of an instant vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub labels: Labels,
    /// The evaluation time (or the sample time, for `timestamp()`), seconds.
    pub time: f64,
    pub value: f64,
}

/// One series of a range query.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Labels,
    /// `(time, value)` points in time order.
    pub points: Vec<(f64, f64)>,
}

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    pub result: T,
    pub warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<Data>,
    #[serde(default, rename = "errorType")]
    error_type: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
}

#[derive(Deserialize)]
struct Data {
    #[serde(rename = "resultType")]
    result_type: String,
    result: Value,
}

#[derive(Deserialize)]
struct VectorItem {
    #[serde(default)]
    metric: Labels,
    value: (f64, String),
}

#[derive(Deserialize)]
struct MatrixItem {
    #[serde(default)]
    metric: Labels,
    values: Vec<(f64, String)>,
}

/// Why an answer could not be used: the engine's error, or a shape problem.
#[derive(Debug, Clone, PartialEq)]
pub enum WireError {
    Engine { error_type: String, message: String },
    Shape(String),
}

/// A sample value: a number, `NaN`, `+Inf` or `-Inf`.
pub fn number(s: &str) -> Result<f64, WireError> {
    s.parse::<f64>()
        .map_err(|_| WireError::Shape(format!("sample value {:?} is not a number", capped(s))))
}

fn envelope(body: &[u8]) -> Result<(Data, Vec<String>), WireError> {
    let env: Envelope = serde_json::from_slice(body).map_err(|_| {
        WireError::Shape(format!(
            "not JSON: {}",
            capped(&String::from_utf8_lossy(&body[..body.len().min(400)]))
        ))
    })?;
    if env.status != "success" {
        return Err(WireError::Engine {
            error_type: capped(env.error_type.as_deref().unwrap_or("unknown")),
            message: capped(env.error.as_deref().unwrap_or("no error text")),
        });
    }
    let data = env
        .data
        .ok_or_else(|| WireError::Shape("a success without data".into()))?;
    let warnings = env.warnings.iter().take(10).map(|w| capped(w)).collect();
    Ok((data, warnings))
}

/// An instant query's answer as samples; a scalar becomes one sample without labels.
pub fn parse_vector(body: &[u8]) -> Result<Answer<Vec<Sample>>, WireError> {
    let (data, warnings) = envelope(body)?;
    let shape = |e: serde_json::Error| WireError::Shape(format!("{}: {e}", data.result_type));
    let result = match data.result_type.as_str() {
        "vector" => serde_json::from_value::<Vec<VectorItem>>(data.result.clone())
            .map_err(shape)?
            .into_iter()
            .map(|i| {
                Ok(Sample {
                    labels: i.metric,
                    time: i.value.0,
                    value: number(&i.value.1)?,
                })
            })
            .collect::<Result<_, WireError>>()?,
        "scalar" => {
            let (time, v): (f64, String) =
                serde_json::from_value(data.result.clone()).map_err(shape)?;
            vec![Sample {
                labels: Labels::new(),
                time,
                value: number(&v)?,
            }]
        }
        other => {
            return Err(WireError::Shape(format!(
                "an instant query answered a {other:?}"
            )));
        }
    };
    Ok(Answer { result, warnings })
}

/// A range query's answer as series.
pub fn parse_matrix(body: &[u8]) -> Result<Answer<Vec<Series>>, WireError> {
    let (data, warnings) = envelope(body)?;
    if data.result_type != "matrix" {
        return Err(WireError::Shape(format!(
            "a range query answered a {:?}",
            data.result_type
        )));
    }
    let items: Vec<MatrixItem> = serde_json::from_value(data.result)
        .map_err(|e| WireError::Shape(format!("matrix: {e}")))?;
    let result = items
        .into_iter()
        .map(|i| {
            let points = i
                .values
                .iter()
                .map(|(t, v)| Ok((*t, number(v)?)))
                .collect::<Result<_, WireError>>()?;
            Ok(Series {
                labels: i.metric,
                points,
            })
        })
        .collect::<Result<_, WireError>>()?;
    Ok(Answer { result, warnings })
}

/// Unix seconds as a [`UnixTime`].
pub(crate) fn unix(t: f64) -> UnixTime {
    UnixTime((t.max(0.0) * 1e6) as u64)
}

/// A count from an engine value (NaN and negatives are 0).
pub(crate) fn count(v: f64) -> u64 {
    if v.is_finite() && v > 0.0 {
        v.round() as u64
    } else {
        0
    }
}

pub(crate) fn label<'a>(s: &'a Sample, name: &str) -> Option<&'a str> {
    s.labels.get(name).map(String::as_str)
}

#[cfg(test)]
mod tests;
