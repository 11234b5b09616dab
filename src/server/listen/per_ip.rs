//! The per-address connection cap (`MAX_CONNECTIONS_PER_IP`): one client address (IPv6:
//! its /64) may hold at most this many open connections; a further one is closed as soon
//! as it is accepted, so one client cannot take every slot of `MAX_CONNECTIONS`. The
//! trusted proxies (`TRUSTED_PROXIES`) are exempt: behind one, every client is its
//! address. The table holds only addresses with open connections.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use parking_lot::Mutex;

use super::super::client_ip::{TrustedProxies, limit_key};

/// Open connections per address.
#[derive(Debug)]
pub struct PerIp {
    max: usize,
    exempt: TrustedProxies,
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One admitted connection's place; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    table: Arc<PerIp>,
    key: Option<IpAddr>,
}

impl PerIp {
    /// `max == 0`: no cap.
    pub fn new(max: usize, exempt: TrustedProxies) -> Arc<Self> {
        Arc::new(Self {
            max,
            exempt,
            open: Mutex::new(HashMap::new()),
        })
    }

    /// A place for a connection from `peer`, or `None` when its address has all of its.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Option<Slot> {
        if self.max == 0 || self.exempt.trusts(peer) {
            return Some(Slot {
                table: self.clone(),
                key: None,
            });
        }
        let key = limit_key(peer);
        let mut open = self.open.lock();
        let n = open.entry(key).or_insert(0);
        if *n >= self.max {
            if *n == 0 {
                open.remove(&key);
            }
            return None;
        }
        *n += 1;
        Some(Slot {
            table: self.clone(),
            key: Some(key),
        })
    }

    #[cfg(test)]
    pub fn addresses(&self) -> usize {
        self.open.lock().len()
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let Some(key) = self.key else { return };
        let mut open = self.table.open.lock();
        if let Some(n) = open.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                open.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests;
