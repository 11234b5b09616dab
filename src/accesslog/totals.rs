//! Summaries merged into the answer of a query: the hours of the source bucket inside the
//! window, added up exactly. Percentiles are nearest-rank over the exact distributions.

use std::collections::BTreeMap;
use std::sync::Arc;

use hashbrown::HashMap;

use super::keys::Window;
use super::summary::{
    CLASSES, Client, ClientStats, Hour, MAX_DEPTH, METHODS, ObjectSummary, PrefixStats,
};

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// The merged counts of a query.
#[derive(Debug, Default)]
pub struct Totals<'a> {
    pub requests: u64,
    pub bytes_sent: u64,
    pub by_class: [u64; CLASSES],
    pub by_method: [u64; METHODS.len()],
    pub by_operation: BTreeMap<&'a str, [u64; CLASSES]>,
    pub clients: Map<&'a Client, ClientStats>,
    pub total_ms: BTreeMap<u64, u64>,
    pub turn_around_ms: BTreeMap<u64, u64>,
    /// Hours that had requests (for series).
    pub hours: BTreeMap<i64, u64>,
}

/// The hours of `summaries` that belong to the query.
pub fn hours<'a>(
    summaries: &'a [Arc<ObjectSummary>],
    source: Option<&'a str>,
    window: Window,
) -> impl Iterator<Item = Hour<'a>> + 'a {
    summaries
        .iter()
        .flat_map(|s| s.hours())
        .filter(move |h| source.is_none_or(|b| &*h.bucket == b) && window.holds_hour(h.hour))
}

impl<'a> Totals<'a> {
    pub fn of(
        summaries: &'a [Arc<ObjectSummary>],
        source: Option<&'a str>,
        window: Window,
    ) -> Self {
        let mut t = Totals::default();
        // Latency values are gathered in hash maps and sorted once at the end: adding
        // each hour's sorted values into the B-trees one by one was most of the cost
        // of a warm answer over 720 hours (bench-accesslog-e2e).
        let (mut total_ms, mut turn_around_ms) = (Map::default(), Map::default());
        for h in hours(summaries, source, window) {
            t.add(h);
            add_dist(&mut total_ms, h.total_ms());
            add_dist(&mut turn_around_ms, h.turn_around_ms());
        }
        t.total_ms = total_ms.into_iter().collect();
        t.turn_around_ms = turn_around_ms.into_iter().collect();
        t
    }

    fn add(&mut self, h: Hour<'a>) {
        self.requests += h.requests;
        self.bytes_sent += h.bytes_sent;
        add_into(&mut self.by_class, &h.by_class);
        add_into(&mut self.by_method, &h.by_method);
        for (op, row) in h.operations() {
            add_into(self.by_operation.entry(op).or_default(), row);
        }
        for (c, s) in h.clients() {
            let e = self.clients.entry(c).or_default();
            e.requests += s.requests;
            e.bytes += s.bytes;
            e.errors += s.errors;
        }
        *self.hours.entry(h.hour).or_default() += h.requests;
    }

    /// Requests answered 4xx and 5xx.
    pub fn errors(&self) -> (u64, u64) {
        (self.by_class[3], self.by_class[4])
    }

    /// The `n` busiest clients: most requests, then most bytes, then by address.
    pub fn top_clients(&self, n: usize) -> Vec<(String, ClientStats)> {
        let mut all: Vec<(&&Client, &ClientStats)> = self.clients.iter().collect();
        all.sort_by(|a, b| {
            b.1.requests
                .cmp(&a.1.requests)
                .then(b.1.bytes.cmp(&a.1.bytes))
                .then(a.0.cmp(b.0))
        });
        all.into_iter()
            .take(n)
            .map(|(c, s)| (c.to_text(), *s))
            .collect()
    }
}

fn add_dist(into: &mut Map<u64, u64>, from: &[(u64, u64)]) {
    for (v, n) in from {
        *into.entry(*v).or_default() += n;
    }
}

fn add_into<const N: usize>(into: &mut [u64; N], from: &[u64; N]) {
    into.iter_mut().zip(from).for_each(|(a, b)| *a += b);
}

/// The nearest-rank `q` quantile of a value → count distribution: the smallest value
/// with at least `ceil(q × n)` values at or below it. `None` when empty.
pub fn quantile(dist: &BTreeMap<u64, u64>, q: f64) -> Option<u64> {
    let n: u64 = dist.values().sum();
    if n == 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as u64).clamp(1, n);
    let mut seen = 0;
    dist.iter().find_map(|(v, c)| {
        seen += c;
        (seen >= rank).then_some(*v)
    })
}

/// The mean of a distribution.
pub fn mean(dist: &BTreeMap<u64, u64>) -> Option<f64> {
    let n: u64 = dist.values().sum();
    let sum: f64 = dist.iter().map(|(v, c)| *v as f64 * *c as f64).sum();
    (n > 0).then(|| sum / n as f64)
}

/// Per-prefix counts at `depth` (1 to [`MAX_DEPTH`]); true when some prefix fell under
/// the per-hour cap.
pub fn prefixes<'a>(
    summaries: &'a [Arc<ObjectSummary>],
    source: Option<&'a str>,
    window: Window,
    depth: usize,
) -> (Map<&'a str, PrefixStats>, bool) {
    let d = depth.clamp(1, MAX_DEPTH) - 1;
    let mut out: Map<&str, PrefixStats> = Map::default();
    let mut capped = false;
    for h in hours(summaries, source, window) {
        capped |= h.prefixes_capped[d];
        for (p, s) in h.prefixes(d) {
            let e = out.entry(p).or_default();
            e.requests += s.requests;
            e.errors_4xx += s.errors_4xx;
            e.errors_5xx += s.errors_5xx;
            e.slowdowns += s.slowdowns;
        }
    }
    (out, capped)
}

#[cfg(test)]
mod tests;
