//! Figures kept per S3 API, only for the APIs that occurred: the vocabulary has some
//! eighty names, a workload uses a handful, so a dense array per window slot or per
//! bucket would be mostly zeros.

use super::api::S3Api;
use crate::telemetry::window::Slot;

/// `T` per API, in first-seen order; a lookup is a scan of the few entries present.
#[derive(Debug, Clone, Default)]
pub struct PerApi<T> {
    entries: Vec<(S3Api, T)>,
}

impl<T: Default> PerApi<T> {
    /// Entries for `apis` present from the start (for series that exist from the first
    /// scrape).
    pub fn with(apis: &[S3Api]) -> Self {
        Self {
            entries: apis.iter().map(|a| (*a, T::default())).collect(),
        }
    }

    /// `api`'s entry, made when missing.
    #[inline]
    pub fn entry(&mut self, api: S3Api) -> &mut T {
        let i = match self.entries.iter().position(|(a, _)| *a == api) {
            Some(i) => i,
            None => {
                self.entries.push((api, T::default()));
                self.entries.len() - 1
            }
        };
        &mut self.entries[i].1
    }
}

impl<T> PerApi<T> {
    pub fn get(&self, api: S3Api) -> Option<&T> {
        self.entries.iter().find(|(a, _)| *a == api).map(|(_, t)| t)
    }

    pub fn iter(&self) -> impl Iterator<Item = (S3Api, &T)> {
        self.entries.iter().map(|(a, t)| (*a, t))
    }

    /// The entries in vocabulary order.
    pub fn sorted(&self) -> Vec<(S3Api, &T)> {
        let mut v: Vec<_> = self.iter().collect();
        v.sort_by_key(|(a, _)| *a);
        v
    }
}

impl<T: Slot> Slot for PerApi<T> {
    fn reset(&mut self) {
        self.entries.clear();
    }

    fn heap_bytes(&self) -> usize {
        self.entries.capacity() * std::mem::size_of::<(S3Api, T)>()
            + self
                .entries
                .iter()
                .map(|(_, t)| t.heap_bytes())
                .sum::<usize>()
    }
}
