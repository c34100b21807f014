//! Bit-packed module rows: the representation every hot loop of this crate works on.
//!
//! A row of a QR symbol is at most 177 modules, so three 64-bit words hold any row; module `x`
//! is bit `x % 64` of word `x / 64`. Mask selection uses `Bits<N>` with the fewest words that
//! hold the symbol (one word up to version 11), so small symbols pay for one word, not three.

use std::ops::{BitAnd, BitOr, BitXor, Not};

/// Words needed for the widest symbol (version 40, 177 modules).
pub(crate) const WORDS: usize = 3;

/// One packed row of the widest symbol; narrower rows leave the high bits zero.
pub(crate) type Row = [u64; WORDS];

/// Sets module `x` of `row` to `dark`.
pub(crate) fn set(row: &mut Row, x: usize, dark: bool) {
    let bit = 1u64 << (x % 64);
    if dark {
        row[x / 64] |= bit;
    } else {
        row[x / 64] &= !bit;
    }
}

/// Whether module `x` of `row` is set.
pub(crate) fn get(row: &Row, x: usize) -> bool {
    row[x / 64] >> (x % 64) & 1 == 1
}

/// A row of `N` words with the bitwise operations the penalty rules are written in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct Bits<const N: usize>(pub [u64; N]);

impl<const N: usize> Bits<N> {
    pub const ZERO: Self = Bits([0; N]);

    /// The first `n` bits set: the modules of a row `n` wide.
    pub fn ones(n: usize) -> Self {
        let mut w = [0u64; N];
        for (i, word) in w.iter_mut().enumerate() {
            let lo = i * 64;
            if n >= lo + 64 {
                *word = u64::MAX;
            } else if n > lo {
                *word = (1u64 << (n - lo)) - 1;
            }
        }
        Bits(w)
    }

    /// The first `N` words of a full-width row.
    pub fn from_row(row: &Row) -> Self {
        let mut w = [0u64; N];
        w.copy_from_slice(&row[..N]);
        Bits(w)
    }

    /// Bit `x` of the result is bit `x + k` of `self` (towards column 0); zeros come in at
    /// the far end. `k` is below 64.
    #[inline(always)]
    pub fn down(self, k: u32) -> Self {
        Bits(std::array::from_fn(|i| {
            let hi = if i + 1 < N && k > 0 {
                self.0[i + 1] << (64 - k)
            } else {
                0
            };
            (self.0[i] >> k) | hi
        }))
    }

    /// Bit `x` of the result is bit `x - k` of `self` (away from column 0); zeros come in at
    /// column 0. `k` is between 1 and 63.
    #[inline(always)]
    pub fn up(self, k: u32) -> Self {
        Bits(std::array::from_fn(|i| {
            let lo = if i > 0 { self.0[i - 1] >> (64 - k) } else { 0 };
            (self.0[i] << k) | lo
        }))
    }

    #[inline(always)]
    pub fn count(self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
}

impl<const N: usize> BitAnd for Bits<N> {
    type Output = Self;
    #[inline(always)]
    fn bitand(self, o: Self) -> Self {
        Bits(std::array::from_fn(|i| self.0[i] & o.0[i]))
    }
}

impl<const N: usize> BitOr for Bits<N> {
    type Output = Self;
    #[inline(always)]
    fn bitor(self, o: Self) -> Self {
        Bits(std::array::from_fn(|i| self.0[i] | o.0[i]))
    }
}

impl<const N: usize> BitXor for Bits<N> {
    type Output = Self;
    #[inline(always)]
    fn bitxor(self, o: Self) -> Self {
        Bits(std::array::from_fn(|i| self.0[i] ^ o.0[i]))
    }
}

impl<const N: usize> Not for Bits<N> {
    type Output = Self;
    #[inline(always)]
    fn not(self) -> Self {
        Bits(std::array::from_fn(|i| !self.0[i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_carry_bits_across_words() {
        let b = Bits::<2>([1 << 63, 0b101]);
        assert_eq!(b.down(1), Bits([1 << 62 | 1 << 63, 0b10]));
        assert_eq!(b.up(1), Bits([0, 0b1011]));
        assert_eq!(Bits::<3>::ones(130), Bits([u64::MAX, u64::MAX, 0b11]));
    }

    #[test]
    fn set_and_get_agree() {
        let mut r = [0; WORDS];
        set(&mut r, 176, true);
        set(&mut r, 64, true);
        set(&mut r, 64, false);
        assert!(get(&r, 176) && !get(&r, 64));
    }
}
