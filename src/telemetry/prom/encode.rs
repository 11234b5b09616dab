//! Building metric families at scrape time, and the collector that does it.
//!
//! Hot-path counters are plain integers under the recorder's one lock (which the windows
//! need anyway): recording costs no atomic operations at all. At scrape time a
//! [`FnCollector`] copies them out and builds the families here.

use prometheus::core::{Collector, Desc};
use prometheus::proto::{
    Bucket, Counter, Gauge, Histogram, LabelPair, Metric, MetricFamily, MetricType,
};

use super::{LATENCY_BUCKETS, MetricName};

/// A latency histogram as plain counts (per bucket, not cumulative), in seconds.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hist {
    counts: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Hist {
    #[inline]
    pub fn observe(&mut self, seconds: f64) {
        let i = LATENCY_BUCKETS.partition_point(|b| *b < seconds);
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        self.count += 1;
        self.sum += seconds;
    }

    /// Counts `n` observations of `seconds` at once.
    pub fn observe_n(&mut self, seconds: f64, n: u64) {
        let i = LATENCY_BUCKETS.partition_point(|b| *b < seconds);
        if let Some(c) = self.counts.get_mut(i) {
            *c += n;
        }
        self.count += n;
        self.sum += seconds * n as f64;
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// A histogram from per-bucket counts (not cumulative), the total and the sum.
    pub fn from_parts(counts: [u64; LATENCY_BUCKETS.len()], count: u64, sum: f64) -> Self {
        Self { counts, count, sum }
    }

    fn to_proto(self) -> Histogram {
        let mut cumulative = 0;
        let buckets = LATENCY_BUCKETS
            .iter()
            .zip(self.counts)
            .map(|(le, c)| {
                cumulative += c;
                let mut b = Bucket::default();
                b.set_upper_bound(*le);
                b.set_cumulative_count(cumulative);
                b
            })
            .collect();
        let mut h = Histogram::default();
        h.set_bucket(buckets);
        h.set_sample_count(self.count);
        h.set_sample_sum(self.sum);
        h
    }
}

/// Label pairs from `(name, value)`s.
pub fn labels(pairs: &[(&str, &str)]) -> Vec<LabelPair> {
    pairs
        .iter()
        .map(|(k, v)| {
            let mut l = LabelPair::default();
            l.set_name((*k).to_string());
            l.set_value((*v).to_string());
            l
        })
        .collect()
}

fn family(name: MetricName, kind: MetricType, metrics: Vec<Metric>) -> MetricFamily {
    let mut f = MetricFamily::default();
    f.set_name(name.as_str().to_string());
    f.set_help(name.help().to_string());
    f.set_field_type(kind);
    f.set_metric(metrics);
    f
}

/// A counter family from `(labels, value)`s.
pub fn counters(name: MetricName, series: Vec<(Vec<LabelPair>, u64)>) -> MetricFamily {
    let metrics = series
        .into_iter()
        .map(|(l, v)| {
            let mut c = Counter::default();
            c.set_value(v as f64);
            let mut m = Metric::from_label(l);
            m.set_counter(c);
            m
        })
        .collect();
    family(name, MetricType::COUNTER, metrics)
}

/// A gauge family from `(labels, value)`s.
pub fn gauges(name: MetricName, series: Vec<(Vec<LabelPair>, f64)>) -> MetricFamily {
    let metrics = series
        .into_iter()
        .map(|(l, v)| {
            let mut g = Gauge::default();
            g.set_value(v);
            let mut m = Metric::from_label(l);
            m.set_gauge(g);
            m
        })
        .collect();
    family(name, MetricType::GAUGE, metrics)
}

/// A histogram family from `(labels, histogram)`s.
pub fn histograms(name: MetricName, series: Vec<(Vec<LabelPair>, Hist)>) -> MetricFamily {
    let metrics = series
        .into_iter()
        .map(|(l, h)| {
            let mut m = Metric::from_label(l);
            m.set_histogram(h.to_proto());
            m
        })
        .collect();
    family(name, MetricType::HISTOGRAM, metrics)
}

/// Renders families in the text format (tests and tools).
pub fn render_families(families: &[MetricFamily]) -> String {
    use prometheus::Encoder;
    let mut buf = Vec::new();
    let _ = prometheus::TextEncoder::new().encode(families, &mut buf);
    String::from_utf8(buf).unwrap_or_default()
}

/// The description of a family, for registration.
pub fn desc(name: MetricName, labels: &[&str]) -> Desc {
    let labels = labels.iter().map(|l| (*l).to_string()).collect();
    match Desc::new(
        name.as_str().into(),
        name.help().into(),
        labels,
        Default::default(),
    ) {
        Ok(d) => d,
        Err(e) => panic!("static metric description is valid: {e}"),
    }
}

type Gather = Box<dyn Fn() -> Vec<MetricFamily> + Send + Sync>;

/// A collector whose families are built by a closure at scrape time.
pub struct FnCollector {
    descs: Vec<Desc>,
    gather: Gather,
}

impl FnCollector {
    pub fn new(descs: Vec<Desc>, gather: Gather) -> Self {
        Self { descs, gather }
    }
}

impl Collector for FnCollector {
    fn desc(&self) -> Vec<&Desc> {
        self.descs.iter().collect()
    }

    fn collect(&self) -> Vec<MetricFamily> {
        (self.gather)()
    }
}
