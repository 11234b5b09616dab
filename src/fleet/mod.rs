//! Fleet: many SpaceWatch replicas, one answer — computed by the Prometheus-HTTP-API
//! engine (Prometheus, VictoriaMetrics, Thanos, Mimir) that scrapes them all.
//!
//! One replica's windows see only the requests that reached it. Every replica exports
//! its exact window totals as gauges (`telemetry::prom::windows`); the engine sums them,
//! and [`Fleet`] asks it, with instant queries at one evaluation time, for the shape of
//! `/metrics/operations` over the whole fleet, plus the replicas (`up`, last scrape)
//! and the source. Counts, errors, bytes and mean latencies are exact as of each
//! replica's last scrape; percentiles are `histogram_quantile` of the summed window
//! histograms (interpolated here from one query, see [`histogram_quantile`]), exact to
//! within the latency bucket that holds the true value (see `docs/fleet.md`, "What is
//! approximate"). `/fleet/timeseries` charts `rate()`s from `query_range`.
//!
//! ```text
//! replica ─┐
//! replica ─┼─ scraped by ─► engine ◄── /api/v1/query ── Fleet (in any replica)
//! replica ─┘
//! ```

mod client;
mod error;
mod operations;
mod promql;
mod quantile;
mod replicas;
mod timeseries;
mod wire;

use std::time::{Duration, Instant};

use futures_util::future::try_join_all;
use parking_lot::Mutex;
use serde::Serialize;

pub use client::EngineClient;
pub use error::{FleetConfigError, FleetError, RangeError};
pub use operations::{OperationsView, Source};
pub use promql::Queries;
pub use quantile::histogram_quantile;
pub use replicas::Replica;
pub use timeseries::{MAX_POINTS, RangeRequest, TimeseriesView};
pub use wire::{Answer, Labels, Sample, Series};

use crate::telemetry::clock::{Clock, UnixTime};
use crate::telemetry::window::WindowKind;

/// The outcome of the last fleet query, for `/health`.
#[derive(Debug, Clone)]
struct LastQuery {
    at: UnixTime,
    error: Option<String>,
}

/// The `fleet` object of `/health`.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    pub configured: bool,
    pub engine_url: String,
    pub job: String,
    pub last_query: Option<LastQueryHealth>,
}

/// How the last fleet query went.
#[derive(Debug, Clone, Serialize)]
pub struct LastQueryHealth {
    pub at: String,
    pub ok: bool,
    pub error: Option<String>,
}

/// The fleet view of one replica: the engine client and the queries.
#[derive(Debug)]
pub struct Fleet {
    client: EngineClient,
    queries: Queries,
    job: String,
    current: Duration,
    /// Overall bound of one view: the engine timeout and a second of slack, so the
    /// client's own (more precise) error wins when both fire.
    deadline: Duration,
    last: Mutex<Option<LastQuery>>,
}

impl Fleet {
    /// `current` is the length of the current window, which every replica must share.
    pub fn new(
        config: &crate::config::EngineConfig,
        current: Duration,
    ) -> Result<Self, FleetConfigError> {
        Ok(Self {
            client: EngineClient::new(config)?,
            queries: Queries::new(&config.job, &WindowKind::Current.label(current)),
            job: config.job.clone(),
            current,
            deadline: config.timeout + Duration::from_secs(1),
            last: Mutex::new(None),
        })
    }

    /// The engine's URL, without credentials.
    pub fn engine_url(&self) -> &str {
        self.client.url()
    }

    pub fn client(&self) -> &EngineClient {
        &self.client
    }

    /// `/fleet/operations` as of `now` (Unix seconds).
    pub async fn operations(&self, clock: &dyn Clock) -> Result<OperationsView, FleetError> {
        let started = Instant::now();
        let now = clock.now().as_secs_f64();
        let q = &self.queries;
        let texts = [q.window_sums(), q.replicas(), q.buckets()];
        let all = try_join_all(texts.iter().map(|t| self.client.query(t, now)));
        let result = self.bounded(all).await;
        let answers = self.remember(clock, result)?;
        let mut it = answers.into_iter();
        let mut next = || it.next().map(|a| a.result).unwrap_or_default();
        let answers = operations::Answers {
            sums: next(),
            replicas: next(),
            buckets: next(),
        };
        let mut view = operations::view(&answers, self.current, now);
        view.source = Some(self.source(now, started, texts.len()));
        Ok(view)
    }

    /// `/fleet/timeseries` for `req`, ending at the clock's now.
    pub async fn timeseries(
        &self,
        clock: &dyn Clock,
        req: &RangeRequest,
    ) -> Result<TimeseriesView, FleetError> {
        let started = Instant::now();
        let now = clock.now().as_secs_f64();
        let (start, end) = req.span(now);
        let range = req.rate_range();
        let mut charts = self.queries.chart(range);
        charts.push(("by_replica", self.queries.chart_by_replica(range)));
        let all = try_join_all(
            charts
                .iter()
                .map(|(_, t)| self.client.query_range(t, start, end, req.resolution)),
        );
        let result = self.bounded(all).await;
        let mut answers: Vec<Vec<Series>> = self
            .remember(clock, result)?
            .into_iter()
            .map(|a| a.result)
            .collect();
        let by_replica = answers.pop().unwrap_or_default();
        let named: Vec<(&str, Vec<Series>)> = charts.iter().map(|(n, _)| *n).zip(answers).collect();
        let mut view = timeseries::view(req, (start, end), &named, &by_replica);
        view.source = Some(self.source(now, started, charts.len()));
        Ok(view)
    }

    fn source(&self, now: f64, started: Instant, queries: usize) -> Source {
        Source {
            engine_url: self.engine_url().to_string(),
            job: self.job.clone(),
            evaluated_at: wire::unix(now).to_rfc3339(),
            query_duration_ms: (started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
            queries,
        }
    }

    /// `f` within the deadline: whatever the engine does, the caller gets an answer.
    async fn bounded<T>(
        &self,
        f: impl std::future::Future<Output = Result<T, FleetError>>,
    ) -> Result<T, FleetError> {
        tokio::time::timeout(self.deadline, f)
            .await
            .unwrap_or_else(|_| {
                Err(FleetError::Timeout {
                    url: self.engine_url().to_string(),
                    timeout: self.deadline,
                })
            })
    }

    /// Keeps the outcome for `/health`.
    fn remember<T>(&self, clock: &dyn Clock, r: Result<T, FleetError>) -> Result<T, FleetError> {
        *self.last.lock() = Some(LastQuery {
            at: clock.now(),
            error: r.as_ref().err().map(ToString::to_string),
        });
        r
    }

    /// The `fleet` object of `/health`: the configuration and how the last query went
    /// (no query is made: a health check must not depend on the engine).
    pub fn health(&self) -> Health {
        let last = self.last.lock().clone();
        Health {
            configured: true,
            engine_url: self.engine_url().to_string(),
            job: self.job.clone(),
            last_query: last.map(|l| LastQueryHealth {
                at: l.at.to_rfc3339(),
                ok: l.error.is_none(),
                error: l.error,
            }),
        }
    }
}

/// SHA-256 of `text`, hex: the tests' record of an answer's exact bytes.
#[cfg(test)]
pub(crate) fn digest(text: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests;
