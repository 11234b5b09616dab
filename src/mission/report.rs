//! The JSON of the Mission Control endpoints, and the validation of their parameters.
//! Each answer is a `Serialize` struct whose fields, in order, are its keys.

use serde::Serialize;

use super::cell::Cell;
use super::events::Event;
use super::{EVENT_MINUTES, Overview, RETAINED_MINUTES, ROUTE_MINUTES, RouteStats, minute_start};
use crate::telemetry::report::{Health, Keyed};
use crate::telemetry::{StatusClass, UnixTime};

/// Rows in each route table.
const TOP: usize = 10;

/// Milliseconds to the microsecond; rates and percentages to 1e-4.
fn r3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}
fn r4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn ms(v: Option<f64>) -> Option<f64> {
    v.map(r3)
}

/// Exchanges by status class, `1xx` … `5xx`.
pub type ClassCounts = Keyed<&'static str, u64>;

fn classes(c: &Cell) -> ClassCounts {
    Keyed(
        StatusClass::CODES
            .iter()
            .zip(c.by_class)
            .map(|(k, v)| (k.as_str(), v))
            .collect(),
    )
}

/// The errors and latency of a [`Cell`], the last keys of a route row and of a point.
#[derive(Debug, Serialize)]
pub struct CellFigures {
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    pub error_rate_5xx_percent: f64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub avg_ms: Option<f64>,
}

impl CellFigures {
    fn of(c: &Cell) -> Self {
        Self {
            errors_4xx: c.errors_4xx(),
            errors_5xx: c.errors_5xx(),
            error_rate_5xx_percent: r4(c.percent(c.errors_5xx())),
            p50_ms: ms(c.quantile_ms(0.5)),
            p95_ms: ms(c.quantile_ms(0.95)),
            avg_ms: ms(c.avg_ms()),
        }
    }
}

/// One row of a route table.
#[derive(Debug, Serialize)]
pub struct RouteRow<'a> {
    pub method: &'static str,
    pub route: &'a str,
    pub requests: u64,
    #[serde(flatten)]
    pub figures: CellFigures,
}

fn route_row(r: &RouteStats) -> RouteRow<'_> {
    RouteRow {
        method: r.method_label(),
        route: &r.route,
        requests: r.cell.requests,
        figures: CellFigures::of(&r.cell),
    }
}

impl RouteStats {
    /// The method as shown: `*` for the shared keys.
    fn method_label(&self) -> &'static str {
        self.method.map_or("*", |m| m.as_str())
    }
}

/// The top [`TOP`] routes by `key` (descending; ties by route, then method), skipping
/// routes `keep` refuses.
fn table<'a>(
    routes: &'a [RouteStats],
    keep: impl Fn(&RouteStats) -> bool,
    key: impl Fn(&RouteStats) -> f64,
) -> Vec<RouteRow<'a>> {
    let mut rows: Vec<&RouteStats> = routes.iter().filter(|r| keep(r)).collect();
    rows.sort_by(|a, b| {
        key(b)
            .total_cmp(&key(a))
            .then_with(|| a.route.cmp(&b.route))
            .then_with(|| a.method_label().cmp(b.method_label()))
    });
    rows.into_iter().take(TOP).map(route_row).collect()
}

/// `GET /admin/api/mission-control`.
#[derive(Debug, Serialize)]
pub struct OverviewAnswer<'a> {
    pub status: Health,
    pub status_basis: &'static str,
    pub timestamp: String,
    pub requests: Requests,
    pub latency_ms: Latency,
    pub error_rates_percent: ErrorRates,
    pub status_classes_5m: ClassCounts,
    pub unique_clients_30m: u64,
    pub routes: Routes<'a>,
}

/// Requests of the last minutes.
#[derive(Debug, Serialize)]
pub struct Requests {
    pub last_1m: u64,
    pub last_5m: u64,
    pub per_minute_1m: u64,
    pub per_minute_5m: f64,
    pub current_minute: u64,
}

/// Latency over the last 5 minutes.
#[derive(Debug, Serialize)]
pub struct Latency {
    pub window: &'static str,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub avg: Option<f64>,
}

/// Error rates over the last 5 minutes.
#[derive(Debug, Serialize)]
pub struct ErrorRates {
    pub window: &'static str,
    #[serde(rename = "4xx")]
    pub client: f64,
    #[serde(rename = "5xx")]
    pub server: f64,
}

/// The route tables.
#[derive(Debug, Serialize)]
pub struct Routes<'a> {
    pub window_minutes: u64,
    pub keys: usize,
    pub key_cap: usize,
    pub top_by_volume: Vec<RouteRow<'a>>,
    pub slowest_by_p95: Vec<RouteRow<'a>>,
    pub most_5xx: Vec<RouteRow<'a>>,
}

/// `GET /admin/api/mission-control`.
pub fn overview_json(o: &Overview) -> OverviewAnswer<'_> {
    let five = &o.last_5m;
    let rate_5xx = five.percent(five.errors_5xx());
    let p95 = |r: &RouteStats| r.cell.quantile_ms(0.95).unwrap_or(0.0);
    OverviewAnswer {
        status: Health::of(rate_5xx),
        status_basis: "5xx rate over the last 5 complete minutes: healthy < 5 %, degraded 5-10 %, unhealthy > 10 %",
        timestamp: o.now.to_rfc3339(),
        requests: Requests {
            last_1m: o.last_1m.requests,
            last_5m: five.requests,
            per_minute_1m: o.last_1m.requests,
            per_minute_5m: r4(five.requests as f64 / 5.0),
            current_minute: o.current_minute,
        },
        latency_ms: Latency {
            window: "5m",
            p50: ms(five.quantile_ms(0.5)),
            p95: ms(five.quantile_ms(0.95)),
            avg: ms(five.avg_ms()),
        },
        error_rates_percent: ErrorRates {
            window: "5m",
            client: r4(five.percent(five.errors_4xx())),
            server: r4(rate_5xx),
        },
        status_classes_5m: classes(five),
        unique_clients_30m: o.unique_clients_30m,
        routes: Routes {
            window_minutes: ROUTE_MINUTES,
            keys: o.route_keys,
            key_cap: super::routes::MAX_ROUTE_KEYS,
            top_by_volume: table(&o.routes, |_| true, |r| r.cell.requests as f64),
            slowest_by_p95: table(&o.routes, |_| true, p95),
            most_5xx: table(
                &o.routes,
                |r| r.cell.errors_5xx() > 0,
                |r| r.cell.errors_5xx() as f64,
            ),
        },
    }
}

/// Why a `window`/`resolution` pair was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeriesError {
    #[error("'{0}' must be whole minutes or hours, like 60m or 1h")]
    Malformed(&'static str),
    #[error("'window' must be between 1m and {RETAINED_MINUTES}m")]
    WindowRange,
    #[error("'resolution' must be between 1m and the window")]
    ResolutionRange,
    #[error("'window' must be a multiple of 'resolution'")]
    NotMultiple,
}

/// `15m`, `60m`, `2h` → minutes.
fn minutes(raw: &str, name: &'static str) -> Result<u64, SeriesError> {
    let bad = || SeriesError::Malformed(name);
    let digits = |s: &str| {
        (!s.is_empty() && s.len() <= 6 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    if let Some(n) = raw.strip_suffix('m') {
        digits(n).ok_or_else(bad)
    } else if let Some(n) = raw.strip_suffix('h') {
        digits(n).map(|h| h * 60).ok_or_else(bad)
    } else {
        Err(bad())
    }
}

/// Validates `window` and `resolution` (defaults 60m and 1m) into minutes.
pub fn series_params(
    window: Option<&str>,
    resolution: Option<&str>,
) -> Result<(u64, u64), SeriesError> {
    let w = minutes(window.unwrap_or("60m"), "window")?;
    let r = minutes(resolution.unwrap_or("1m"), "resolution")?;
    if !(1..=RETAINED_MINUTES).contains(&w) {
        return Err(SeriesError::WindowRange);
    }
    if r == 0 || r > w {
        return Err(SeriesError::ResolutionRange);
    }
    if w % r != 0 {
        return Err(SeriesError::NotMultiple);
    }
    Ok((w, r))
}

/// `GET /admin/api/timeseries`.
#[derive(Debug, Serialize)]
pub struct SeriesAnswer {
    pub window: String,
    pub resolution: String,
    pub timestamp: String,
    pub count: usize,
    pub points: Vec<Point>,
}

/// One step of the series.
#[derive(Debug, Serialize)]
pub struct Point {
    pub timestamp: String,
    pub requests: u64,
    pub requests_per_minute: f64,
    pub status_classes: ClassCounts,
    #[serde(flatten)]
    pub figures: CellFigures,
}

/// `GET /admin/api/timeseries`.
pub fn series_json(
    now: UnixTime,
    window: u64,
    resolution: u64,
    points: &[(u64, Cell)],
) -> SeriesAnswer {
    let points: Vec<Point> = points
        .iter()
        .map(|(minute, c)| Point {
            timestamp: minute_start(*minute).to_rfc3339(),
            requests: c.requests,
            requests_per_minute: r4(c.requests as f64 / resolution as f64),
            status_classes: classes(c),
            figures: CellFigures::of(c),
        })
        .collect();
    SeriesAnswer {
        window: format!("{window}m"),
        resolution: format!("{resolution}m"),
        timestamp: now.to_rfc3339(),
        count: points.len(),
        points,
    }
}

/// `GET /admin/api/events`.
#[derive(Debug, Serialize)]
pub struct EventsAnswer {
    pub timestamp: String,
    pub window_minutes: u64,
    pub total: usize,
    pub count: usize,
    pub events: Vec<EventRow>,
}

/// One detected event.
#[derive(Debug, Serialize)]
pub struct EventRow {
    pub timestamp: String,
    pub kind: &'static str,
    pub severity: &'static str,
    pub message: String,
    pub value: f64,
    pub baseline: Option<f64>,
    pub threshold: f64,
}

/// `GET /admin/api/events`: the newest `limit` events.
pub fn events_json(now: UnixTime, events: &[Event], limit: usize) -> EventsAnswer {
    let list: Vec<EventRow> = events
        .iter()
        .take(limit)
        .map(|e| EventRow {
            timestamp: minute_start(e.minute).to_rfc3339(),
            kind: e.kind.as_str(),
            severity: e.severity(),
            message: e.message(),
            value: r4(e.value),
            baseline: e.baseline.map(r4),
            threshold: r4(e.threshold),
        })
        .collect();
    EventsAnswer {
        timestamp: now.to_rfc3339(),
        window_minutes: EVENT_MINUTES,
        total: events.len(),
        count: list.len(),
        events: list,
    }
}

#[cfg(test)]
mod tests;
