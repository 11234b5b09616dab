//! Mission Control: the HTTP-level view of the server, over every route.
//!
//! Where [`telemetry`](crate::telemetry) counts *storage operations*, this counts *HTTP
//! exchanges* — pages, `/health`, `/metrics`, admin calls, 404s — one record per
//! response, and never touches the storage figures. It knows nothing of axum: the
//! recording layer (`server::http_stats`) hands it an [`Exchange`].
//!
//! **Keys.** An exchange is counted under its matched route template and method
//! ([`routes`]), or `<unmatched>` (one key for every 404/405 the router answered, any
//! method); never a raw path. At most 64 keys, then `<other>`.
//!
//! **Time.** Counts go into one-minute slots on the injected [`Clock`] (a `ManualClock`
//! in tests). Every figure covers *complete* minutes: "1 m" is the last minute that
//! ended, "5 m" the last five, route tables the last 60, unique clients the last 30;
//! the minute in progress is reported on its own. 120 complete minutes are kept, so
//! the events of the last hour ([`events`]) each have a full hour of baseline.
//!
//! **Memory** is bounded whatever the traffic: 121 slots, each with exact counters and
//! a latency [`Sketch`] (≤ 4 KiB, ≤ 1 % relative error) for all routes, per-route cells
//! for the last 61 slots only, and a [`HyperLogLog`] of client addresses (4 KiB) for
//! the last 31 only — an anonymous client cannot grow any of it.

mod cell;
pub mod events;
mod hll;
mod report;
pub mod routes;

use std::hash::BuildHasher;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

pub use cell::Cell;
pub use events::{Event, EventKind};
pub use hll::HyperLogLog;
pub use report::{
    EventsAnswer, OverviewAnswer, SeriesAnswer, SeriesError, events_json, overview_json,
    series_json, series_params,
};

use crate::telemetry::sketch::{Sketch, bin_index};
use crate::telemetry::{Clock, HttpMethod, UnixTime};
use events::MinuteView;
use routes::{RouteId, RouteTable};

/// Complete minutes kept (plus the one in progress).
pub const RETAINED_MINUTES: u64 = 120;
/// Minutes the route tables cover.
pub const ROUTE_MINUTES: u64 = 60;
/// Minutes the unique-client count covers.
pub const CLIENT_MINUTES: u64 = 30;
/// Minutes whose events are reported.
pub const EVENT_MINUTES: u64 = 60;

/// One HTTP request and its response, as the recording layer saw it.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The matched route template; `None` when no route answered (404 for the path, or
    /// 405 for the method).
    pub route: Option<&'a str>,
    pub method: HttpMethod,
    pub status: u16,
    /// From the request entering the layer to the response head leaving it.
    pub latency: Duration,
    pub client: IpAddr,
}

/// Minutes since the Unix epoch.
pub fn minute_of(t: UnixTime) -> u64 {
    t.as_micros() / 60_000_000
}

/// A minute's start.
pub fn minute_start(minute: u64) -> UnixTime {
    UnixTime::from_secs(minute * 60)
}

#[derive(Debug, Default)]
struct Minute {
    minute: Option<u64>,
    total: Cell,
    /// Indexed by [`RouteId`].
    routes: Vec<Cell>,
    clients: Option<HyperLogLog>,
}

#[derive(Debug)]
struct State {
    routes: RouteTable,
    slots: Box<[Minute]>,
    newest: u64,
}

impl State {
    fn get(&self, minute: u64) -> Option<&Minute> {
        let slot = &self.slots[(minute % self.slots.len() as u64) as usize];
        (slot.minute == Some(minute)).then_some(slot)
    }

    /// The slot of `minute`, emptied if it held an older minute; `None` if it holds a
    /// newer one (the clock went back by more than the retention).
    fn slot_mut(&mut self, minute: u64) -> Option<&mut Minute> {
        if minute > self.newest {
            self.newest = minute;
            self.trim();
        }
        let n = self.slots.len() as u64;
        let slot = &mut self.slots[(minute % n) as usize];
        match slot.minute {
            Some(m) if m == minute => {}
            Some(m) if m > minute => return None,
            _ => {
                slot.minute = Some(minute);
                slot.total.clear();
                slot.routes.clear();
                if let Some(c) = &mut slot.clients {
                    c.clear();
                }
            }
        }
        Some(slot)
    }

    /// Frees what no query reads any more: routes past 60 minutes, clients past 30.
    fn trim(&mut self) {
        let newest = self.newest;
        for s in self.slots.iter_mut() {
            let Some(m) = s.minute else { continue };
            if m + ROUTE_MINUTES < newest && !s.routes.is_empty() {
                s.routes = Vec::new();
            }
            if m + CLIENT_MINUTES < newest {
                s.clients = None;
            }
        }
    }

    /// Totals merged over `minutes`.
    fn total(&self, minutes: std::ops::Range<u64>) -> Cell {
        let mut c = Cell::default();
        for m in minutes {
            if let Some(s) = self.get(m) {
                c.merge(&s.total);
            }
        }
        c
    }
}

/// The HTTP-level statistics of one server.
#[derive(Debug)]
pub struct HttpStats {
    clock: Arc<dyn Clock>,
    hasher: foldhash::quality::RandomState,
    started_minute: u64,
    state: Mutex<State>,
}

/// Per-route figures over the route window.
#[derive(Debug, Clone)]
pub struct RouteStats {
    pub route: String,
    /// `None` for the shared keys (`<unmatched>`, `<other>`).
    pub method: Option<HttpMethod>,
    pub cell: Cell,
}

/// What `/admin/api/mission-control` shows, read at one moment.
#[derive(Debug, Clone)]
pub struct Overview {
    pub now: UnixTime,
    pub last_1m: Cell,
    pub last_5m: Cell,
    pub current_minute: u64,
    pub routes: Vec<RouteStats>,
    pub route_keys: usize,
    pub unique_clients_30m: u64,
}

impl HttpStats {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        let now = minute_of(clock.now());
        Self {
            clock,
            hasher: foldhash::quality::RandomState::default(),
            started_minute: now,
            state: Mutex::new(State {
                routes: RouteTable::default(),
                slots: (0..=RETAINED_MINUTES).map(|_| Minute::default()).collect(),
                newest: now,
            }),
        }
    }

    pub fn now(&self) -> UnixTime {
        self.clock.now()
    }

    /// Counts one exchange.
    pub fn record(&self, e: &Exchange<'_>) {
        let minute = minute_of(self.clock.now());
        let bin = bin_index(e.latency.as_secs_f64() * 1000.0);
        let client = self.hasher.hash_one(e.client);
        let mut s = self.state.lock();
        let id = usize::from(s.routes.intern(e.route, e.method));
        let Some(slot) = s.slot_mut(minute) else {
            return;
        };
        slot.total.add(e.status, e.latency, bin);
        if slot.routes.len() <= id {
            // Exactly: the capacity is part of the documented memory bound.
            slot.routes.reserve_exact(id + 1 - slot.routes.len());
            slot.routes.resize_with(id + 1, Cell::default);
        }
        slot.routes[id].add(e.status, e.latency, bin);
        slot.clients
            .get_or_insert_with(HyperLogLog::default)
            .insert(client);
    }

    /// The figures of the complete minutes before now (see the module doc).
    pub fn overview(&self) -> Overview {
        let now = self.clock.now();
        let cur = minute_of(now);
        let s = self.state.lock();
        let mut per_route: Vec<Cell> = Vec::new();
        let mut clients = HyperLogLog::default();
        for m in cur.saturating_sub(ROUTE_MINUTES)..cur {
            let Some(slot) = s.get(m) else { continue };
            if per_route.len() < slot.routes.len() {
                per_route.resize_with(slot.routes.len(), Cell::default);
            }
            for (acc, c) in per_route.iter_mut().zip(&slot.routes) {
                if c.requests > 0 {
                    acc.merge(c);
                }
            }
            if m + CLIENT_MINUTES >= cur
                && let Some(h) = &slot.clients
            {
                clients.merge(h);
            }
        }
        let routes = per_route
            .into_iter()
            .enumerate()
            .filter(|(_, c)| c.requests > 0)
            .map(|(id, cell)| {
                let (route, method) = s.routes.key(id as RouteId);
                RouteStats {
                    route: route.to_string(),
                    method,
                    cell,
                }
            })
            .collect();
        Overview {
            now,
            last_1m: s.total(cur.saturating_sub(1)..cur),
            last_5m: s.total(cur.saturating_sub(5)..cur),
            current_minute: s.get(cur).map_or(0, |m| m.total.requests),
            routes,
            route_keys: s.routes.len(),
            unique_clients_30m: clients.estimate(),
        }
    }

    /// `window` complete minutes ending now, in steps of `resolution` minutes, oldest
    /// first: `(first minute of the step, totals)`. The caller validated both.
    pub fn series(&self, window: u64, resolution: u64) -> Vec<(u64, Cell)> {
        let cur = minute_of(self.clock.now());
        let s = self.state.lock();
        let first = cur.saturating_sub(window);
        (0..window / resolution.max(1))
            .map(|i| {
                let start = first + i * resolution;
                (start, s.total(start..start + resolution))
            })
            .collect()
    }

    /// The events of the last [`EVENT_MINUTES`] complete minutes, newest first.
    pub fn events(&self) -> Vec<Event> {
        let cur = minute_of(self.clock.now());
        let s = self.state.lock();
        let first = cur
            .saturating_sub(RETAINED_MINUTES)
            .max(self.started_minute);
        let empty: Sketch<u32> = Sketch::default();
        let views: Vec<MinuteView<'_>> = (first..cur)
            .map(|m| match s.get(m) {
                Some(slot) => MinuteView {
                    minute: m,
                    requests: slot.total.requests,
                    errors_5xx: slot.total.errors_5xx(),
                    sketch: &slot.total.sketch,
                },
                None => MinuteView {
                    minute: m,
                    requests: 0,
                    errors_5xx: 0,
                    sketch: &empty,
                },
            })
            .collect();
        let report_from = views
            .iter()
            .position(|v| v.minute + EVENT_MINUTES >= cur)
            .unwrap_or(views.len());
        let mut out = events::detect(&views, report_from);
        out.reverse();
        out
    }

    /// Heap memory held (for the memory test).
    pub fn heap_bytes(&self) -> usize {
        let s = self.state.lock();
        s.slots
            .iter()
            .map(|m| {
                m.total.heap_bytes()
                    + m.routes.capacity() * std::mem::size_of::<Cell>()
                    + m.routes.iter().map(Cell::heap_bytes).sum::<usize>()
                    + m.clients.as_ref().map_or(0, |_| HyperLogLog::BYTES)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests;
