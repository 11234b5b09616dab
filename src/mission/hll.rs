//! A HyperLogLog distinct counter: how many different clients, in fixed memory.
//!
//! 2^12 one-byte registers (4 KiB) whatever the number of clients, standard error
//! 1.04 / √4096 ≈ 1.6 %. Small counts use linear counting, which is exact in practice for
//! a handful of clients (what a test or a quiet server sees). Two counters merge by
//! taking the larger register, so per-minute counters union into a 30-minute count.

const P: u32 = 12;
const M: usize = 1 << P;

/// Distinct 64-bit hashes seen, estimated.
#[derive(Clone)]
pub struct HyperLogLog {
    registers: Box<[u8; M]>,
}

impl std::fmt::Debug for HyperLogLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HyperLogLog")
            .field("estimate", &self.estimate())
            .finish()
    }
}

impl Default for HyperLogLog {
    fn default() -> Self {
        Self {
            registers: Box::new([0; M]),
        }
    }
}

impl HyperLogLog {
    /// Bytes held, whatever was inserted.
    pub const BYTES: usize = M;

    /// Adds one (well-mixed) 64-bit hash.
    pub fn insert(&mut self, hash: u64) {
        let index = (hash >> (64 - P)) as usize;
        // The remaining bits, with a sentinel so the rank is at most 64 - P + 1.
        let rest = (hash << P) | (1 << (P - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        let r = &mut self.registers[index];
        *r = (*r).max(rank);
    }

    /// Adds every hash `other` saw.
    pub fn merge(&mut self, other: &HyperLogLog) {
        for (a, b) in self.registers.iter_mut().zip(other.registers.iter()) {
            *a = (*a).max(*b);
        }
    }

    /// Forgets everything, keeping the allocation.
    pub fn clear(&mut self) {
        self.registers.fill(0);
    }

    /// The estimated number of distinct hashes, rounded.
    pub fn estimate(&self) -> u64 {
        let m = M as f64;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let sum: f64 = self
            .registers
            .iter()
            .map(|&r| 2f64.powi(-i32::from(r)))
            .sum();
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let raw = alpha * m * m / sum;
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        estimate.round() as u64
    }
}

#[cfg(test)]
mod tests;
