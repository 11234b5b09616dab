//! `/fleet/timeseries?window=&resolution=`: chart series over every replica, from
//! `query_range`. Points line up on one time axis; a step without data is `null`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::RangeError;
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
    pub fn parse(window: Option<&str>, resolution: Option<&str>) -> Result<Self, RangeError> {
        let window_text = window.unwrap_or("60m").to_string();
        let resolution_text = resolution.unwrap_or("1m").to_string();
        let w = duration(&window_text).ok_or(RangeError::Window)?;
        let r = duration(&resolution_text).ok_or(RangeError::Resolution)?;
        if w > MAX_WINDOW {
            return Err(RangeError::WindowTooLong);
        }
        if r > w {
            return Err(RangeError::ResolutionOverWindow);
        }
        if w / r > MAX_POINTS {
            return Err(RangeError::TooManyPoints(w / r));
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

/// A series' values on the time axis; `None` (null) where the engine had none.
pub type Points = Vec<Option<f64>>;

/// Named entries in their order, serialised as one JSON object.
#[derive(Debug, Clone, Default)]
pub struct Named<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Named<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// One replica's series in `by_replica`.
#[derive(Debug, Clone, Serialize)]
pub struct ReplicaSeries {
    pub operations_per_second: Points,
}

/// `/fleet/timeseries`.
#[derive(Debug, Clone, Serialize)]
pub struct TimeseriesView {
    pub window: String,
    pub resolution: String,
    pub step_seconds: u64,
    pub rate_interval_seconds: u64,
    pub start: String,
    pub end: String,
    pub timestamps: Vec<u64>,
    /// By chart name (`…_seconds` charts in ms, as `…_ms`), then `error_rate_percent`.
    pub series: Named<Points>,
    /// By instance.
    pub by_replica: Named<ReplicaSeries>,
    /// Where the figures came from; set by the caller that asked the engine.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<super::operations::Source>,
}

fn r4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// One series' values on the axis; `scale` converts units (seconds to ms).
fn on_axis(axis: &[f64], series: Option<&Series>, scale: f64) -> Points {
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
                .map(|v| r4(v * scale))
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
) -> TimeseriesView {
    let axis = axis(start, end, req.resolution);
    let mut series = Named::default();
    let mut values: BTreeMap<&str, Points> = BTreeMap::new();
    for (name, answer) in charts {
        let (key, scale) = match name.strip_suffix("_seconds") {
            Some(base) => (format!("{base}_ms"), 1000.0),
            None => (name.to_string(), 1.0),
        };
        let v = on_axis(&axis, answer.first(), scale);
        values.insert(name, v.clone());
        series.0.push((key, v));
    }
    // The error rate from the two rates, point by point (null without operations).
    let (ops, errs) = (
        values.get("operations_per_second"),
        values.get("errors_per_second"),
    );
    if let (Some(ops), Some(errs)) = (ops, errs) {
        let rate: Points = ops
            .iter()
            .zip(errs)
            .map(|(o, e)| match (o, e) {
                (Some(o), Some(e)) if *o > 0.0 => Some(r4(e / o * 100.0)),
                _ => None,
            })
            .collect();
        series.0.push(("error_rate_percent".into(), rate));
    }
    let replicas = by_replica
        .iter()
        .filter_map(|s| {
            let instance = s.labels.get("instance")?;
            let operations_per_second = on_axis(&axis, Some(s), 1.0);
            Some((
                instance.clone(),
                ReplicaSeries {
                    operations_per_second,
                },
            ))
        })
        .collect();
    TimeseriesView {
        window: req.window_text.clone(),
        resolution: req.resolution_text.clone(),
        step_seconds: req.resolution,
        rate_interval_seconds: req.rate_range(),
        start: unix(start).to_rfc3339(),
        end: unix(end).to_rfc3339(),
        timestamps: axis.iter().map(|t| *t as u64).collect(),
        series,
        by_replica: Named(replicas),
        source: None,
    }
}

#[cfg(test)]
mod tests;
