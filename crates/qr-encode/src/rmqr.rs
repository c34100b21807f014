//! rMQR, rectangular Micro QR (ISO/IEC 23941): 32 sizes from R7x43 to R17x139, levels M and
//! H, a finder at the left, a sub-finder at the bottom right, corner patterns at the other
//! two corners, timing along every edge and down each alignment column, 18 bits of format
//! information beside each finder (each copy with its own mask), and one fixed data mask.

use crate::compact::{Bits, Grid, Mode, bch, codeword_bits, interleave, max_chars};
use crate::{EcLevel, EncodeError, Symbol, Symbology, Version};

/// One size: its height and width in modules, character count bits (numeric, alphanumeric,
/// byte), and the Reed-Solomon blocks at M and at H as (blocks, codewords a block, data
/// codewords a block) (ISO/IEC 23941 tables 3, 6 and 8).
struct Size {
    height: u8,
    width: u8,
    count_bits: [u8; 3],
    m: &'static [(u8, u8, u8)],
    h: &'static [(u8, u8, u8)],
}

const fn size(
    height: u8,
    width: u8,
    count_bits: [u8; 3],
    m: &'static [(u8, u8, u8)],
    h: &'static [(u8, u8, u8)],
) -> Size {
    Size {
        height,
        width,
        count_bits,
        m,
        h,
    }
}

/// The 32 sizes in version-indicator order (R7x43 is 0, R17x139 is 31).
#[rustfmt::skip]
const SIZES: [Size; 32] = [
    size(7, 43, [4, 3, 3], &[(1, 13, 6)], &[(1, 13, 3)]),
    size(7, 59, [5, 5, 4], &[(1, 21, 12)], &[(1, 21, 7)]),
    size(7, 77, [6, 5, 5], &[(1, 32, 20)], &[(1, 32, 10)]),
    size(7, 99, [7, 6, 5], &[(1, 44, 28)], &[(1, 44, 14)]),
    size(7, 139, [7, 6, 6], &[(1, 68, 44)], &[(2, 34, 12)]),
    size(9, 43, [5, 5, 4], &[(1, 21, 12)], &[(1, 21, 7)]),
    size(9, 59, [6, 5, 5], &[(1, 33, 21)], &[(1, 33, 11)]),
    size(9, 77, [7, 6, 5], &[(1, 49, 31)], &[(1, 24, 8), (1, 25, 9)]),
    size(9, 99, [7, 6, 6], &[(1, 66, 42)], &[(2, 33, 11)]),
    size(9, 139, [8, 7, 6], &[(1, 49, 31), (1, 50, 32)], &[(3, 33, 11)]),
    size(11, 27, [4, 4, 3], &[(1, 15, 7)], &[(1, 15, 5)]),
    size(11, 43, [6, 5, 5], &[(1, 31, 19)], &[(1, 31, 11)]),
    size(11, 59, [7, 6, 5], &[(1, 47, 31)], &[(1, 23, 7), (1, 24, 8)]),
    size(11, 77, [7, 6, 6], &[(1, 67, 43)], &[(1, 33, 11), (1, 34, 12)]),
    size(11, 99, [8, 7, 6], &[(1, 44, 28), (1, 45, 29)], &[(1, 44, 14), (1, 45, 15)]),
    size(11, 139, [8, 7, 7], &[(2, 66, 42)], &[(3, 44, 14)]),
    size(13, 27, [5, 5, 4], &[(1, 21, 12)], &[(1, 21, 7)]),
    size(13, 43, [6, 6, 5], &[(1, 41, 27)], &[(1, 41, 13)]),
    size(13, 59, [7, 6, 6], &[(1, 60, 38)], &[(2, 30, 10)]),
    size(13, 77, [7, 7, 6], &[(1, 42, 26), (1, 43, 27)], &[(1, 42, 14), (1, 43, 15)]),
    size(13, 99, [8, 7, 7], &[(1, 56, 36), (1, 57, 37)], &[(1, 37, 11), (2, 38, 12)]),
    size(13, 139, [8, 8, 7], &[(2, 55, 35), (1, 56, 36)], &[(2, 41, 13), (2, 42, 14)]),
    size(15, 43, [7, 6, 6], &[(1, 51, 33)], &[(1, 25, 7), (1, 26, 8)]),
    size(15, 59, [7, 7, 6], &[(1, 74, 48)], &[(2, 37, 13)]),
    size(15, 77, [8, 7, 7], &[(1, 51, 33), (1, 52, 34)], &[(2, 34, 10), (1, 35, 11)]),
    size(15, 99, [8, 7, 7], &[(2, 68, 44)], &[(4, 34, 12)]),
    size(15, 139, [9, 8, 7], &[(2, 66, 42), (1, 67, 43)], &[(1, 39, 13), (4, 40, 14)]),
    size(17, 43, [7, 6, 6], &[(1, 61, 39)], &[(1, 30, 10), (1, 31, 11)]),
    size(17, 59, [8, 7, 6], &[(2, 44, 28)], &[(2, 44, 14)]),
    size(17, 77, [8, 7, 7], &[(2, 61, 39)], &[(1, 40, 12), (2, 41, 13)]),
    size(17, 99, [8, 8, 7], &[(2, 53, 33), (1, 54, 34)], &[(4, 40, 14)]),
    size(17, 139, [9, 8, 8], &[(4, 58, 38)], &[(2, 38, 12), (4, 39, 13)]),
];

/// Centre columns of the alignment patterns (and vertical timing lines) by width.
fn alignment_columns(width: usize) -> &'static [usize] {
    match width {
        43 => &[21],
        59 => &[19, 39],
        77 => &[25, 51],
        99 => &[23, 49, 75],
        139 => &[27, 55, 83, 111],
        _ => &[],
    }
}

/// The index (version indicator) of an rMQR size, `None` for any other version.
pub(crate) fn index(version: Version) -> Option<usize> {
    let Version::Rmqr { height, width } = version else {
        return None;
    };
    SIZES
        .iter()
        .position(|s| s.height == height && s.width == width)
}

/// The blocks at `ec`, `None` for the levels rMQR lacks (L and Q).
fn blocks(size: &Size, ec: EcLevel) -> Option<&'static [(u8, u8, u8)]> {
    match ec {
        EcLevel::M => Some(size.m),
        EcLevel::H => Some(size.h),
        EcLevel::L | EcLevel::Q => None,
    }
}

fn data_codewords(blocks: &[(u8, u8, u8)]) -> usize {
    blocks
        .iter()
        .map(|&(n, _, k)| usize::from(n) * usize::from(k))
        .sum()
}

/// The most characters of `mode` that size `i` holds at `ec` (M or H).
pub(crate) fn capacity(i: usize, ec: EcLevel, mode: Mode) -> usize {
    let size = &SIZES[i];
    let Some(blocks) = blocks(size, ec) else {
        return 0;
    };
    let count = usize::from(size.count_bits[mode as usize]);
    max_chars(mode, 3 + count, count, data_codewords(blocks) * 8)
}

/// Encodes `data` as rMQR at `ec` in `version` or, if `None`, in the smallest-area size
/// that holds it (the lower of two equal areas).
pub(crate) fn encode(
    data: &[u8],
    ec: EcLevel,
    version: Option<Version>,
) -> Result<Symbol, EncodeError> {
    if !matches!(ec, EcLevel::M | EcLevel::H) {
        return Err(EncodeError::LevelNotOffered {
            symbol: "rMQR".to_owned(),
            ec,
            offered: "M, H",
        });
    }
    let mode = Mode::of(data);
    let chosen = match version {
        Some(v) => {
            let i = index(v).expect("an rMQR size");
            Some(i).filter(|&i| data.len() <= capacity(i, ec, mode))
        }
        None => (0..SIZES.len())
            .filter(|&i| data.len() <= capacity(i, ec, mode))
            .min_by_key(|&i| {
                let s = &SIZES[i];
                (u32::from(s.height) * u32::from(s.width), s.height)
            }),
    };
    let Some(i) = chosen else {
        let (symbol, cap) = match version {
            Some(v) => (
                format!("rMQR {v}"),
                capacity(index(v).expect("size"), ec, mode),
            ),
            None => (
                "any rMQR symbol (R17x139 is the largest)".to_owned(),
                capacity(SIZES.len() - 1, ec, mode),
            ),
        };
        return Err(EncodeError::DoesNotFit {
            len: data.len(),
            mode: mode.name(),
            symbol,
            ec,
            capacity: cap,
        });
    };
    Ok(build(data, mode, i, ec))
}

fn build(data: &[u8], mode: Mode, i: usize, ec: EcLevel) -> Symbol {
    let size = &SIZES[i];
    let blocks = blocks(size, ec).expect("M or H");
    let capacity_bits = data_codewords(blocks) * 8;
    let mut bits = Bits::default();
    bits.push(mode as u32 + 1, 3);
    bits.push(
        data.len() as u32,
        usize::from(size.count_bits[mode as usize]),
    );
    bits.push_data(mode, data);
    bits.finish(3, capacity_bits, capacity_bits);
    let lengths: Vec<usize> = blocks
        .iter()
        .flat_map(|&(n, _, k)| std::iter::repeat_n(usize::from(k), usize::from(n)))
        .collect();
    // Every block of a size has as many error-correction codewords.
    let ec_per_block = usize::from(blocks[0].1 - blocks[0].2);
    let codewords = interleave(&bits.codewords(), &lengths, ec_per_block);

    let mut grid = function_patterns(size);
    let order = grid.zigzag(grid.width - 2);
    grid.place(&order, codeword_bits(&codewords, None));
    grid.apply_mask(|x, y| (y / 2 + x / 3) % 2 == 0);
    let info = bch(u32::from(ec == EcLevel::H) << 5 | i as u32, 0x1f25, 12);
    let (w, h) = (grid.width, grid.height);
    let left = info ^ 0b01_1111_1010_1011_0010;
    let right = info ^ 0b10_0000_1010_0111_1011;
    for n in 0..18 {
        grid.put(8 + n / 5, 1 + n % 5, left >> n & 1 == 1);
    }
    for n in 0..15 {
        grid.put(w - 8 + n / 5, h - 6 + n % 5, right >> n & 1 == 1);
    }
    for n in 15..18 {
        grid.put(w - 20 + n, h - 6, right >> n & 1 == 1);
    }
    Symbol::from_grid(grid, Symbology::Rmqr, i as u8, ec, 0)
}

/// Finder, separator, sub-finder, corner patterns, alignment patterns, timing patterns and
/// the reserved format areas of one size.
fn function_patterns(size: &Size) -> Grid {
    let (w, h) = (usize::from(size.width), usize::from(size.height));
    let mut g = Grid::new(w, h);
    // The finder and its separator (R7's finder reaches the bottom edge).
    for y in 0..h.min(8) {
        for x in 0..8 {
            let ring = (x as i32 - 3).abs().max((y as i32 - 3).abs());
            g.put(x, y, ring != 2 && ring < 4);
        }
    }
    // The sub-finder: a 5 × 5 ring with a dark centre.
    for dy in 0..5 {
        for dx in 0..5 {
            let ring = (dx as i32 - 2).abs().max((dy as i32 - 2).abs());
            g.put(w - 5 + dx, h - 5 + dy, ring != 1);
        }
    }
    // Corner patterns: top right, and bottom left (its upper part only where there is room).
    g.put(w - 1, 0, true);
    g.put(w - 2, 0, true);
    g.put(w - 1, 1, true);
    g.put(w - 2, 1, false);
    for x in 0..3 {
        g.put(x, h - 1, true);
    }
    if h >= 11 {
        g.put(0, h - 2, true);
        g.put(1, h - 2, false);
    }
    // Alignment patterns: 3 × 3 rings on the top and bottom edges.
    for &cx in alignment_columns(w) {
        for dy in 0..3 {
            for dx in 0..3 {
                let dark = dx != 1 || dy != 1;
                g.put(cx + dx - 1, dy, dark);
                g.put(cx + dx - 1, h - 1 - dy, dark);
            }
        }
    }
    // Timing: along the top and bottom edges, and down the side edges and alignment columns.
    for x in 0..w {
        g.put_if_free(x, 0, x % 2 == 0);
        g.put_if_free(x, h - 1, x % 2 == 0);
    }
    for &x in [0, w - 1].iter().chain(alignment_columns(w)) {
        for y in 0..h {
            g.put_if_free(x, y, y % 2 == 0);
        }
    }
    // Format information, light for now.
    for n in 0..18 {
        g.put(8 + n / 5, 1 + n % 5, false);
    }
    for n in 0..15 {
        g.put(w - 8 + n / 5, h - 6 + n % 5, false);
    }
    for n in 15..18 {
        g.put(w - 20 + n, h - 6, false);
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codewords and remainder bits per size (ISO/IEC 23941 table 6), in size order.
    const TOTALS: [(usize, usize); 32] = [
        (13, 0),
        (21, 3),
        (32, 5),
        (44, 6),
        (68, 1),
        (21, 2),
        (33, 3),
        (49, 1),
        (66, 4),
        (99, 5),
        (15, 2),
        (31, 1),
        (47, 0),
        (67, 2),
        (89, 7),
        (132, 6),
        (21, 4),
        (41, 1),
        (60, 6),
        (85, 4),
        (113, 3),
        (166, 0),
        (51, 1),
        (74, 4),
        (103, 6),
        (136, 7),
        (199, 2),
        (61, 1),
        (88, 2),
        (122, 0),
        (160, 3),
        (232, 4),
    ];

    #[test]
    fn every_size_has_the_standards_data_modules_and_blocks() {
        for (size, &(total, remainder)) in SIZES.iter().zip(&TOTALS) {
            let g = function_patterns(size);
            let modules = g.zigzag(g.width - 2).len();
            let name = format!("R{}x{}", size.height, size.width);
            assert_eq!((modules / 8, modules % 8), (total, remainder), "{name}");
            for blocks in [size.m, size.h] {
                let sum: usize = blocks
                    .iter()
                    .map(|&(n, c, _)| usize::from(n) * usize::from(c))
                    .sum();
                assert_eq!(sum, total, "{name}");
                let ec: Vec<u8> = blocks.iter().map(|&(_, c, k)| c - k).collect();
                assert!(ec.iter().all(|&e| e == ec[0]), "{name}");
            }
        }
    }

    #[test]
    fn capacities_are_the_standards_at_the_ends() {
        // ISO/IEC 23941 table 7: R7x43 and R17x139, numeric/alphanumeric/byte.
        assert_eq!(capacity(0, EcLevel::M, Mode::Numeric), 12);
        assert_eq!(capacity(0, EcLevel::M, Mode::Alphanumeric), 7);
        assert_eq!(capacity(0, EcLevel::M, Mode::Byte), 5);
        assert_eq!(capacity(0, EcLevel::H, Mode::Numeric), 5);
        assert_eq!(capacity(31, EcLevel::M, Mode::Numeric), 361);
        assert_eq!(capacity(31, EcLevel::M, Mode::Byte), 150);
    }

    #[test]
    fn the_smallest_area_is_chosen_and_levels_are_checked() {
        let s = encode(b"HELLO", EcLevel::M, None).unwrap();
        assert_eq!((s.width(), s.height()), (27, 11));
        assert!(matches!(
            encode(b"1", EcLevel::L, None),
            Err(EncodeError::LevelNotOffered { .. })
        ));
        let big = Version::Rmqr {
            height: 17,
            width: 139,
        };
        assert!(encode(&[b'a'; 150], EcLevel::M, Some(big)).is_ok());
        assert!(matches!(
            encode(&[b'a'; 151], EcLevel::M, None),
            Err(EncodeError::DoesNotFit { capacity: 150, .. })
        ));
    }
}
