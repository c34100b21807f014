//! Which Reed-Solomon blocks a covered area of a symbol damages, and by how much: the check
//! that lets a logo sit on a code while the code still reads.
//!
//! A module hidden under a logo (or its clear zone) is assumed wrong, whatever its colour. A
//! codeword with any wrong module is a wrong codeword; its block corrects up to half its
//! error-correction codewords (fewer in the smallest symbols, where the standard reserves a
//! few for misdecode protection, ISO/IEC 18004 table 9 note). A covered function module is
//! worse: finders, timing, format and version information and the bottom-right alignment
//! pattern are what a reader locates and samples the grid with, so covering any of them fails
//! the check outright. (Other alignment patterns, such as version 7's central one, are not
//! used by readers that find the grid from the finders and the bottom-right pattern.)

use crate::layout::template;
use crate::rows::get;
use crate::{EcLevel, Symbol, to_qrcode};

/// How hard the most loaded Reed-Solomon block of a symbol is hit by a covered area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Damage {
    /// Wrong codewords in the worst block.
    pub worst_block_errors: usize,
    /// Errors that block can correct.
    pub worst_block_capacity: usize,
    /// Whether a function pattern readers depend on is covered.
    pub covers_function_pattern: bool,
}

impl Damage {
    /// Whether every block keeps at least `spare` (0 to 1) of its correction capacity
    /// unused and no needed function pattern is covered.
    pub fn fits(&self, spare: f64) -> bool {
        !self.covers_function_pattern
            && self.worst_block_errors as f64
                <= (self.worst_block_capacity as f64 * (1.0 - spare)).floor()
    }
}

/// The block structure of a version and level: how many blocks, data codewords per block
/// (the last `long` blocks have one more) and error-correction codewords.
struct Blocks {
    count: usize,
    data_per_block: usize,
    long: usize,
    /// Error-correction codewords in all.
    ec_total: usize,
    /// Errors each block corrects.
    capacity: usize,
}

/// Reads the block structure off the `qrcode` crate's codeword construction: data codeword 1
/// of block 0 lands at interleaved position `count`.
fn blocks(version: u8, ec: EcLevel) -> Blocks {
    let v = qrcode::Version::Normal(i16::from(version));
    let qec = to_qrcode(ec);
    let data = qrcode::bits::Bits::new(v)
        .max_len(qec)
        .expect("every normal version has a capacity at every level")
        / 8;
    let total = template(version).order_len() / 8;
    let mut probe = vec![0u8; data];
    probe[1] = 1;
    let (interleaved, ecc) =
        qrcode::ec::construct_codewords(&probe, v, qec).expect("a valid version and level");
    let count = interleaved
        .iter()
        .position(|&b| b == 1)
        .expect("the probe byte is placed");
    debug_assert_eq!(data + ecc.len(), total);
    let ec_per_block = ecc.len() / count;
    // Misdecode protection codewords (table 9): only single-block symbols have any.
    let reserved = match (version, ec) {
        (1, EcLevel::L) => 3,
        (1, EcLevel::M) | (2, EcLevel::L) => 2,
        (1, _) | (3, EcLevel::L) => 1,
        _ => 0,
    };
    Blocks {
        count,
        ec_total: ecc.len(),
        data_per_block: data / count,
        long: data % count,
        capacity: (ec_per_block - reserved) / 2,
    }
}

impl Blocks {
    /// The block that interleaved codeword `i` (data first, then error correction) belongs to.
    fn block_of(&self, i: usize) -> usize {
        let short = self.count - self.long;
        let data = self.count * self.data_per_block + self.long;
        debug_assert!(i < data + self.ec_total);
        if i < data {
            let column_full = self.count * self.data_per_block;
            if i < column_full {
                i % self.count
            } else {
                // The extra column holds only the long blocks.
                short + (i - column_full)
            }
        } else {
            (i - data) % self.count
        }
    }
}

/// The damage done to `symbol` by covering the modules for which `covered(x, y)` is true.
pub fn damage(symbol: &Symbol, covered: impl Fn(usize, usize) -> bool) -> Damage {
    let version = symbol.version();
    let t = template(version);
    let b = blocks(version, symbol.ec_level());
    let mut errors = vec![0usize; b.count];
    for (i, spots) in t.order_chunks().enumerate() {
        if spots.len() < 8 {
            break; // remainder bits carry nothing
        }
        if spots.iter().any(|&(x, y)| covered(x, y)) {
            errors[b.block_of(i)] += 1;
        }
    }
    let w = t.width;
    let mut function_hit = false;
    for y in 0..w {
        for x in 0..w {
            if get(&t.function[y], x) && covered(x, y) && !t.is_spare_alignment(x, y) {
                function_hit = true;
            }
        }
    }
    Damage {
        worst_block_errors: errors.iter().copied().max().unwrap_or(0),
        worst_block_capacity: b.capacity,
        covers_function_pattern: function_hit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode;

    #[test]
    fn block_structures_match_the_standards_table_where_it_is_well_known() {
        // (version, level) → (blocks, data per short block, long blocks, ec per block)
        for (v, ec, want) in [
            (1, EcLevel::L, (1, 19, 0, 7)),
            (1, EcLevel::H, (1, 9, 0, 17)),
            (4, EcLevel::H, (4, 9, 0, 16)),
            (5, EcLevel::Q, (4, 15, 2, 18)),
            (40, EcLevel::H, (81, 15, 61, 30)),
        ] {
            let b = blocks(v, ec);
            assert_eq!(
                (b.count, b.data_per_block, b.long, b.ec_total / b.count),
                want,
                "{v}-{ec}"
            );
        }
    }

    #[test]
    fn block_of_inverts_the_interleaving_of_the_qrcode_crate() {
        for (v, ec) in [(5, EcLevel::Q), (13, EcLevel::M), (40, EcLevel::H)] {
            let b = blocks(v, ec);
            let data = b.count * b.data_per_block + b.long;
            // Tag each data codeword with its block number and see where each one lands.
            let mut raw = Vec::with_capacity(data);
            for block in 0..b.count {
                let len = b.data_per_block + usize::from(block >= b.count - b.long);
                raw.extend(std::iter::repeat_n(block as u8, len));
            }
            let (interleaved, _) = qrcode::ec::construct_codewords(
                &raw,
                qrcode::Version::Normal(i16::from(v)),
                to_qrcode(ec),
            )
            .unwrap();
            for (i, &tag) in interleaved.iter().enumerate() {
                assert_eq!(b.block_of(i), usize::from(tag), "{v}-{ec} codeword {i}");
            }
        }
    }

    #[test]
    fn an_uncovered_symbol_is_undamaged_and_a_finder_is_fatal() {
        let s = encode(b"https://example.com/product/123", EcLevel::H).unwrap();
        let none = damage(&s, |_, _| false);
        assert_eq!(none.worst_block_errors, 0);
        assert_eq!(none.worst_block_capacity, 8);
        assert!(none.fits(0.25));
        let finder = damage(&s, |x, y| x < 3 && y < 3);
        assert!(finder.covers_function_pattern && !finder.fits(0.0));
    }

    #[test]
    fn covering_the_centre_costs_codewords_in_proportion() {
        let s = encode(b"https://example.com/product/123", EcLevel::H).unwrap();
        let c = s.width() / 2;
        let small = damage(&s, |x, y| x.abs_diff(c) <= 1 && y.abs_diff(c) <= 1);
        let large = damage(&s, |x, y| x.abs_diff(c) <= 5 && y.abs_diff(c) <= 5);
        assert!(small.worst_block_errors >= 1);
        assert!(large.worst_block_errors > small.worst_block_errors);
        assert!(!large.covers_function_pattern);
    }
}
