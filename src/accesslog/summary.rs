//! One log object, digested once: for each source bucket and UTC hour its lines touch,
//! the counts every aggregate endpoint and the Prometheus families need. Summaries are what
//! the cache keeps, so a second query over the same logs reads and parses nothing.
//!
//! Everything is exact: counts, bytes, the set of client IPs, the per-prefix counts, and the
//! distributions of total and turn-around time (kept as value → count, so percentiles are
//! the true nearest-rank values, not estimates). What bounds memory is the cap on distinct
//! prefixes ([`MAX_PREFIXES`] per hour and depth; the rest are counted together and the
//! answer says so), the byte budget of whoever asks ([`Meter::charge`]; an object over it
//! is skipped, not cut) and the cache's byte cap.
//!
//! Time is linear in the object: each line finds its (bucket, hour) group, client, prefix
//! and operation by hash. An hour's clients, prefixes, operations and latency values live
//! in tables shared by the whole object (each hour holds ranges of them, see [`Hour`]), so
//! an hour with one request costs a few hundred bytes, not a few hash maps.

mod build;

use std::ops::{Deref, Range};
use std::sync::Arc;

use super::parse::{Compression, End, parse_object_until};

/// Prefix depths kept (`depth=` 1 to this).
pub const MAX_DEPTH: usize = 4;
/// Distinct prefixes kept per hour and depth; beyond, they count under [`OTHER_PREFIX`].
pub const MAX_PREFIXES: usize = 50_000;
/// Distinct operation names kept per hour; beyond, they count under `OTHER`.
pub const MAX_OPERATIONS: usize = 64;
/// The prefix under which prefixes beyond the cap are counted.
pub const OTHER_PREFIX: &str = "(other prefixes)";
/// Longest client text (a remote-IP field that is not an address) kept; a longer one is
/// cut and marked with `…`.
pub const MAX_CLIENT_TEXT: usize = 64;
/// Status classes, in [`StatusClass`](super::parse::StatusClass) order.
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
    /// The client of a remote-IP field; text longer than [`MAX_CLIENT_TEXT`] is cut.
    pub fn of(field: Option<&str>) -> Self {
        let text = field.unwrap_or("-");
        match text.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V4(v4)) => Self::Ip(u128::from(v4.to_ipv6_mapped())),
            Ok(std::net::IpAddr::V6(v6)) => Self::Ip(u128::from(v6)),
            Err(_) if text.len() > MAX_CLIENT_TEXT => {
                Self::Text(crate::telemetry::operation::bounded_text(text, MAX_CLIENT_TEXT).into())
            }
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

/// Counts of one source bucket in one UTC hour. Its clients, prefixes, operations and
/// latency values are read through [`Hour`].
#[derive(Debug, Clone, Default)]
pub struct HourAgg {
    pub bucket: Arc<str>,
    /// Start of the hour, unix seconds.
    pub hour: i64,
    pub requests: u64,
    pub bytes_sent: u64,
    pub by_class: [u64; CLASSES],
    pub by_method: [u64; METHODS.len()],
    /// Whether some prefix at a depth fell under [`OTHER_PREFIX`].
    pub prefixes_capped: [bool; MAX_DEPTH],
    operations: Range<u32>,
    clients: Range<u32>,
    prefixes: [Range<u32>; MAX_DEPTH],
    total_ms: Range<u32>,
    turn_around_ms: Range<u32>,
}

/// The rows of every hour of one object; each hour holds a range of each.
#[derive(Debug, Clone, Default)]
struct Tables {
    bucket_names: Vec<Arc<str>>,
    operation_names: Vec<Arc<str>>,
    client_names: Vec<Client>,
    prefix_names: Vec<Arc<str>>,
    /// (index in `operation_names`, requests by status class)
    operations: Vec<(u32, [u64; CLASSES])>,
    /// (index in `client_names`, stats)
    clients: Vec<(u32, ClientStats)>,
    /// (index in `prefix_names`, stats), every depth of every hour
    prefixes: Vec<(u32, PrefixStats)>,
    /// (milliseconds, requests), each hour's sorted by value
    total_ms: Vec<(u64, u64)>,
    turn_around_ms: Vec<(u64, u64)>,
}

/// One object, digested.
#[derive(Debug, Clone, Default)]
pub struct ObjectSummary {
    groups: Vec<HourAgg>,
    tables: Tables,
    pub lines: u64,
    pub malformed: u64,
    pub non_utf8: u64,
    pub bytes_read: u64,
}

/// One hour of an object, with what its tables hold for it.
#[derive(Debug, Clone, Copy)]
pub struct Hour<'a> {
    agg: &'a HourAgg,
    t: &'a Tables,
}

impl Deref for Hour<'_> {
    type Target = HourAgg;
    fn deref(&self) -> &HourAgg {
        self.agg
    }
}

fn rows<'a, T>(v: &'a [T], r: &Range<u32>) -> &'a [T] {
    &v[r.start as usize..r.end as usize]
}

impl<'a> Hour<'a> {
    /// Operation name (`REST.GET.OBJECT`) → requests by status class.
    pub fn operations(&self) -> impl Iterator<Item = (&'a str, &'a [u64; CLASSES])> + 'a {
        let t = self.t;
        rows(&t.operations, &self.agg.operations)
            .iter()
            .map(move |(i, row)| (&*t.operation_names[*i as usize], row))
    }

    pub fn clients(&self) -> impl Iterator<Item = (&'a Client, &'a ClientStats)> + 'a {
        let t = self.t;
        rows(&t.clients, &self.agg.clients)
            .iter()
            .map(move |(i, s)| (&t.client_names[*i as usize], s))
    }

    /// Prefix → stats at depth `d + 1` (`d` below [`MAX_DEPTH`]).
    pub fn prefixes(&self, d: usize) -> impl Iterator<Item = (&'a str, &'a PrefixStats)> + 'a {
        let t = self.t;
        rows(&t.prefixes, &self.agg.prefixes[d])
            .iter()
            .map(move |(i, s)| (&*t.prefix_names[*i as usize], s))
    }

    /// Total time (ms) → requests, sorted by value.
    pub fn total_ms(&self) -> &'a [(u64, u64)] {
        rows(&self.t.total_ms, &self.agg.total_ms)
    }

    /// Turn-around time (ms) → requests, sorted by value.
    pub fn turn_around_ms(&self) -> &'a [(u64, u64)] {
        rows(&self.t.turn_around_ms, &self.agg.turn_around_ms)
    }
}

/// Why an object was skipped as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Skipped {
    /// Its text is longer than the decoded cap (a gzip bomb, or an enormous object).
    TooLarge,
    /// Its gzip stream is damaged.
    CorruptGzip,
    /// Its summary would be larger than the [`Meter`] allows.
    SummaryTooLarge,
    /// The caller stopped it (its client left).
    Stopped,
}

/// Whoever runs a digest: asked every few hundred lines whether to stop, and charged
/// the summary's bytes as it grows.
pub trait Meter {
    fn stopped(&self) -> bool;
    /// Takes `bytes` more; false when they do not fit (the digest then stops).
    fn charge(&self, bytes: usize) -> bool;
}

/// A meter that never stops and takes everything.
pub struct Unmetered;

impl Meter for Unmetered {
    fn stopped(&self) -> bool {
        false
    }
    fn charge(&self, _: usize) -> bool {
        true
    }
}

/// Digests the bytes of object `key`; `max_decoded` caps the text produced.
pub fn summarize(key: &str, data: &[u8], max_decoded: u64) -> Result<ObjectSummary, Skipped> {
    summarize_metered(key, data, max_decoded, &Unmetered)
}

/// [`summarize`] run by `meter`: stopped when it says so, its bytes charged to it as
/// they grow (what was charged stays charged: the summary holds it).
pub fn summarize_metered(
    key: &str,
    data: &[u8],
    max_decoded: u64,
    meter: &dyn Meter,
) -> Result<ObjectSummary, Skipped> {
    let mut b = build::Builder::new(meter);
    let over = std::cell::Cell::new(false);
    let stop_or_over = || over.get() || meter.stopped();
    let report = parse_object_until(
        data,
        Compression::detect(key, data),
        max_decoded,
        &stop_or_over,
        |_, r| {
            if let Ok(line) = r
                && !b.add(&line)
            {
                over.set(true);
            }
        },
    );
    match report.end {
        End::Complete => {}
        End::TooLarge => return Err(Skipped::TooLarge),
        End::CorruptGzip => return Err(Skipped::CorruptGzip),
        End::Stopped if over.get() => return Err(Skipped::SummaryTooLarge),
        End::Stopped => return Err(Skipped::Stopped),
    }
    let (groups, tables) = b.finish();
    Ok(ObjectSummary {
        groups,
        tables,
        lines: report.stats.lines,
        malformed: report.stats.malformed,
        non_utf8: report.stats.non_utf8,
        bytes_read: report.stats.bytes_read,
    })
}

/// The index in [`METHODS`] of a request method.
pub fn method_index(method: Option<&str>) -> usize {
    let last = METHODS.len() - 1;
    method
        .and_then(|m| METHODS[..last].iter().position(|k| *k == m))
        .unwrap_or(last)
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

impl ObjectSummary {
    /// Every (source bucket, hour) of the object.
    pub fn hours(&self) -> impl Iterator<Item = Hour<'_>> {
        self.groups.iter().map(|agg| Hour {
            agg,
            t: &self.tables,
        })
    }

    /// Approximate heap bytes, for the cache's budget.
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let t = &self.tables;
        let names = |v: &[Arc<str>]| v.iter().map(|n| n.len() + 16).sum::<usize>();
        let clients: usize = t
            .client_names
            .iter()
            .map(|c| match c {
                Client::Text(s) => s.len(),
                Client::Ip(_) => 0,
            })
            .sum();
        self.groups.capacity() * size_of::<HourAgg>()
            + t.bucket_names.capacity() * 16
            + names(&t.bucket_names)
            + t.operation_names.capacity() * 16
            + names(&t.operation_names)
            + t.client_names.capacity() * size_of::<Client>()
            + clients
            + t.prefix_names.capacity() * 16
            + names(&t.prefix_names)
            + t.operations.capacity() * size_of::<(u32, [u64; CLASSES])>()
            + t.clients.capacity() * size_of::<(u32, ClientStats)>()
            + t.prefixes.capacity() * size_of::<(u32, PrefixStats)>()
            + (t.total_ms.capacity() + t.turn_around_ms.capacity()) * 16
            + size_of::<Self>()
    }
}

#[cfg(test)]
impl ObjectSummary {
    /// A summary of `n` empty hours, for the tests of what keeps summaries.
    pub(crate) fn of_empty_hours(n: usize) -> Self {
        Self {
            groups: vec![HourAgg::default(); n],
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests;
