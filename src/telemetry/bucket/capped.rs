//! A map of at most `cap` buckets plus `__other__`.
//!
//! The first `cap` distinct buckets seen in *successful* operations get their own label
//! value; anything else — later buckets, and buckets only ever seen failing (typos, other
//! people's buckets) — is counted under `__other__`, so no request can grow the series
//! count without bound.

use std::sync::Arc;

use hashbrown::HashMap;
use hashbrown::hash_map::EntryRef;

use super::OTHER_BUCKET;

type Map<V> = HashMap<Arc<str>, V, foldhash::fast::RandomState>;

/// Per-bucket values of type `V`, for at most `cap` buckets plus `__other__`.
#[derive(Debug, Clone)]
pub struct Capped<V> {
    cap: usize,
    map: Map<V>,
    other: V,
    /// Operations folded into `__other__` because the bucket had no place.
    pub overflow: u64,
}

impl<V: Default> Capped<V> {
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            map: Map::default(),
            other: V::default(),
            overflow: 0,
        }
    }

    /// The entry of `bucket`, claiming a place if `success` and there is room.
    #[inline]
    pub fn entry(&mut self, bucket: &str, success: bool) -> &mut V {
        let room = self.map.len() < self.cap;
        match self.map.entry_ref(bucket) {
            EntryRef::Occupied(e) => e.into_mut(),
            EntryRef::Vacant(e) if success && room => {
                e.insert_with_key(Arc::from(bucket), V::default())
            }
            EntryRef::Vacant(_) => {
                self.overflow += 1;
                &mut self.other
            }
        }
    }

    /// Every entry with its label value, `__other__` last.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.map
            .iter()
            .map(|(k, v)| (&**k, v))
            .chain(std::iter::once((OTHER_BUCKET, &self.other)))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut V)> {
        self.map
            .iter_mut()
            .map(|(k, v)| (&**k, v))
            .chain(std::iter::once((OTHER_BUCKET, &mut self.other)))
    }
}

#[cfg(test)]
mod tests;
