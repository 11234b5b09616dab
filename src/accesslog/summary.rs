//! One log object, digested once: for each source bucket and UTC hour its lines touch,
//! the counts every aggregate endpoint and the Prometheus families need. Summaries are what
//! the cache keeps, so a second query over the same logs reads and parses nothing.
//!
//! Everything is exact: counts, bytes, the set of client IPs, the per-prefix counts, and the
//! distributions of total and turn-around time (kept as value → count, so percentiles are
//! the true nearest-rank values, not estimates). What bounds memory is the cap on distinct
//! prefixes ([`MAX_PREFIXES`] per hour and depth; the rest are counted together and the
//! answer says so) and the cache's byte cap.

use std::sync::Arc;

use hashbrown::HashMap;

use super::parse::{Compression, End, LogLine, ObjectReport, StatusClass, parse_object};

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Prefix depths kept (`depth=` 1 to this).
pub const MAX_DEPTH: usize = 4;
/// Distinct prefixes kept per hour and depth; beyond, they count under [`OTHER_PREFIX`].
pub const MAX_PREFIXES: usize = 50_000;
/// Distinct operation names kept per hour; beyond, they count under `OTHER`.
const MAX_OPERATIONS: usize = 64;
/// The prefix under which prefixes beyond the cap are counted.
pub const OTHER_PREFIX: &str = "(other prefixes)";
/// Status classes, in [`StatusClass`] order.
pub const CLASSES: usize = 6;
/// Request methods counted by name; the rest are `OTHER`.
pub const METHODS: [&str; 7] = ["GET", "PUT", "POST", "HEAD", "DELETE", "OPTIONS", "OTHER"];

/// A client, by address when it is one (IPv4 as mapped IPv6), else by its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Client {
    Ip(u128),
    Text(Box<str>),
}

impl Client {
    fn of(field: Option<&str>) -> Self {
        let text = field.unwrap_or("-");
        match text.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(v4)) => Self::Ip(u128::from(v4.to_ipv6_mapped())),
            Ok(std::net::IpAddr::V6(v6)) => Self::Ip(u128::from(v6)),
            Err(_) => Self::Text(text.into()),
        }
    }

    pub fn to_text(&self) -> String {
        match self {
            Self::Ip(n) => {
                let v6 = std::net::Ipv6Addr::from(*n);
                match v6.to_ipv4_mapped() {
                    Some(v4) => v4.to_string(),
                    None => v6.to_string(),
                }
            }
            Self::Text(t) => t.to_string(),
        }
    }
}

/// What one client did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub requests: u64,
    pub bytes: u64,
    /// Requests answered 4xx or 5xx.
    pub errors: u64,
}

/// What happened under one key prefix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PrefixStats {
    pub requests: u64,
    pub errors_4xx: u64,
    pub errors_5xx: u64,
    /// `SlowDown` answers and 503s: the store's per-prefix rate limit.
    pub slowdowns: u64,
}

/// Counts of one source bucket in one UTC hour.
#[derive(Debug, Clone, Default)]
pub struct HourAgg {
    pub bucket: Arc<str>,
    /// Start of the hour, unix seconds.
    pub hour: i64,
    pub requests: u64,
    pub bytes_sent: u64,
    pub by_class: [u64; CLASSES],
    pub by_method: [u64; METHODS.len()],
    /// Operation name (`REST.GET.OBJECT`) → requests by status class.
    pub by_operation: Vec<(Box<str>, [u64; CLASSES])>,
    pub clients: Map<Client, ClientStats>,
    /// Per depth (1-based index `depth - 1`): prefix → stats.
    pub prefixes: [Map<String, PrefixStats>; MAX_DEPTH],
    /// Whether some prefix at a depth fell under [`OTHER_PREFIX`].
    pub prefixes_capped: [bool; MAX_DEPTH],
    /// Total time (ms) → requests, sorted by value.
    pub total_ms: Vec<(u64, u64)>,
    /// Turn-around time (ms) → requests, sorted by value.
    pub turn_around_ms: Vec<(u64, u64)>,
}

/// One object, digested.
#[derive(Debug, Clone, Default)]
pub struct ObjectSummary {
    pub hours: Vec<HourAgg>,
    pub lines: u64,
    pub malformed: u64,
    pub non_utf8: u64,
    pub bytes_read: u64,
}

/// Why an object was skipped as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// Its text is longer than the decoded cap (a gzip bomb, or an enormous object).
    TooLarge,
    /// Its gzip stream is damaged.
    CorruptGzip,
}

/// Digests the bytes of object `key`; `max_decoded` caps the text produced.
pub fn summarize(key: &str, data: &[u8], max_decoded: u64) -> Result<ObjectSummary, Skipped> {
    let mut b = Builder::default();
    let report = parse_object(data, Compression::detect(key, data), max_decoded, |_, r| {
        if let Ok(line) = r {
            b.add(&line);
        }
    });
    b.finish(report)
}

/// An hour being built.
#[derive(Default)]
struct HourBuilder {
    agg: HourAgg,
    total: Map<u64, u64>,
    turn: Map<u64, u64>,
}

#[derive(Default)]
struct Builder {
    hours: Vec<HourBuilder>,
}

impl Builder {
    fn hour(&mut self, bucket: &str, hour: i64) -> &mut HourBuilder {
        let found = self
            .hours
            .iter()
            .position(|h| h.agg.hour == hour && &*h.agg.bucket == bucket);
        let i = found.unwrap_or_else(|| {
            self.hours.push(HourBuilder {
                agg: HourAgg {
                    bucket: Arc::from(bucket),
                    hour,
                    ..HourAgg::default()
                },
                ..HourBuilder::default()
            });
            self.hours.len() - 1
        });
        &mut self.hours[i]
    }

    fn add(&mut self, line: &LogLine<'_>) {
        let hour = line.time.div_euclid(3600) * 3600;
        let h = self.hour(line.bucket.unwrap_or("-"), hour);
        let class = line.status_class();
        let is_error = matches!(class, StatusClass::ClientError | StatusClass::ServerError);
        let a = &mut h.agg;
        a.requests += 1;
        a.bytes_sent += line.bytes_sent;
        a.by_class[class as usize] += 1;
        a.by_method[method_index(line.request_method())] += 1;
        count_operation(&mut a.by_operation, line.operation.unwrap_or("-"), class);
        let c = a.clients.entry(Client::of(line.remote_ip)).or_default();
        c.requests += 1;
        c.bytes += line.bytes_sent;
        c.errors += u64::from(is_error);
        if let Some(key) = line.key_decoded() {
            count_prefixes(a, &key, line);
        }
        if let Some(ms) = line.total_time_ms {
            *h.total.entry(ms).or_default() += 1;
        }
        if let Some(ms) = line.turn_around_ms {
            *h.turn.entry(ms).or_default() += 1;
        }
    }

    fn finish(self, report: ObjectReport) -> Result<ObjectSummary, Skipped> {
        match report.end {
            End::Complete => {}
            End::TooLarge => return Err(Skipped::TooLarge),
            End::CorruptGzip => return Err(Skipped::CorruptGzip),
        }
        let hours = self
            .hours
            .into_iter()
            .map(|mut h| {
                h.agg.total_ms = sorted(h.total);
                h.agg.turn_around_ms = sorted(h.turn);
                h.agg
            })
            .collect();
        Ok(ObjectSummary {
            hours,
            lines: report.stats.lines,
            malformed: report.stats.malformed,
            non_utf8: report.stats.non_utf8,
            bytes_read: report.stats.bytes_read,
        })
    }
}

fn sorted(m: Map<u64, u64>) -> Vec<(u64, u64)> {
    let mut v: Vec<(u64, u64)> = m.into_iter().collect();
    v.sort_unstable();
    v
}

/// The index in [`METHODS`] of a request method.
pub fn method_index(method: Option<&str>) -> usize {
    let last = METHODS.len() - 1;
    method
        .and_then(|m| METHODS[..last].iter().position(|k| *k == m))
        .unwrap_or(last)
}

fn count_operation(ops: &mut Vec<(Box<str>, [u64; CLASSES])>, op: &str, class: StatusClass) {
    let i = match ops.iter().position(|(name, _)| &**name == op) {
        Some(i) => i,
        None if ops.len() < MAX_OPERATIONS => {
            ops.push((op.into(), [0; CLASSES]));
            ops.len() - 1
        }
        None => match ops.iter().position(|(name, _)| &**name == "OTHER") {
            Some(i) => i,
            None => {
                ops.push(("OTHER".into(), [0; CLASSES]));
                ops.len() - 1
            }
        },
    };
    ops[i].1[class as usize] += 1;
}

/// The prefix of `key` at `depth`: its first `depth` folders with a trailing `/` (fewer
/// when it has fewer); `""` for a key at the top of the bucket.
pub fn prefix_at(key: &str, depth: usize) -> &str {
    let mut end = 0;
    for (n, (i, _)) in key.match_indices('/').enumerate() {
        if n == depth {
            break;
        }
        end = i + 1;
    }
    &key[..end]
}

fn count_prefixes(a: &mut HourAgg, key: &str, line: &LogLine<'_>) {
    let status = line.status.unwrap_or(0);
    let slow = status == 503 || line.error_code == Some("SlowDown");
    for d in 0..MAX_DEPTH {
        let prefix = prefix_at(key, d + 1);
        let map = &mut a.prefixes[d];
        let stats = if map.len() < MAX_PREFIXES || map.contains_key(prefix) {
            map.entry_ref(prefix).or_default()
        } else {
            a.prefixes_capped[d] = true;
            map.entry_ref(OTHER_PREFIX).or_default()
        };
        stats.requests += 1;
        stats.errors_4xx += u64::from((400..500).contains(&status));
        stats.errors_5xx += u64::from((500..600).contains(&status));
        stats.slowdowns += u64::from(slow);
    }
}

impl ObjectSummary {
    /// Approximate heap bytes, for the cache's budget.
    pub fn heap_bytes(&self) -> usize {
        self.hours.iter().map(HourAgg::heap_bytes).sum::<usize>() + 64
    }
}

impl HourAgg {
    fn heap_bytes(&self) -> usize {
        let clients = self.clients.capacity() * 48
            + self
                .clients
                .keys()
                .map(|c| match c {
                    Client::Text(t) => t.len(),
                    Client::Ip(_) => 0,
                })
                .sum::<usize>();
        let prefixes: usize = self
            .prefixes
            .iter()
            .map(|m| m.capacity() * 56 + m.keys().map(|k| k.len()).sum::<usize>())
            .sum();
        let dists = (self.total_ms.capacity() + self.turn_around_ms.capacity()) * 16;
        let ops = self.by_operation.capacity() * 72;
        std::mem::size_of::<Self>() + clients + prefixes + dists + ops
    }
}

#[cfg(test)]
mod tests;
