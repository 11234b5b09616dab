//! A mergeable percentile sketch with a relative-error guarantee.
//!
//! The DDSketch idea: a value `v` goes into the logarithmic bin `ceil(log_γ v)` with
//! `γ = (1 + α) / (1 − α)`; every value in a bin is within `α` of the bin's estimate,
//! so any quantile read back is within `α = 1 %` of the true value at that rank, however
//! many values went in. Bins are plain counts, so sketches add *and subtract* exactly —
//! the sliding windows keep a running total and subtract each slot as it expires.
//! Memory is bounded by the value range, not by the number of values.

/// Relative accuracy of every quantile: 1 %.
pub const RELATIVE_ACCURACY: f64 = 0.01;
/// `ln(γ)` for `γ = 1.01 / 0.99`; checked against the formula in the tests.
const LN_GAMMA: f64 = 0.020_000_666_706_669_533;
/// Smallest value resolved, in milliseconds (10 µs); smaller values land in its bin.
pub const MIN_VALUE_MS: f64 = 0.01;
/// Largest value resolved, in milliseconds (~2.8 h); larger values land in its bin.
/// The range bounds a sketch to 1,037 bins whatever goes in.
pub const MAX_VALUE_MS: f64 = 1.0e7;
/// Extra bins allocated on each growth, so a spreading distribution does not reallocate per value.
const GROWTH_SLACK: i32 = 16;

/// A bin counter: `u32` for the many short-lived slot sketches (half the memory),
/// `u64` for running totals that may count billions.
pub trait Bin: Copy + Default + PartialEq + std::fmt::Debug + Send + 'static {
    fn add(&mut self, n: u64);
    fn sub(&mut self, n: u64);
    fn get(self) -> u64;
}

impl Bin for u32 {
    #[inline]
    fn add(&mut self, n: u64) {
        *self = self.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn sub(&mut self, n: u64) {
        *self = self.saturating_sub(u32::try_from(n).unwrap_or(u32::MAX));
    }
    fn get(self) -> u64 {
        u64::from(self)
    }
}

impl Bin for u64 {
    #[inline]
    fn add(&mut self, n: u64) {
        *self = self.saturating_add(n);
    }
    fn sub(&mut self, n: u64) {
        *self = self.saturating_sub(n);
    }
    fn get(self) -> u64 {
        self
    }
}

/// Counts of values per logarithmic bin, stored densely over the range seen so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sketch<C: Bin = u64> {
    /// Bin index of `bins[0]`.
    offset: i32,
    bins: Vec<C>,
    count: u64,
}

/// The bin a value falls in; compute it once and insert it into many sketches.
pub fn bin_index(value_ms: f64) -> i32 {
    // NaN compares false everywhere, so it is clamped to the minimum as well.
    let v = if value_ms >= MIN_VALUE_MS {
        value_ms.min(MAX_VALUE_MS)
    } else {
        MIN_VALUE_MS
    };
    (v.ln() / LN_GAMMA).ceil() as i32
}

/// The estimate for bin `i`: equidistant (relatively) from both bin edges.
fn bin_value(i: i32) -> f64 {
    let gamma = LN_GAMMA.exp();
    2.0 * (LN_GAMMA * f64::from(i)).exp() / (gamma + 1.0)
}

/// The 1-based nearest rank `⌈q·n⌉` of the `q` quantile of `n > 0` values, in `1..=n`.
/// `q·n` is computed in floating point, where a product that is a whole number in exact
/// arithmetic (0.07 × 100) may come out a hair above it; such a hair is not a rank.
pub fn nearest_rank(q: f64, n: u64) -> u64 {
    let x = q.clamp(0.0, 1.0) * n as f64;
    let whole = x.round();
    let x = if (x - whole).abs() <= whole * 1e-12 {
        whole
    } else {
        x
    };
    (x.ceil() as u64).clamp(1, n.max(1))
}

fn index_bounds() -> (i32, i32) {
    (bin_index(MIN_VALUE_MS), bin_index(MAX_VALUE_MS))
}

impl<C: Bin> Sketch<C> {
    /// Adds one value (milliseconds).
    pub fn insert(&mut self, value_ms: f64) {
        self.insert_bin(bin_index(value_ms));
    }

    /// Adds one value by its [`bin_index`].
    #[inline]
    pub fn insert_bin(&mut self, bin: i32) {
        let i = bin - self.offset;
        match usize::try_from(i).ok().and_then(|i| self.bins.get_mut(i)) {
            Some(c) => c.add(1),
            None => self.bin_mut(bin).add(1),
        }
        self.count += 1;
    }

    /// Number of values held.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Adds every value of `other`.
    pub fn add<D: Bin>(&mut self, other: &Sketch<D>) {
        let Some((lo, hi)) = other.nonzero_range() else {
            return;
        };
        self.reserve_range(lo, hi);
        for i in lo..=hi {
            let c = other.bins[(i - other.offset) as usize].get();
            if c != 0 {
                self.bins[(i - self.offset) as usize].add(c);
            }
        }
        self.count += other.count;
    }

    /// Removes every value of `other`, which must have been added to `self` before.
    pub fn subtract<D: Bin>(&mut self, other: &Sketch<D>) {
        for (j, c) in other.bins.iter().enumerate() {
            let c = c.get();
            if c == 0 {
                continue;
            }
            let i = other.offset + j as i32 - self.offset;
            if let Some(b) = usize::try_from(i).ok().and_then(|i| self.bins.get_mut(i)) {
                b.sub(c);
            }
        }
        self.count = self.count.saturating_sub(other.count);
    }

    /// Forgets every value but keeps the allocation, so a reused slot does not reallocate.
    pub fn clear(&mut self) {
        if self.count != 0 {
            self.bins.fill(C::default());
            self.count = 0;
        }
    }

    /// The nearest-rank `q` quantile, within 1 %: the value at rank [`nearest_rank`]
    /// `⌈q·n⌉` (1-based) of the sorted values — with fewer than 100 values, p99 is the
    /// largest. `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let rank = nearest_rank(q, self.count);
        let mut seen = 0u64;
        for (j, c) in self.bins.iter().enumerate() {
            seen += c.get();
            if seen >= rank {
                return Some(bin_value(self.offset + j as i32));
            }
        }
        None
    }

    /// Heap memory held, for the memory benchmark.
    pub fn heap_bytes(&self) -> usize {
        self.bins.capacity() * std::mem::size_of::<C>()
    }

    fn nonzero_range(&self) -> Option<(i32, i32)> {
        let first = self.bins.iter().position(|c| c.get() != 0)?;
        let last = self.bins.iter().rposition(|c| c.get() != 0)?;
        Some((self.offset + first as i32, self.offset + last as i32))
    }

    fn bin_mut(&mut self, i: i32) -> &mut C {
        self.reserve_range(i, i);
        &mut self.bins[(i - self.offset) as usize]
    }

    /// Grows the dense store so bins `lo..=hi` exist, with some slack, inside the bounds.
    /// The new store is allocated at its exact size: memory stays bounded by the range.
    fn reserve_range(&mut self, lo: i32, hi: i32) {
        let (min_i, max_i) = index_bounds();
        let end = self.offset + self.bins.len() as i32 - 1;
        let empty = self.bins.is_empty();
        if !empty && lo >= self.offset && hi <= end {
            return;
        }
        let new_offset = if empty || lo < self.offset {
            (lo - GROWTH_SLACK).max(min_i)
        } else {
            self.offset
        };
        let new_end = if empty || hi > end {
            (hi + GROWTH_SLACK).min(max_i)
        } else {
            end
        };
        let mut bins = Vec::with_capacity((new_end - new_offset + 1) as usize);
        if !empty {
            bins.resize((self.offset - new_offset) as usize, C::default());
            bins.extend_from_slice(&self.bins);
        }
        bins.resize((new_end - new_offset + 1) as usize, C::default());
        self.bins = bins;
        self.offset = new_offset;
    }
}

#[cfg(test)]
mod tests;
