//! Route keys: a matched route template and a method, interned into a small capped table.
//!
//! Keys come from the router's templates (`/tools/list-all`, `/s3/{bucket}/{*key}`),
//! never from raw paths. Every request no route answered — no path matched (404), or the
//! path's route lacks the method (405) — shares the one key [`UNMATCHED`], whatever its
//! method: anonymous clients cannot spend the table's slots on route × method pairs the
//! server does not serve. The table holds at most [`MAX_ROUTE_KEYS`] keys; later ones fold
//! into [`OTHER`], so no client can grow it. The two shared keys have no method (`*`).

use std::collections::HashMap;

use crate::telemetry::HttpMethod;

/// Most distinct (template, method) keys; the router has far fewer.
pub const MAX_ROUTE_KEYS: usize = 64;
/// The template of requests no route matched.
pub const UNMATCHED: &str = "<unmatched>";
/// Where keys past the cap are counted.
pub const OTHER: &str = "<other>";

const METHODS: [HttpMethod; 6] = [
    HttpMethod::Get,
    HttpMethod::Head,
    HttpMethod::Put,
    HttpMethod::Post,
    HttpMethod::Delete,
    HttpMethod::Other,
];
const UNSET: u16 = u16::MAX;

fn method_index(m: HttpMethod) -> usize {
    METHODS.iter().position(|x| *x == m).unwrap_or(5)
}

/// Index of a key in the table; `0` is [`OTHER`], `1` is [`UNMATCHED`].
pub type RouteId = u16;

/// The id of [`UNMATCHED`].
pub const UNMATCHED_ID: RouteId = 1;

/// The interned keys.
#[derive(Debug)]
pub(crate) struct RouteTable {
    /// foldhash, not SipHash: looked up on every request, keyed by the router's own
    /// templates (no attacker chooses them).
    by_template: HashMap<Box<str>, [u16; 6], foldhash::fast::RandomState>,
    /// Template and method; no method for the shared keys.
    keys: Vec<(Box<str>, Option<HttpMethod>)>,
}

impl Default for RouteTable {
    fn default() -> Self {
        Self {
            by_template: HashMap::default(),
            keys: vec![(OTHER.into(), None), (UNMATCHED.into(), None)],
        }
    }
}

impl RouteTable {
    /// The id of `(template, method)`, adding it while there is room; [`UNMATCHED_ID`]
    /// without a template.
    pub fn intern(&mut self, template: Option<&str>, method: HttpMethod) -> RouteId {
        let Some(template) = template else {
            return UNMATCHED_ID;
        };
        let m = method_index(method);
        if let Some(ids) = self.by_template.get(template)
            && ids[m] != UNSET
        {
            return ids[m];
        }
        if self.keys.len() >= MAX_ROUTE_KEYS {
            return 0;
        }
        let id = self.keys.len() as u16;
        self.keys.push((template.into(), Some(method)));
        self.by_template
            .entry(template.into())
            .or_insert([UNSET; 6])[m] = id;
        id
    }

    /// Template and method of `id` (no method for [`OTHER`] and [`UNMATCHED`]).
    pub fn key(&self, id: RouteId) -> (&str, Option<HttpMethod>) {
        let (t, m) = &self.keys[usize::from(id)];
        (t, *m)
    }

    /// Keys interned (including [`OTHER`] and [`UNMATCHED`]).
    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

#[cfg(test)]
mod tests;
