//! `/fleet/timeseries?window=&resolution=`: chart series over every replica, from
//! `query_range`. Points line up on one time axis; a step without data is `null`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::wire::Series;
use super::wire::unix;

/// Most points per series one request may ask for.
pub const MAX_POINTS: u64 = 1000;
/// Longest window: 30 days.
pub const MAX_WINDOW: u64 = 30 * 86_400;
/// Shortest span a `rate()` of the charts covers: a minute holds 4 scrapes at the
/// usual 15 s interval (a rate needs two).
pub const MIN_RATE_RANGE: u64 = 60;

/// A validated chart request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeRequest {
    /// Seconds.
    pub window: u64,
    pub resolution: u64,
    /// As given (or the defaults), for the answer.
    pub window_text: String,
    pub resolution_text: String,
}

/// `90s`, `15m`, `1h`, `7d` in seconds.
fn duration(s: &str) -> Option<u64> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().ok()?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    n.checked_mul(unit).filter(|v| *v > 0)
}

impl RangeRequest {
    /// From the query parameters (defaults: the last 60 minutes at 1-minute resolution).
    pub fn parse(window: Option<&str>, resolution: Option<&str>) -> Result<Self, String> {
        let window_text = window.unwrap_or("60m").to_string();
        let resolution_text = resolution.unwrap_or("1m").to_string();
        let w = duration(&window_text)
            .ok_or_else(|| "'window' must be a duration such as 15m, 60m, 6h or 7d".to_string())?;
        let r = duration(&resolution_text)
            .ok_or_else(|| "'resolution' must be a duration such as 10s, 1m or 1h".to_string())?;
        if w > MAX_WINDOW {
            return Err("'window' is at most 30d".into());
        }
        if r > w {
            return Err("'resolution' must not be longer than 'window'".into());
        }
        if w / r > MAX_POINTS {
            return Err(format!(
                "window / resolution is {} points; at most {MAX_POINTS} (use a coarser resolution)",
                w / r
            ));
        }
        Ok(Self {
            window: w,
            resolution: r,
            window_text,
            resolution_text,
        })
    }

    /// The span of each `rate()`: the resolution, but at least a minute.
    pub fn rate_range(&self) -> u64 {
        self.resolution.max(MIN_RATE_RANGE)
    }

    /// `(start, end)`: the window ending at `now`, the end rounded up to the step —
    /// repeated requests ask for the same evaluation times, and the last point holds
    /// the newest samples (an evaluation time just ahead of them sees them).
    pub fn span(&self, now: f64) -> (f64, f64) {
        let step = self.resolution as f64;
        let end = (now / step).ceil() * step;
        (end - self.window as f64, end)
    }
}

/// The time axis of `[start, end]` every `step` seconds.
fn axis(start: f64, end: f64, step: u64) -> Vec<f64> {
    let n = ((end - start) / step as f64).round() as u64;
    (0..=n).map(|i| start + (i * step) as f64).collect()
}

/// One series' values on the axis; `scale` converts units (seconds to ms).
fn on_axis(axis: &[f64], series: Option<&Series>, scale: f64) -> Vec<Value> {
    let by_time: BTreeMap<i64, f64> = series
        .map(|s| {
            s.points
                .iter()
                .map(|(t, v)| ((t * 1000.0).round() as i64, *v))
                .collect()
        })
        .unwrap_or_default();
    axis.iter()
        .map(|t| {
            by_time
                .get(&((t * 1000.0).round() as i64))
                .filter(|v| v.is_finite())
                .map_or(Value::Null, |v| json!((v * scale * 1e4).round() / 1e4))
        })
        .collect()
}

/// The chart JSON. `charts` pairs each series name of [`super::promql::Queries::chart`]
/// with its answer; `by_replica` is the per-instance rate answer.
pub fn view(
    req: &RangeRequest,
    (start, end): (f64, f64),
    charts: &[(&str, Vec<Series>)],
    by_replica: &[Series],
) -> Map<String, Value> {
    let axis = axis(start, end, req.resolution);
    let mut series = Map::new();
    let mut values: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (name, answer) in charts {
        let (key, scale) = match name.strip_suffix("_seconds") {
            Some(base) => (format!("{base}_ms"), 1000.0),
            None => (name.to_string(), 1.0),
        };
        let v = on_axis(&axis, answer.first(), scale);
        values.insert(name, v.clone());
        series.insert(key, Value::Array(v));
    }
    // The error rate from the two rates, point by point (null without operations).
    let (ops, errs) = (
        values.get("operations_per_second"),
        values.get("errors_per_second"),
    );
    if let (Some(ops), Some(errs)) = (ops, errs) {
        let rate: Vec<Value> = ops
            .iter()
            .zip(errs)
            .map(|(o, e)| match (o.as_f64(), e.as_f64()) {
                (Some(o), Some(e)) if o > 0.0 => json!((e / o * 100.0 * 1e4).round() / 1e4),
                _ => Value::Null,
            })
            .collect();
        series.insert("error_rate_percent".into(), Value::Array(rate));
    }
    let replicas: Map<String, Value> = by_replica
        .iter()
        .filter_map(|s| {
            let instance = s.labels.get("instance")?;
            let v = on_axis(&axis, Some(s), 1.0);
            Some((instance.clone(), json!({ "operations_per_second": v })))
        })
        .collect();
    let mut m = Map::new();
    m.insert("window".into(), req.window_text.clone().into());
    m.insert("resolution".into(), req.resolution_text.clone().into());
    m.insert("step_seconds".into(), req.resolution.into());
    m.insert("rate_interval_seconds".into(), req.rate_range().into());
    m.insert("start".into(), unix(start).to_rfc3339().into());
    m.insert("end".into(), unix(end).to_rfc3339().into());
    m.insert(
        "timestamps".into(),
        axis.iter()
            .map(|t| json!(*t as u64))
            .collect::<Vec<_>>()
            .into(),
    );
    m.insert("series".into(), Value::Object(series));
    m.insert("by_replica".into(), Value::Object(replicas));
    m
}

#[cfg(test)]
mod tests;
