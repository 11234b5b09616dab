//! Event detection over complete minutes: a pure function of the per-minute totals.
//!
//! Input: consecutive complete minutes, oldest first (minutes without traffic are zeros;
//! minutes before the server started are absent). For minute `k`:
//! - `n_k` requests, `x_k` 5xx responses, `p95_k` its latency p95;
//! - the **baseline** `B_k` is the up to [`BASELINE_MINUTES`] minutes before `k` that are
//!   present, `mean_k = Σ n / |B_k|`, and `p95(B_k)` the p95 of all their latencies.
//!
//! Rules (a "spike" is reported on the first minute of a run of spiking minutes only):
//! - **traffic spike**: `|B_k| ≥ 5`, `mean_k > 0`, `n_k ≥ 20` and `n_k ≥ 2 × mean_k`.
//! - **traffic drop**: `n_k = 0`, `n_{k−1} > 0`, `|B_k| ≥ 5` and `mean_k ≥ 1` request/min.
//! - **latency spike**: `n_k ≥ 10`, `B_k` holds ≥ 50 requests, `|B_k| ≥ 5` and
//!   `p95_k ≥ 2 × p95(B_k)`.
//! - **5xx rate**: `r_k` = Σ x / Σ n over minutes `k−4 … k` (a rolling 5 minutes) × 100;
//!   its level is how many of the thresholds 1 %, 2 %, 5 % it reaches. A change of level
//!   is an event: a rise names the highest threshold reached ("rose above 2 %"), a fall
//!   the lowest one no longer reached ("fell below 2 %"). Five minutes without requests
//!   keep the level.
//!
//! The caller reports the events of the last hour; older minutes only serve as baseline,
//! so an event does not change as its minute ages.

use crate::telemetry::sketch::Sketch;

/// Minutes of baseline before the minute judged.
pub const BASELINE_MINUTES: usize = 60;
/// Fewest baseline minutes before a spike or drop can be judged.
pub const MIN_BASELINE_MINUTES: usize = 5;
/// Fewest requests in a minute for a traffic spike.
pub const SPIKE_MIN_REQUESTS: u64 = 20;
/// Fewest baseline requests per minute for a drop to zero to matter.
pub const DROP_MIN_MEAN: f64 = 1.0;
/// Fewest requests in the minute, and in its baseline, for a latency spike.
pub const LATENCY_MIN_REQUESTS: u64 = 10;
pub const LATENCY_MIN_BASELINE: u64 = 50;
/// The 5xx-rate thresholds, percent.
pub const ERROR_THRESHOLDS: [f64; 3] = [1.0, 2.0, 5.0];
/// Minutes of the rolling 5xx rate.
pub const ERROR_RATE_MINUTES: usize = 5;

/// What detection reads of one complete minute.
#[derive(Debug, Clone, Copy)]
pub struct MinuteView<'a> {
    /// Minutes since the Unix epoch.
    pub minute: u64,
    pub requests: u64,
    pub errors_5xx: u64,
    pub sketch: &'a Sketch<u32>,
}

/// The kinds of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    TrafficSpike,
    TrafficDrop,
    LatencySpike,
    ErrorRateRise,
    ErrorRateRecovery,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TrafficSpike => "traffic_spike",
            Self::TrafficDrop => "traffic_drop",
            Self::LatencySpike => "latency_spike",
            Self::ErrorRateRise => "error_rate_rise",
            Self::ErrorRateRecovery => "error_rate_recovery",
        }
    }
}

/// One detected event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    /// The minute it happened in (minutes since the Unix epoch).
    pub minute: u64,
    /// Requests/min, p95 ms or 5xx percent, by kind.
    pub value: f64,
    /// Mean requests/min or baseline p95 ms; `None` for the 5xx rate.
    pub baseline: Option<f64>,
    /// The level crossed (2 × baseline, or a 5xx threshold).
    pub threshold: f64,
}

impl Event {
    pub fn severity(&self) -> &'static str {
        match self.kind {
            EventKind::TrafficDrop => "critical",
            EventKind::ErrorRateRise if self.threshold >= 5.0 => "critical",
            EventKind::ErrorRateRecovery => "info",
            _ => "warning",
        }
    }

    /// One sentence for people.
    pub fn message(&self) -> String {
        let base = self.baseline.unwrap_or(0.0);
        let ratio = if base > 0.0 { self.value / base } else { 0.0 };
        match self.kind {
            EventKind::TrafficSpike => format!(
                "Traffic spike: {:.0} requests/min, {ratio:.1}× the baseline of {base:.1}/min",
                self.value
            ),
            EventKind::TrafficDrop => {
                format!("Traffic dropped to zero (baseline {base:.1} requests/min)")
            }
            EventKind::LatencySpike => format!(
                "Latency spike: p95 {:.1} ms, {ratio:.1}× the baseline p95 of {base:.1} ms",
                self.value
            ),
            EventKind::ErrorRateRise => format!(
                "5xx rate rose above {} % ({:.2} % over 5 min)",
                self.threshold, self.value
            ),
            EventKind::ErrorRateRecovery => format!(
                "5xx rate fell below {} % ({:.2} % over 5 min)",
                self.threshold, self.value
            ),
        }
    }
}

/// Every event of `views[report_from..]`, oldest first; earlier minutes are context.
pub fn detect(views: &[MinuteView<'_>], report_from: usize) -> Vec<Event> {
    let mut out = Vec::new();
    let mut base_requests = 0u64;
    let mut base_sketch: Sketch<u64> = Sketch::default();
    let (mut traffic_run, mut latency_run, mut level) = (false, false, 0usize);
    for (i, v) in views.iter().enumerate() {
        if i >= 1 {
            base_requests += views[i - 1].requests;
            base_sketch.add(views[i - 1].sketch);
        }
        if i > BASELINE_MINUTES {
            let gone = &views[i - 1 - BASELINE_MINUTES];
            base_requests -= gone.requests;
            base_sketch.subtract(gone.sketch);
        }
        let b = i.min(BASELINE_MINUTES);
        let mean = if b > 0 {
            base_requests as f64 / b as f64
        } else {
            0.0
        };
        let mut emit = |kind, value, baseline, threshold| {
            if i >= report_from {
                out.push(Event {
                    kind,
                    minute: v.minute,
                    value,
                    baseline,
                    threshold,
                });
            }
        };
        let n = v.requests as f64;
        let enough = b >= MIN_BASELINE_MINUTES;
        let spike = enough && mean > 0.0 && v.requests >= SPIKE_MIN_REQUESTS && n >= 2.0 * mean;
        if spike && !traffic_run {
            emit(EventKind::TrafficSpike, n, Some(mean), 2.0 * mean);
        }
        traffic_run = spike;
        if v.requests == 0 && i >= 1 && views[i - 1].requests > 0 && enough && mean >= DROP_MIN_MEAN
        {
            emit(EventKind::TrafficDrop, 0.0, Some(mean), 0.0);
        }
        let p95 = v.sketch.quantile(0.95).unwrap_or(0.0);
        let base_p95 = base_sketch.quantile(0.95).unwrap_or(0.0);
        let slow = enough
            && v.requests >= LATENCY_MIN_REQUESTS
            && base_sketch.count() >= LATENCY_MIN_BASELINE
            && p95 >= 2.0 * base_p95;
        if slow && !latency_run {
            emit(EventKind::LatencySpike, p95, Some(base_p95), 2.0 * base_p95);
        }
        latency_run = slow;
        let span = &views[(i + 1).saturating_sub(ERROR_RATE_MINUTES)..=i];
        let (req, err) = span
            .iter()
            .fold((0u64, 0u64), |(r, e), m| (r + m.requests, e + m.errors_5xx));
        if req > 0 {
            let rate = err as f64 * 100.0 / req as f64;
            let new = ERROR_THRESHOLDS.iter().filter(|t| rate >= **t).count();
            if new > level {
                emit(
                    EventKind::ErrorRateRise,
                    rate,
                    None,
                    ERROR_THRESHOLDS[new - 1],
                );
            } else if new < level {
                emit(
                    EventKind::ErrorRateRecovery,
                    rate,
                    None,
                    ERROR_THRESHOLDS[new],
                );
            }
            level = new;
        }
    }
    out
}

#[cfg(test)]
mod tests;
