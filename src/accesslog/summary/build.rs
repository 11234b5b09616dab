//! Building one object's summary, a line at a time: every lookup by hash, each row added
//! to one table of the whole object keyed by (group, row), the tables sorted into the
//! summary's ranges once at the end. What the summary costs is counted on the way and
//! charged to the [`Meter`] in steps of [`CHARGE_STEP`], so an object over the budget stops
//! early instead of growing.

use std::hash::Hash;
use std::ops::Range;
use std::sync::Arc;

use hashbrown::hash_map::Entry;
use hashbrown::{Equivalent, HashMap};

use super::{
    CLASSES, Client, ClientStats, HourAgg, MAX_DEPTH, MAX_OPERATIONS, MAX_PREFIXES, Meter,
    OTHER_PREFIX, PrefixStats, Tables, method_index, prefix_at,
};
use crate::accesslog::parse::{LogLine, StatusClass};

type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Bytes counted before they are charged to the meter at once.
const CHARGE_STEP: usize = 64 * 1024;
/// Approximate bytes one row costs while building: its hash-table entry with slack, and
/// its copy in the summary.
const ROW: usize = 96;
/// Approximate bytes of a new name beyond its text.
const NAME: usize = 64;
/// Approximate bytes of a new (bucket, hour) group.
const GROUP: usize = 2 * std::mem::size_of::<Group>() + 32;

/// Names seen, each once, by index.
struct Names<K> {
    ids: Map<K, u32>,
    names: Vec<K>,
}

impl<K> Default for Names<K> {
    fn default() -> Self {
        Self {
            ids: Map::default(),
            names: Vec::new(),
        }
    }
}

impl<K: Hash + Eq + Clone> Names<K> {
    /// The index of `name` (made by `make` when new), charging a new one to `bytes`.
    fn id<Q>(&mut self, name: &Q, make: impl FnOnce(&Q) -> K, len: usize, bytes: &mut usize) -> u32
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        if let Some(i) = self.ids.get(name) {
            return *i;
        }
        let i = self.names.len() as u32;
        let k = make(name);
        self.ids.insert(k.clone(), i);
        self.names.push(k);
        *bytes += len + NAME;
        i
    }
}

fn arc(s: &str) -> Arc<str> {
    Arc::from(s)
}

/// The row of `k`, made (and charged to `bytes`) when new; true when it was.
fn row<'m, K: Hash + Eq, V: Default>(
    map: &'m mut Map<K, V>,
    k: K,
    bytes: &mut usize,
) -> (&'m mut V, bool) {
    match map.entry(k) {
        Entry::Occupied(e) => (e.into_mut(), false),
        Entry::Vacant(e) => {
            *bytes += ROW;
            (e.insert(V::default()), true)
        }
    }
}

/// A group being built: its counts, and how many operations and prefixes it has.
struct Group {
    agg: HourAgg,
    operations: usize,
    prefixes: [usize; MAX_DEPTH],
}

/// The summary being built, and what it costs so far.
pub(super) struct Builder<'m> {
    meter: &'m dyn Meter,
    /// Bytes counted, and how many of them were charged.
    bytes: usize,
    charged: usize,
    buckets: Names<Arc<str>>,
    /// (bucket, hour) → group.
    index: Map<(u32, i64), u32>,
    groups: Vec<Group>,
    operation_names: Names<Arc<str>>,
    client_names: Names<Client>,
    prefix_names: Names<Arc<str>>,
    /// (group, operation)
    operations: Map<(u32, u32), [u64; CLASSES]>,
    /// (group, client)
    clients: Map<(u32, u32), ClientStats>,
    /// (group, depth - 1, prefix)
    prefixes: Map<(u32, u8, u32), PrefixStats>,
    /// (group, milliseconds)
    total: Map<(u32, u64), u64>,
    turn: Map<(u32, u64), u64>,
}

impl<'m> Builder<'m> {
    pub(super) fn new(meter: &'m dyn Meter) -> Self {
        Self {
            meter,
            bytes: 0,
            charged: 0,
            buckets: Names::default(),
            index: Map::default(),
            groups: Vec::new(),
            operation_names: Names::default(),
            client_names: Names::default(),
            prefix_names: Names::default(),
            operations: Map::default(),
            clients: Map::default(),
            prefixes: Map::default(),
            total: Map::default(),
            turn: Map::default(),
        }
    }

    /// The group of (`bucket`, `hour`), made when new.
    fn group(&mut self, bucket: &str, hour: i64) -> u32 {
        let b = self.buckets.id(bucket, arc, bucket.len(), &mut self.bytes);
        let next = self.groups.len() as u32;
        let g = *self.index.entry((b, hour)).or_insert(next);
        if g == next {
            self.groups.push(Group {
                agg: HourAgg {
                    bucket: self.buckets.names[b as usize].clone(),
                    hour,
                    ..HourAgg::default()
                },
                operations: 0,
                prefixes: [0; MAX_DEPTH],
            });
            self.bytes += GROUP;
        }
        g
    }

    /// Adds one line; false once the meter refuses what the summary costs.
    pub(super) fn add(&mut self, line: &LogLine<'_>) -> bool {
        let hour = line.time.div_euclid(3600) * 3600;
        let g = self.group(line.bucket.unwrap_or("-"), hour);
        let class = line.status_class();
        let is_error = matches!(class, StatusClass::ClientError | StatusClass::ServerError);
        let a = &mut self.groups[g as usize].agg;
        a.requests += 1;
        a.bytes_sent += line.bytes_sent;
        a.by_class[class as usize] += 1;
        a.by_method[method_index(line.request_method())] += 1;
        self.count_operation(g, line.operation.unwrap_or("-"), class);
        let client = Client::of(line.remote_ip);
        let len = match &client {
            Client::Text(t) => t.len(),
            Client::Ip(_) => 0,
        };
        let c = self
            .client_names
            .id(&client, Client::clone, len, &mut self.bytes);
        let (s, _) = row(&mut self.clients, (g, c), &mut self.bytes);
        s.requests += 1;
        s.bytes += line.bytes_sent;
        s.errors += u64::from(is_error);
        if let Some(key) = line.key_decoded() {
            self.count_prefixes(g, &key, line);
        }
        if let Some(ms) = line.total_time_ms {
            *row(&mut self.total, (g, ms), &mut self.bytes).0 += 1;
        }
        if let Some(ms) = line.turn_around_ms {
            *row(&mut self.turn, (g, ms), &mut self.bytes).0 += 1;
        }
        let due = self.bytes - self.charged;
        if due < CHARGE_STEP {
            return true;
        }
        self.charged = self.bytes;
        self.meter.charge(due)
    }

    fn count_operation(&mut self, g: u32, op: &str, class: StatusClass) {
        let mut o = self.operation_names.id(op, arc, op.len(), &mut self.bytes);
        let group = &mut self.groups[g as usize];
        if group.operations >= MAX_OPERATIONS && !self.operations.contains_key(&(g, o)) {
            o = self.operation_names.id("OTHER", arc, 5, &mut self.bytes);
        }
        let (r, new) = row(&mut self.operations, (g, o), &mut self.bytes);
        r[class as usize] += 1;
        group.operations += usize::from(new);
    }

    fn count_prefixes(&mut self, g: u32, key: &str, line: &LogLine<'_>) {
        let status = line.status.unwrap_or(0);
        let slow = status == 503 || line.error_code == Some("SlowDown");
        // A key with fewer folders than a depth has the same prefix there: one lookup.
        let mut last: Option<(usize, u32)> = None;
        for d in 0..MAX_DEPTH {
            let prefix = prefix_at(key, d + 1);
            let mut p = match last {
                Some((len, p)) if len == prefix.len() => p,
                _ => self
                    .prefix_names
                    .id(prefix, arc, prefix.len(), &mut self.bytes),
            };
            last = Some((prefix.len(), p));
            let group = &mut self.groups[g as usize];
            let depth = d as u8;
            if group.prefixes[d] >= MAX_PREFIXES && !self.prefixes.contains_key(&(g, depth, p)) {
                group.agg.prefixes_capped[d] = true;
                let other = OTHER_PREFIX;
                p = self
                    .prefix_names
                    .id(other, arc, other.len(), &mut self.bytes);
            }
            let (stats, new) = row(&mut self.prefixes, (g, depth, p), &mut self.bytes);
            group.prefixes[d] += usize::from(new);
            stats.requests += 1;
            stats.errors_4xx += u64::from((400..500).contains(&status));
            stats.errors_5xx += u64::from((500..600).contains(&status));
            stats.slowdowns += u64::from(slow);
        }
    }

    /// The groups, each with its ranges of the tables.
    pub(super) fn finish(self) -> (Vec<HourAgg>, Tables) {
        // The rest, to be exact about what the summary holds (it fits: the last step did).
        let _ = self.meter.charge(self.bytes - self.charged);
        let n = self.groups.len();
        let mut groups: Vec<HourAgg> = self.groups.into_iter().map(|g| g.agg).collect();
        let (operations, r) = by_group(
            self.operations,
            n,
            |&(g, o)| (g, u64::from(o)),
            indexed,
            None,
        );
        groups.iter_mut().zip(r).for_each(|(h, r)| h.operations = r);
        let (clients, r) = by_group(self.clients, n, |&(g, c)| (g, u64::from(c)), indexed, None);
        groups.iter_mut().zip(r).for_each(|(h, r)| h.clients = r);
        let slot =
            |&(g, d, p): &(u32, u8, u32)| (g * MAX_DEPTH as u32 + u32::from(d), u64::from(p));
        let (prefixes, r) = by_group(self.prefixes, n * MAX_DEPTH, slot, indexed, None);
        for (i, r) in r.into_iter().enumerate() {
            groups[i / MAX_DEPTH].prefixes[i % MAX_DEPTH] = r;
        }
        let (total_ms, r) = by_group(self.total, n, |&(g, ms)| (g, ms), valued, Some(by_value));
        groups.iter_mut().zip(r).for_each(|(h, r)| h.total_ms = r);
        let (turn_around_ms, r) =
            by_group(self.turn, n, |&(g, ms)| (g, ms), valued, Some(by_value));
        groups
            .iter_mut()
            .zip(r)
            .for_each(|(h, r)| h.turn_around_ms = r);
        let tables = Tables {
            bucket_names: self.buckets.names,
            operation_names: self.operation_names.names,
            client_names: self.client_names.names,
            prefix_names: self.prefix_names.names,
            operations,
            clients,
            prefixes,
            total_ms,
            turn_around_ms,
        };
        (groups, tables)
    }
}

/// The rows of `map` made by `make` from (row key, value), placed slot by slot as
/// `order` says (slot, row key) — each slot's rows in no particular order, unless `sorted`
/// — and the range of each of the `slots`. Linear: counted, then placed.
fn by_group<K, V, R: Copy + Default>(
    map: Map<K, V>,
    slots: usize,
    order: impl Fn(&K) -> (u32, u64),
    make: impl Fn(u64, V) -> R,
    sorted: Option<fn(&R) -> u64>,
) -> (Vec<R>, Vec<Range<u32>>) {
    let mut ends = vec![0u32; slots];
    for k in map.keys() {
        ends[order(k).0 as usize] += 1;
    }
    let mut next = 0u32;
    let mut ranges: Vec<Range<u32>> = ends
        .iter()
        .map(|n| {
            next += n;
            next - n..next - n
        })
        .collect();
    let mut rows = vec![R::default(); next as usize];
    for (k, v) in map {
        let (slot, key) = order(&k);
        let r = &mut ranges[slot as usize];
        rows[r.end as usize] = make(key, v);
        r.end += 1;
    }
    if let Some(by) = sorted {
        for r in &ranges {
            rows[r.start as usize..r.end as usize].sort_unstable_by_key(by);
        }
    }
    (rows, ranges)
}

/// A row of a name's index.
fn indexed<V>(k: u64, v: V) -> (u32, V) {
    (k as u32, v)
}

/// A row of a latency value.
fn valued(k: u64, n: u64) -> (u64, u64) {
    (k, n)
}

/// The order of latency rows: by value.
fn by_value(r: &(u64, u64)) -> u64 {
    r.0
}
