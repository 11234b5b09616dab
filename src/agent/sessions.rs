//! Chat memory per session: the last bucket talked about and the last few turns.
//!
//! Keyed by (the tenant's credential cache key, session id): a session id is only a name
//! inside one tenant's space, so another tenant who sends the same id starts empty. The
//! cache key covers the secret as well as key, endpoint and region (the public
//! fingerprint does not), so only the same full credentials reach a session. Bounded in count
//! (least recently used goes first), in age (idle sessions expire) and in size (turns and
//! their texts are capped).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Whose sessions: the tenant's credential cache key (`Tenant::cache_key`).
pub type TenantKey = [u8; 32];

/// Sessions kept at most.
pub const MAX_SESSIONS: usize = 1024;
/// Idle time after which a session is forgotten.
pub const SESSION_TTL: Duration = Duration::from_secs(30 * 60);
/// Turns (question and answer) remembered per session.
pub const MAX_TURNS: usize = 4;
/// Longest text of a remembered question or answer, bytes.
const MAX_TURN_TEXT: usize = 2000;
/// Longest session id accepted.
pub const MAX_SESSION_ID: usize = 128;

/// What a session remembers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    pub last_bucket: Option<String>,
    /// Oldest first: (question, answer).
    pub turns: VecDeque<(String, String)>,
}

impl Memory {
    /// Adds a turn, dropping the oldest beyond [`MAX_TURNS`].
    pub fn push_turn(&mut self, question: &str, answer: &str) {
        self.turns.push_back((cap(question), cap(answer)));
        while self.turns.len() > MAX_TURNS {
            self.turns.pop_front();
        }
    }
}

fn cap(s: &str) -> String {
    if s.len() <= MAX_TURN_TEXT {
        return s.to_string();
    }
    let mut cut = MAX_TURN_TEXT;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}…", &s[..cut])
}

/// Whether `id` may name a session: 1–128 of `A-Z a-z 0-9 . _ : -`.
pub fn valid_session_id(id: &str) -> bool {
    (1..=MAX_SESSION_ID).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._:-".contains(&b))
}

struct Entry {
    memory: Memory,
    touched: Instant,
}

/// The sessions of a server.
pub struct Sessions {
    capacity: usize,
    ttl: Duration,
    map: Mutex<HashMap<(TenantKey, String), Entry>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("len", &self.map.lock().len())
            .finish()
    }
}

impl Default for Sessions {
    fn default() -> Self {
        Self::new(MAX_SESSIONS, SESSION_TTL)
    }
}

impl Sessions {
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            capacity: capacity.max(1),
            ttl,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The memory of `tenant`'s session `id` (empty when unknown or expired).
    pub fn get(&self, tenant: TenantKey, id: &str, now: Instant) -> Memory {
        let mut map = self.map.lock();
        let key = (tenant, id.to_string());
        match map.get(&key) {
            Some(e) if now.saturating_duration_since(e.touched) < self.ttl => e.memory.clone(),
            Some(_) => {
                map.remove(&key);
                Memory::default()
            }
            None => Memory::default(),
        }
    }

    /// Stores `memory`; at capacity, expired sessions go first, then the least recently used.
    pub fn put(&self, tenant: TenantKey, id: &str, memory: Memory, now: Instant) {
        let mut map = self.map.lock();
        let key = (tenant, id.to_string());
        if !map.contains_key(&key) && map.len() >= self.capacity {
            let ttl = self.ttl;
            map.retain(|_, e| now.saturating_duration_since(e.touched) < ttl);
            if map.len() >= self.capacity {
                let oldest = map
                    .iter()
                    .min_by_key(|(_, e)| e.touched)
                    .map(|(k, _)| k.clone());
                oldest.and_then(|k| map.remove(&k));
            }
        }
        map.insert(
            key,
            Entry {
                memory,
                touched: now,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.map.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests;
