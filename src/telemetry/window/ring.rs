//! A fixed-length window cut into equal slots, with a running total.
//!
//! Recording adds to the current slot *and* to the total; when time moves on, each slot
//! that falls out of the window is subtracted from the total and reset. Reading a window
//! is therefore O(1) whatever its length, and memory is `slots × slot size`, independent
//! of how many operations arrive.

use std::time::Duration;

use crate::telemetry::clock::UnixTime;

/// What a ring slot holds: it must be resettable and subtractable from a total.
pub(crate) trait Slot: Default {
    /// Removes `expired` (a slot leaving the window) from `self` (the running total).
    fn subtract(&mut self, expired: &Self);
    /// Empties the slot for reuse.
    fn reset(&mut self);
    /// Heap memory held beyond `size_of::<Self>()`.
    fn heap_bytes(&self) -> usize {
        0
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
    total: S,
}

impl<S: Slot> Ring<S> {
    pub(crate) fn new(width: Duration, len: usize) -> Self {
        Self {
            width_us: (width.as_micros() as u64).max(1),
            slots: (0..len.max(1)).map(|_| S::default()).collect(),
            head: None,
            total: S::default(),
        }
    }

    /// Moves the window so that `now` is in its newest slot, expiring what fell out.
    /// A clock that steps backwards keeps writing into the newest slot.
    pub(crate) fn advance(&mut self, now: UnixTime) {
        let slot = now.as_micros() / self.width_us;
        let Some(head) = self.head else {
            self.head = Some(slot);
            return;
        };
        if slot <= head {
            return;
        }
        let len = self.slots.len() as u64;
        let steps = (slot - head).min(len);
        for s in (slot - steps + 1)..=slot {
            let i = (s % len) as usize;
            self.total.subtract(&self.slots[i]);
            self.slots[i].reset();
        }
        self.head = Some(slot);
    }

    /// The newest slot and the running total, for recording into both.
    /// Call [`advance`](Self::advance) first.
    pub(crate) fn current_and_total(&mut self) -> (&mut S, &mut S) {
        let len = self.slots.len() as u64;
        let i = (self.head.unwrap_or(0) % len) as usize;
        (&mut self.slots[i], &mut self.total)
    }

    /// Everything in the window (as of the last `advance`).
    pub(crate) fn total(&self) -> &S {
        &self.total
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        let own = self.slots.len() * std::mem::size_of::<S>();
        own + self.slots.iter().map(Slot::heap_bytes).sum::<usize>() + self.total.heap_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug, PartialEq)]
    struct N(u64);
    impl Slot for N {
        fn subtract(&mut self, e: &Self) {
            self.0 -= e.0;
        }
        fn reset(&mut self) {
            self.0 = 0;
        }
    }

    fn add(r: &mut Ring<N>, t: u64, n: u64) {
        r.advance(UnixTime::from_secs(t));
        let (slot, total) = r.current_and_total();
        slot.0 += n;
        total.0 += n;
    }

    #[test]
    fn values_leave_one_window_length_later() {
        let mut r: Ring<N> = Ring::new(Duration::from_secs(10), 6); // 60 s window
        add(&mut r, 1000, 1);
        add(&mut r, 1030, 2);
        r.advance(UnixTime::from_secs(1059));
        assert_eq!(r.total(), &N(3));
        r.advance(UnixTime::from_secs(1060));
        assert_eq!(r.total(), &N(2));
        r.advance(UnixTime::from_secs(1089));
        assert_eq!(r.total(), &N(2));
        r.advance(UnixTime::from_secs(1090));
        assert_eq!(r.total(), &N(0));
    }

    #[test]
    fn a_long_gap_empties_the_window() {
        let mut r: Ring<N> = Ring::new(Duration::from_secs(1), 300);
        (0..300).for_each(|t| add(&mut r, 5000 + t, 1));
        assert_eq!(r.total(), &N(300));
        r.advance(UnixTime::from_secs(10_000_000));
        assert_eq!(r.total(), &N(0));
        assert!(r.slots.iter().all(|s| s.0 == 0));
    }

    #[test]
    fn a_clock_stepping_back_keeps_counting() {
        let mut r: Ring<N> = Ring::new(Duration::from_secs(1), 5);
        add(&mut r, 100, 1);
        add(&mut r, 90, 1);
        assert_eq!(r.total(), &N(2));
        r.advance(UnixTime::from_secs(105));
        assert_eq!(r.total(), &N(0));
    }
}
