//! A fixed-length window cut into equal slots.
//!
//! Recording touches only the newest slot; when time moves on, slots that fall out of
//! the window are reset and reused. Memory is `slots × slot size`, independent of how
//! many operations arrive. Reading merges the slots — reads are rare (a dashboard
//! refresh, a curl), records are on every request.

use std::time::Duration;

use crate::telemetry::clock::UnixTime;

/// What a ring slot holds: it must be resettable.
pub(crate) trait Slot: Default {
    /// Empties the slot for reuse.
    fn reset(&mut self);
    /// Heap memory held beyond `size_of::<Self>()`.
    fn heap_bytes(&self) -> usize {
        0
    }
}

impl<T: Slot, const N: usize> Slot for [T; N]
where
    [T; N]: Default,
{
    fn reset(&mut self) {
        self.iter_mut().for_each(Slot::reset);
    }

    fn heap_bytes(&self) -> usize {
        self.iter().map(Slot::heap_bytes).sum()
    }
}

/// `slots.len()` slots of `width` each; the window is the newest `slots.len()` slots.
///
/// An operation recorded at time `t` stays in the window while the current slot number
/// is below `slot(t) + len`: for `t` on a slot boundary it leaves exactly one window
/// length later, otherwise up to one slot width earlier.
#[derive(Debug)]
pub(crate) struct Ring<S> {
    width_us: u64,
    slots: Box<[S]>,
    /// Absolute slot number (time / width) of the newest slot, once anything happened.
    head: Option<u64>,
    /// Index of the newest slot in `slots`, and the time its slot ends: the fast path of
    /// [`advance`](Self::advance) is one comparison, no division.
    cur: usize,
    head_end_us: u64,
}

impl<S: Slot> Ring<S> {
    pub(crate) fn new(width: Duration, len: usize) -> Self {
        Self {
            width_us: (width.as_micros() as u64).max(1),
            slots: (0..len.max(1)).map(|_| S::default()).collect(),
            head: None,
            cur: 0,
            head_end_us: 0,
        }
    }

    /// Moves the window so that `now` is in its newest slot, resetting what fell out.
    /// A clock that steps backwards keeps writing into the newest slot.
    #[inline]
    pub(crate) fn advance(&mut self, now: UnixTime) {
        if now.as_micros() >= self.head_end_us {
            self.rotate(now.as_micros() / self.width_us);
        }
    }

    fn rotate(&mut self, slot: u64) {
        let len = self.slots.len() as u64;
        if let Some(head) = self.head {
            let steps = (slot - head).min(len);
            for s in (slot - steps + 1)..=slot {
                self.slots[(s % len) as usize].reset();
            }
        }
        self.head = Some(slot);
        self.cur = (slot % len) as usize;
        self.head_end_us = (slot + 1) * self.width_us;
    }

    /// The newest slot. Call [`advance`](Self::advance) first.
    #[inline]
    pub(crate) fn current(&mut self) -> &mut S {
        &mut self.slots[self.cur]
    }

    /// Every slot of the window (as of the last `advance`); expired ones are empty.
    pub(crate) fn slots(&self) -> &[S] {
        &self.slots
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        let own = self.slots.len() * std::mem::size_of::<S>();
        own + self.slots.iter().map(Slot::heap_bytes).sum::<usize>()
    }
}

#[cfg(test)]
mod tests;
