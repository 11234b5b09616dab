//! The PromQL of the fleet view. Every selector is limited to the replicas' scrape job.
//!
//! Counts, bytes, durations and rates are sums of the replicas' window gauges (exact
//! as of each replica's last scrape; a replica's rate divides by the part of the window
//! it has been running for, and the fleet's throughput is the sum of its replicas'); percentiles come from the summed window histograms (interpolated
//! here, see `quantile`). Only the charts (`/fleet/timeseries`) use `rate()`.

use crate::telemetry::prom::MetricName as N;

/// Query texts for one scrape job.
#[derive(Debug, Clone)]
pub struct Queries {
    /// `job="…"`, escaped.
    job: String,
    /// The `window` label of the current window (`5m` by default).
    current: String,
}

/// `s` as the inside of a PromQL double-quoted string.
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

impl Queries {
    pub fn new(job: &str, current_window: &str) -> Self {
        Self {
            job: format!("job=\"{}\"", escape(job)),
            current: escape(current_window),
        }
    }

    fn m(&self, name: N) -> String {
        format!("{}{{{}}}", name.as_str(), self.job)
    }

    /// Every window family summed over the replicas, told apart by `__name__`:
    /// operations by (window, operation, status_class); bytes, summed durations and the
    /// latency buckets (`le`) by (window, operation); the replicas' rates by window.
    /// One scan of the window series.
    pub fn window_sums(&self) -> String {
        let h = N::WindowOperationDurationSeconds.as_str();
        format!(
            "sum by (__name__, window, operation, status_class, le) ({{__name__=~\"{}|{}|{h}_sum|{h}_bucket|{}|{}\", {}}})",
            N::WindowOperations.as_str(),
            N::WindowTransferredBytes.as_str(),
            N::WindowOperationsPerSecond.as_str(),
            N::WindowTransferredBytesPerSecond.as_str(),
            self.job
        )
    }

    /// Per replica (`instance`): `up` (`figure="up"`), the time of its last scrape
    /// (`figure="scraped"`), its current-window operations (`figure="ops"`), and its
    /// build info with `service_instance_id` (`figure="info"`).
    pub fn replicas(&self) -> String {
        let up = format!("up{{{}}}", self.job);
        let tag = |expr: &str, figure: &str| {
            format!("label_replace({expr}, \"figure\", \"{figure}\", \"\", \"\")")
        };
        let ops = format!(
            "sum by (instance) ({}{{{}, window=\"{}\"}})",
            N::WindowOperations.as_str(),
            self.job,
            self.current
        );
        [
            tag(&up, "up"),
            tag(&format!("timestamp({up})"), "scraped"),
            tag(&ops, "ops"),
            tag(&self.m(N::BuildInfo), "info"),
        ]
        .join(" or ")
    }

    /// Per bucket, the hour window: operations, errors, bytes and summed durations
    /// added up, and the largest of the replicas' p95s — an upper bound of the fleet's
    /// p95 (no more than 5 % of any replica's operations, hence of all, lie above it),
    /// labelled `figure="p95"`: set operators match label sets without the name.
    pub fn buckets(&self) -> String {
        format!(
            "sum by (__name__, bucket) ({{__name__=~\"{}|{}|{}|{}\", {job}}}) or label_replace(max by (bucket) ({}), \"figure\", \"p95\", \"\", \"\")",
            N::BucketWindowOperations.as_str(),
            N::BucketWindowErrors.as_str(),
            N::BucketWindowTransferredBytes.as_str(),
            N::BucketWindowDurationSeconds.as_str(),
            self.m(N::BucketWindowP95Seconds),
            job = self.job,
        )
    }

    /// The chart series of `/fleet/timeseries`, `rate()`s over `range` seconds.
    pub fn chart(&self, range: u64) -> Vec<(&'static str, String)> {
        let r = format!("{range}s");
        let ops = N::OperationsTotal.as_str();
        let job = &self.job;
        let bytes = format!(
            "sum(rate({}{{{job}}}[{r}])) + sum(rate({}{{{job}}}[{r}]))",
            N::OperationReceivedBytesTotal.as_str(),
            N::OperationSentBytesTotal.as_str()
        );
        let q = |q: f64| {
            format!(
                "histogram_quantile({q}, sum by (le) (rate({}_bucket{{{job}}}[{r}])))",
                N::OperationDurationSeconds.as_str()
            )
        };
        vec![
            (
                "operations_per_second",
                format!("sum(rate({ops}{{{job}}}[{r}]))"),
            ),
            (
                "errors_per_second",
                format!("sum(rate({ops}{{{job}, status_class=~\"4xx|5xx\"}}[{r}]))"),
            ),
            ("bytes_per_second", bytes),
            ("latency_p50_seconds", q(0.5)),
            ("latency_p95_seconds", q(0.95)),
            ("latency_p99_seconds", q(0.99)),
            ("replicas_up", format!("sum(up{{{job}}})")),
        ]
    }

    /// Operations per second by replica, over `range` seconds.
    pub fn chart_by_replica(&self, range: u64) -> String {
        format!(
            "sum by (instance) (rate({}{{{}}}[{range}s]))",
            N::OperationsTotal.as_str(),
            self.job
        )
    }
}

#[cfg(test)]
mod tests;
