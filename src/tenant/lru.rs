//! A bounded map, least recently used out first: the shape the tenant's small caches
//! share (the verification keys of gateway credentials, their opened tokens). Eviction
//! scans for the oldest entry, which is cheap at these capacities (the client-cache size).

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;

/// The map; each entry remembers when it was last used on the map's own clock.
#[derive(Debug)]
pub struct Lru<K, V> {
    capacity: usize,
    map: HashMap<K, (V, u64)>,
    clock: u64,
}

impl<K: Eq + Hash + Clone, V> Lru<K, V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.max(1),
            map: HashMap::new(),
            clock: 0,
        }
    }

    /// The value of `key`, marked as just used.
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.clock += 1;
        let (value, used) = self.map.get_mut(key)?;
        *used = self.clock;
        Some(value)
    }

    /// Puts `value` under `key`; a new key in a full map takes the least recently used
    /// entry's place.
    pub fn insert(&mut self, key: K, value: V) {
        self.clock += 1;
        if self.map.len() >= self.capacity && !self.map.contains_key(&key) {
            let oldest = self.map.iter().min_by_key(|(_, (_, u))| *u);
            if let Some(k) = oldest.map(|(k, _)| k.clone()) {
                self.map.remove(&k);
            }
        }
        self.map.insert(key, (value, self.clock));
    }

    pub fn remove<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.remove(key);
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

#[cfg(test)]
mod tests;
