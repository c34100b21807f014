//! Micro QR (ISO/IEC 18004 §6-7, versions M1 to M4): one finder, timing along the top and
//! left edges, 15 bits of format information, four masks chosen by Micro QR's own rule, and a
//! single Reed-Solomon block.

use crate::compact::{Bits, Grid, Mode, bch, codeword_bits, max_chars};
use crate::{EcLevel, EncodeError, Symbol, Symbology};

/// Modules per side of M1 to M4.
const SIDE: [usize; 4] = [11, 13, 15, 17];

/// Codewords (data and error correction) of M1 to M4.
const TOTAL_CODEWORDS: [usize; 4] = [5, 10, 17, 24];

/// Data bits of a version at a level, with its symbol number in the format information
/// (ISO/IEC 18004 tables 7 and 13); `None` where the version does not offer the level. M1 has
/// error detection only: it is offered for `L`, the lowest level asked for.
fn data_bits(version: u8, ec: EcLevel) -> Option<(usize, u32)> {
    Some(match (version, ec) {
        (1, EcLevel::L) => (20, 0),
        (2, EcLevel::L) => (40, 1),
        (2, EcLevel::M) => (32, 2),
        (3, EcLevel::L) => (84, 3),
        (3, EcLevel::M) => (68, 4),
        (4, EcLevel::L) => (128, 5),
        (4, EcLevel::M) => (112, 6),
        (4, EcLevel::Q) => (80, 7),
        _ => return None,
    })
}

/// The levels `version` offers, for error messages.
fn levels(version: u8) -> &'static str {
    ["L (error detection only)", "L, M", "L, M", "L, M, Q"][usize::from(version - 1)]
}

/// Character count bits of `mode` in `version`, `None` where the version lacks the mode
/// (ISO/IEC 18004 table 3): M1 is numeric only, M2 numeric and alphanumeric.
fn count_bits(version: u8, mode: Mode) -> Option<usize> {
    let v = usize::from(version - 1);
    match mode {
        Mode::Numeric => Some([3, 4, 5, 6][v]),
        Mode::Alphanumeric => [None, Some(3), Some(4), Some(5)][v],
        Mode::Byte => [None, None, Some(4), Some(5)][v],
    }
}

/// Mode indicator bits (M1 has none, M4 three) and the mode's value (table 2).
fn mode_indicator(version: u8, mode: Mode) -> (usize, u32) {
    let value = match mode {
        Mode::Numeric => 0,
        Mode::Alphanumeric => 1,
        Mode::Byte => 2,
    };
    (usize::from(version - 1), value)
}

/// The most characters of `mode` that `version` holds at `ec` (0 where it lacks the mode).
pub(crate) fn capacity(version: u8, ec: EcLevel, mode: Mode) -> usize {
    match (data_bits(version, ec), count_bits(version, mode)) {
        (Some((bits, _)), Some(count)) => {
            max_chars(mode, mode_indicator(version, mode).0 + count, count, bits)
        }
        _ => 0,
    }
}

/// Encodes `data` as Micro QR at `ec` in `version` (1 to 4) or, if `None`, the smallest that
/// holds it; with `mask` (0 to 3) or the one Micro QR's evaluation picks.
pub(crate) fn encode(
    data: &[u8],
    ec: EcLevel,
    version: Option<u8>,
    mask: Option<u8>,
) -> Result<Symbol, EncodeError> {
    let mode = Mode::of(data);
    let candidates = match version {
        Some(v) => v..=v,
        None => 1..=4,
    };
    let offered: Vec<u8> = candidates
        .clone()
        .filter(|&v| data_bits(v, ec).is_some())
        .collect();
    if offered.is_empty() {
        let v = version.unwrap_or(4);
        return Err(EncodeError::LevelNotOffered {
            symbol: format!("Micro QR M{v}"),
            ec,
            offered: levels(v),
        });
    }
    let fits = |v: u8| data.len() <= capacity(v, ec, mode);
    let Some(v) = offered.iter().copied().find(|&v| fits(v)) else {
        let largest = *offered.last().expect("not empty");
        return Err(EncodeError::DoesNotFit {
            len: data.len(),
            mode: mode.name(),
            symbol: match version {
                Some(v) => format!("Micro QR M{v}"),
                None => "any Micro QR symbol (M4 is the largest)".to_owned(),
            },
            ec,
            capacity: capacity(largest, ec, mode),
        });
    };
    Ok(build(data, mode, v, ec, mask))
}

fn build(data: &[u8], mode: Mode, version: u8, ec: EcLevel, mask: Option<u8>) -> Symbol {
    let (capacity_bits, symbol_number) = data_bits(version, ec).expect("offered");
    let (indicator_bits, indicator) = mode_indicator(version, mode);
    let count = count_bits(version, mode).expect("fits");
    let mut bits = Bits::default();
    bits.push(indicator, indicator_bits);
    bits.push(data.len() as u32, count);
    bits.push_data(mode, data);
    // M1 and M3 end in a 4-bit data codeword.
    let short_last = capacity_bits % 8 == 4;
    let full = if short_last {
        capacity_bits - 4
    } else {
        capacity_bits
    };
    bits.finish(2 * usize::from(version) + 1, full, capacity_bits);
    let data_codewords = bits.codewords();
    let n_ec = TOTAL_CODEWORDS[usize::from(version - 1)] - data_codewords.len();
    let mut codewords = data_codewords.clone();
    codewords.extend(crate::rs::ec_codewords(&data_codewords, n_ec));
    let stream = codeword_bits(&codewords, short_last.then_some(data_codewords.len() - 1));

    let mut grid = function_patterns(version);
    let order = grid.zigzag(grid.width - 1);
    grid.place(&order, stream);
    let mask = mask.unwrap_or_else(|| best_mask(&grid));
    grid.apply_mask(|x, y| MASKS[usize::from(mask)](x, y));
    let format = bch(symbol_number << 2 | u32::from(mask), 0x537, 10) ^ 0x4445;
    for i in 0..8 {
        grid.put(8, i + 1, format >> i & 1 == 1);
    }
    for i in 8..15 {
        grid.put(15 - i, 8, format >> i & 1 == 1);
    }
    Symbol::from_grid(grid, Symbology::MicroQr, version, ec, mask)
}

/// The finder with its separator, the timing patterns and the reserved format area.
fn function_patterns(version: u8) -> Grid {
    let side = SIDE[usize::from(version - 1)];
    let mut g = Grid::new(side, side);
    for y in 0..8 {
        for x in 0..8 {
            let ring = (x as i32 - 3).abs().max((y as i32 - 3).abs());
            g.put(x, y, ring != 2 && ring < 4);
        }
    }
    for i in 8..side {
        g.put(i, 0, i % 2 == 0);
        g.put(0, i, i % 2 == 0);
    }
    for i in 1..=8 {
        g.put(8, i, false);
        g.put(i, 8, false);
    }
    g
}

/// Micro QR's four masks (data mask pattern references 00 to 11), by column `x` and row `y`.
const MASKS: [fn(usize, usize) -> bool; 4] = [
    |_, y| y % 2 == 0,
    |x, y| (y / 2 + x / 3) % 2 == 0,
    |x, y| ((y * x) % 2 + (y * x) % 3) % 2 == 0,
    |x, y| ((y + x) % 2 + (y * x) % 3) % 2 == 0,
];

/// The mask whose result has the most dark modules along the right and bottom edges, the
/// sparser edge weighted 16 times (ISO/IEC 18004 §7.8.3.2); the first of equals.
fn best_mask(placed: &Grid) -> u8 {
    let mut best = (0, 0);
    for (m, mask) in MASKS.iter().enumerate() {
        let mut g = placed.clone();
        g.apply_mask(mask);
        let last = g.width - 1;
        let right = (1..g.height).filter(|&y| g.is_dark(last, y)).count();
        let bottom = (1..g.width).filter(|&x| g.is_dark(x, last)).count();
        let score = right.min(bottom) * 16 + right.max(bottom);
        if m == 0 || score > best.1 {
            best = (m as u8, score);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities_are_the_standards() {
        // ISO/IEC 18004 table 7: numeric, alphanumeric, byte per version and level.
        let table: [(u8, EcLevel, [usize; 3]); 8] = [
            (1, EcLevel::L, [5, 0, 0]),
            (2, EcLevel::L, [10, 6, 0]),
            (2, EcLevel::M, [8, 5, 0]),
            (3, EcLevel::L, [23, 14, 9]),
            (3, EcLevel::M, [18, 11, 7]),
            (4, EcLevel::L, [35, 21, 15]),
            (4, EcLevel::M, [30, 18, 13]),
            (4, EcLevel::Q, [21, 13, 9]),
        ];
        for (v, ec, caps) in table {
            for (mode, cap) in [Mode::Numeric, Mode::Alphanumeric, Mode::Byte]
                .into_iter()
                .zip(caps)
            {
                assert_eq!(capacity(v, ec, mode), cap, "M{v}-{ec} {mode:?}");
            }
        }
    }

    #[test]
    fn every_version_has_the_standards_count_of_data_modules() {
        for v in 1..=4u8 {
            let g = function_patterns(v);
            let data = g.zigzag(g.width - 1).len();
            let (bits, _) = data_bits(v, EcLevel::L).unwrap();
            let total = TOTAL_CODEWORDS[usize::from(v - 1)] * 8 - if bits % 8 == 4 { 4 } else { 0 };
            assert_eq!(data, total, "M{v}");
        }
    }

    #[test]
    fn the_smallest_version_is_chosen_and_levels_are_checked() {
        assert_eq!(
            encode(b"12345", EcLevel::L, None, None).unwrap().width(),
            11
        );
        assert_eq!(
            encode(b"123456", EcLevel::L, None, None).unwrap().width(),
            13
        );
        assert_eq!(
            encode(b"12345", EcLevel::M, None, None).unwrap().width(),
            13
        );
        assert!(matches!(
            encode(b"1", EcLevel::H, None, None),
            Err(EncodeError::LevelNotOffered { .. })
        ));
        assert!(matches!(
            encode(b"1", EcLevel::Q, Some(3), None),
            Err(EncodeError::LevelNotOffered { .. })
        ));
        let e = encode(&[b'a'; 16], EcLevel::L, None, None).unwrap_err();
        assert_eq!(
            e,
            EncodeError::DoesNotFit {
                len: 16,
                mode: "byte",
                symbol: "any Micro QR symbol (M4 is the largest)".into(),
                ec: EcLevel::L,
                capacity: 15
            }
        );
    }
}
