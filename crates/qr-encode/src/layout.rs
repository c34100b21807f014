//! Where things go in a symbol of a given version: function patterns, format and version
//! information, and the zigzag order of data modules (ISO/IEC 18004 §7.3, §7.7, §7.9).
//!
//! The function patterns of a version never change, so each version's [`Template`] is built
//! once per process and shared; encoding then only places codewords and chooses a mask.

use std::sync::OnceLock;

use crate::EcLevel;
use crate::rows::{Row, WORDS, get, set};

/// Highest QR version.
pub(crate) const MAX_VERSION: u8 = 40;

/// The fixed parts of a symbol of one version.
#[derive(Debug)]
pub(crate) struct Template {
    pub version: u8,
    pub width: usize,
    /// Modules that carry no data: finders, separators, timing, alignment, format and version
    /// information and the dark module. Masks never touch them.
    pub function: Vec<Row>,
    /// Colours of the function modules, format information left light (it depends on the mask).
    pub base: Vec<Row>,
    /// Where the data bits go, in order (see [`Template::zigzag`]).
    order: Vec<u16>,
}

/// The template of `version` (1 to 40), built on first use.
pub(crate) fn template(version: u8) -> &'static Template {
    static TEMPLATES: [OnceLock<Template>; MAX_VERSION as usize] = [const { OnceLock::new() }; 40];
    TEMPLATES[usize::from(version - 1)].get_or_init(|| Template::new(version))
}

impl Template {
    fn new(version: u8) -> Template {
        let width = width(version);
        let mut t = Template {
            version,
            width,
            function: vec![[0; WORDS]; width],
            base: vec![[0; WORDS]; width],
            order: Vec::new(),
        };
        // Timing patterns first; finders and alignment patterns drawn later overwrite the ends.
        for i in 0..width {
            t.put(6, i, i % 2 == 0);
            t.put(i, 6, i % 2 == 0);
        }
        for (cx, cy) in [(3, 3), (width - 4, 3), (3, width - 4)] {
            t.finder(cx, cy);
        }
        let centres = alignment_centres(version);
        for &cy in &centres {
            for &cx in &centres {
                let overlaps_finder =
                    (cx == 6 && (cy == 6 || cy == width - 7)) || (cx == width - 7 && cy == 6);
                if !overlaps_finder {
                    t.alignment(cx, cy);
                }
            }
        }
        // Reserve the format areas (light for now) and draw the dark module.
        place_format(0, |x, y, _| t.put(x, y, false), width);
        t.put(8, width - 8, true);
        if version >= 7 {
            let bits = version_bits(version);
            for i in 0..18 {
                let dark = bits >> i & 1 == 1;
                let (a, b) = (width - 11 + i % 3, i / 3);
                t.put(a, b, dark);
                t.put(b, a, dark);
            }
        }
        t.order = t.zigzag();
        t
    }

    fn put(&mut self, x: usize, y: usize, dark: bool) {
        set(&mut self.function[y], x, true);
        set(&mut self.base[y], x, dark);
    }

    /// A 7×7 finder centred on (`cx`, `cy`) with its one-module light separator, clipped to
    /// the symbol.
    fn finder(&mut self, cx: usize, cy: usize) {
        for dy in -4i32..=4 {
            for dx in -4i32..=4 {
                let (x, y) = (cx as i32 + dx, cy as i32 + dy);
                if x < 0 || y < 0 || x >= self.width as i32 || y >= self.width as i32 {
                    continue;
                }
                let ring = dx.abs().max(dy.abs());
                self.put(x as usize, y as usize, ring != 2 && ring != 4);
            }
        }
    }

    /// A 5×5 alignment pattern centred on (`cx`, `cy`).
    fn alignment(&mut self, cx: usize, cy: usize) {
        for dy in -2i32..=2 {
            for dx in -2i32..=2 {
                let ring = dx.abs().max(dy.abs());
                self.put(
                    (cx as i32 + dx) as usize,
                    (cy as i32 + dy) as usize,
                    ring != 1,
                );
            }
        }
    }

    /// Data modules in this version: codewords × 8 plus the 0 to 7 remainder bits.
    #[cfg(test)]
    pub fn data_modules(&self) -> usize {
        self.function
            .iter()
            .map(|r| self.width - r.iter().map(|w| w.count_ones() as usize).sum::<usize>())
            .sum()
    }

    /// The data modules in the standard's zigzag order: two-module columns from the right,
    /// alternately upwards and downwards, skipping the vertical timing pattern and every
    /// function module. Each is `y << 8 | x` (a side is at most 177).
    fn zigzag(&self) -> Vec<u16> {
        let w = self.width;
        let mut order = Vec::with_capacity(w * w);
        let mut right = w - 1;
        loop {
            let upward = (right + 1) & 2 == 0;
            for i in 0..w {
                let y = if upward { w - 1 - i } else { i };
                for x in [right, right - 1] {
                    if !get(&self.function[y], x) {
                        order.push((y << 8 | x) as u16);
                    }
                }
            }
            if right < 3 {
                return order;
            }
            right -= 2;
            if right == 6 {
                right = 5;
            }
        }
    }

    /// Number of data modules (codewords × 8 plus remainder bits).
    pub fn order_len(&self) -> usize {
        self.order.len()
    }

    /// The `(x, y)` modules of each codeword in placement order, eight at a time (the last
    /// chunk holds the remainder bits).
    pub fn order_chunks(&self) -> impl Iterator<Item = Vec<(usize, usize)>> + '_ {
        self.order.chunks(8).map(|c| {
            c.iter()
                .map(|&s| (usize::from(s & 0xff), usize::from(s >> 8)))
                .collect()
        })
    }

    /// Whether (`x`, `y`) is in an alignment pattern readers do not need: any but the one
    /// nearest the bottom-right corner.
    pub fn is_spare_alignment(&self, x: usize, y: usize) -> bool {
        let centres = alignment_centres(self.version);
        let last = self.width - 7;
        let near = |c: usize, p: usize| c.abs_diff(p) <= 2;
        let in_pattern =
            centres.iter().any(|&cy| near(cy, y)) && centres.iter().any(|&cx| near(cx, x));
        // Finder corners and the timing rows are not alignment patterns.
        let (low, high) = (|v: usize| v <= 8, |v: usize| v >= self.width - 8);
        let in_finder = (low(x) && low(y)) || (high(x) && low(y)) || (low(x) && high(y));
        let clear_of_finders = !in_finder;
        in_pattern && clear_of_finders && x != 6 && y != 6 && !(near(last, x) && near(last, y))
    }

    /// Puts `bytes` (data then error-correction codewords, most significant bit first) into
    /// the data modules of `rows`, in zigzag order. Remainder modules stay light.
    pub fn place(&self, bytes: impl Iterator<Item = u8>, rows: &mut [Row]) {
        for (byte, spots) in bytes.zip(self.order.chunks(8)) {
            for (k, &spot) in spots.iter().enumerate() {
                if byte << k & 0x80 != 0 {
                    let (y, x) = (usize::from(spot >> 8), usize::from(spot & 0xff));
                    set(&mut rows[y], x, true);
                }
            }
        }
    }
}

/// Modules per side of a `version` symbol.
pub(crate) fn width(version: u8) -> usize {
    17 + 4 * usize::from(version)
}

/// Row and column coordinates of the alignment pattern centres (annex E): 6, then evenly
/// spaced (an even step) up to `width - 7`. Version 1 has none.
fn alignment_centres(version: u8) -> Vec<usize> {
    if version == 1 {
        return Vec::new();
    }
    let v = usize::from(version);
    let count = v / 7 + 2;
    let last = width(version) - 7;
    // The standard's table is this formula except for version 32, whose step is 26.
    let step = if v == 32 {
        26
    } else {
        (v * 4 + count * 2 + 1) / (count * 2 - 2) * 2
    };
    let mut c = vec![6];
    c.extend((0..count - 1).rev().map(|i| last - i * step));
    c
}

/// Format information (§7.9.1): level and mask, BCH(15,5)-protected and XOR-ed with the
/// standard's fixed pattern so that it is never all light.
pub(crate) fn format_bits(ec: EcLevel, mask: u8) -> u16 {
    let level: u16 = match ec {
        EcLevel::L => 0b01,
        EcLevel::M => 0b00,
        EcLevel::Q => 0b11,
        EcLevel::H => 0b10,
    };
    let data = level << 3 | u16::from(mask);
    let mut rem = data << 10;
    for bit in (10..15).rev() {
        if rem >> bit & 1 == 1 {
            rem ^= 0x537 << (bit - 10);
        }
    }
    (data << 10 | rem) ^ 0x5412
}

/// Version information (§7.10): six version bits, BCH(18,6)-protected.
fn version_bits(version: u8) -> u32 {
    let data = u32::from(version);
    let mut rem = data << 12;
    for bit in (12..18).rev() {
        if rem >> bit & 1 == 1 {
            rem ^= 0x1f25 << (bit - 12);
        }
    }
    data << 12 | rem
}

/// Calls `put(x, y, dark)` for both copies of the 15 format bits `bits` (bit 0 first).
pub(crate) fn place_format(bits: u16, mut put: impl FnMut(usize, usize, bool), width: usize) {
    let bit = |i: usize| bits >> i & 1 == 1;
    // Around the top-left finder: down column 8, then left along row 8.
    for i in 0..6 {
        put(8, i, bit(i));
    }
    put(8, 7, bit(6));
    put(8, 8, bit(7));
    put(7, 8, bit(8));
    for i in 9..15 {
        put(14 - i, 8, bit(i));
    }
    // The copy split between the other two finders.
    for i in 0..8 {
        put(width - 1 - i, 8, bit(i));
    }
    for i in 8..15 {
        put(8, width - 15 + i, bit(i));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Raw data modules per version, by the counting argument of ISO/IEC 18004 table 1.
    fn expected_data_modules(v: usize) -> usize {
        let mut n = (16 * v + 128) * v + 64;
        if v >= 2 {
            let align = v / 7 + 2;
            n -= (25 * align - 10) * align - 55;
            if v >= 7 {
                n -= 36;
            }
        }
        n
    }

    #[test]
    fn every_version_leaves_the_standard_number_of_data_modules() {
        for v in 1..=MAX_VERSION {
            assert_eq!(
                template(v).data_modules(),
                expected_data_modules(usize::from(v)),
                "v{v}"
            );
        }
    }

    #[test]
    fn alignment_centres_match_the_standard_table_samples() {
        assert_eq!(alignment_centres(2), [6, 18]);
        assert_eq!(alignment_centres(7), [6, 22, 38]);
        assert_eq!(alignment_centres(32), [6, 34, 60, 86, 112, 138]);
        assert_eq!(alignment_centres(36), [6, 24, 50, 76, 102, 128, 154]);
        assert_eq!(alignment_centres(40), [6, 30, 58, 86, 114, 142, 170]);
    }

    #[test]
    fn format_and_version_codes_match_the_standard_examples() {
        // Annex C: M with mask 5 is 100000011001110; annex D: version 7 is 000111110010010100.
        assert_eq!(format_bits(EcLevel::M, 5), 0b100000011001110);
        assert_eq!(version_bits(7), 0b000111110010010100);
    }
}
