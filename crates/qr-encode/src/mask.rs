//! Mask selection (ISO/IEC 18004 §7.8): apply each of the eight data masks, score the whole
//! symbol by the four penalty rules, keep the lowest score (the lowest mask number on a tie).
//!
//! This is where a naive encoder spends 99% of its time, so the rules are evaluated on packed
//! rows, 64 modules per instruction, all four in one pass over the rows:
//!
//! * N1 (runs of five or more same-coloured modules, 3 + (run − 5) points each): a run of
//!   length L holds L − 4 windows of five equal modules and has one first window, and
//!   L − 2 = (L − 4) + 2 · 1, so the score is windows + 2 · first windows.
//! * N2 (2 × 2 blocks of one colour, 3 points each, overlapping blocks all counted).
//! * N3 (dark-light-dark-dark-dark-light-dark, 1:1:3:1:1, with four light modules before or
//!   after it, 40 points each). The quiet zone around the symbol is light, so a pattern at
//!   the edge counts; a pattern with light on both sides counts once.
//! * N4 (10 points per full 5% that the dark share departs from 50%).
//!
//! `tests` checks these scores against a module-by-module reference on many symbols.

use crate::EcLevel;
use crate::layout::{Template, format_bits, place_format};
use crate::rows::{Bits, Row, WORDS, set};

/// Number of data mask patterns.
pub(crate) const MASKS: u8 = 8;

/// Rows of every mask pattern repeat with this period (lcm of the periods 2, 3, 4 and 6).
const PERIOD: usize = 12;

/// Whether mask `m` inverts the module in row `i`, column `j` (§7.8.2, table 10).
pub(crate) const fn inverts(m: u8, i: usize, j: usize) -> bool {
    match m {
        0 => (i + j).is_multiple_of(2),
        1 => i.is_multiple_of(2),
        2 => j.is_multiple_of(3),
        3 => (i + j).is_multiple_of(3),
        4 => (i / 2 + j / 3).is_multiple_of(2),
        5 => (i * j) % 2 + (i * j) % 3 == 0,
        6 => ((i * j) % 2 + (i * j) % 3).is_multiple_of(2),
        _ => ((i + j) % 2 + (i * j) % 3).is_multiple_of(2),
    }
}

/// `PATTERNS[m][i % 12]`: the modules of row `i` that mask `m` inverts, for every column.
static PATTERNS: [[Row; PERIOD]; MASKS as usize] = {
    let mut p = [[[0u64; WORDS]; PERIOD]; MASKS as usize];
    let mut m = 0;
    while m < MASKS as usize {
        let mut i = 0;
        while i < PERIOD {
            let mut j = 0;
            while j < 64 * WORDS {
                if inverts(m as u8, i, j) {
                    p[m][i][j / 64] |= 1 << (j % 64);
                }
                j += 1;
            }
            i += 1;
        }
        m += 1;
    }
    p
};

/// Writes into `out` the symbol `t` + `data` under mask `mask`, format information included.
pub(crate) fn apply(t: &Template, data: &[Row], ec: EcLevel, mask: u8, out: &mut [Row]) {
    let pats = &PATTERNS[usize::from(mask)];
    // The patterns cover 192 columns; only the symbol's own may be set.
    let inside = Bits::<WORDS>::ones(t.width).0;
    for (y, o) in out.iter_mut().enumerate() {
        let (f, b, d, p) = (&t.function[y], &t.base[y], &data[y], &pats[y % PERIOD]);
        *o = std::array::from_fn(|k| b[k] | ((d[k] ^ p[k]) & !f[k] & inside[k]));
    }
    place_format(
        format_bits(ec, mask),
        |x, y, dark| set(&mut out[y], x, dark),
        t.width,
    );
}

/// The mask with the lowest total penalty (lowest number on a tie), and `out` holding the
/// symbol under it.
pub(crate) fn choose(t: &Template, data: &[Row], ec: EcLevel, out: &mut [Row]) -> u8 {
    let mut best = (u32::MAX, 0u8);
    let mut scratch = vec![[0u64; WORDS]; t.width];
    for m in 0..MASKS {
        apply(t, data, ec, m, &mut scratch);
        let score = penalty(&scratch, t.width).iter().sum::<u32>();
        if score < best.0 {
            best = (score, m);
            out.copy_from_slice(&scratch);
        }
    }
    best.1
}

/// The four penalty scores N1..N4 of a finished symbol `width` modules wide.
pub(crate) fn penalty(rows: &[Row], width: usize) -> [u32; 4] {
    match width {
        0..=64 => penalty_n::<1>(rows, width),
        65..=128 => penalty_n::<2>(rows, width),
        _ => penalty_n::<3>(rows, width),
    }
}

/// Modules looked at before a row (N3's four light modules).
const BEFORE: usize = 4;
/// Modules looked at after a row start (N3's pattern plus four light modules).
const AFTER: usize = 11;

fn penalty_n<const N: usize>(rows: &[Row], width: usize) -> [u32; 4] {
    // Rows padded with light rows standing for the quiet zone, so that every vertical window
    // below is in bounds.
    let mut r = [Bits::<N>::ZERO; 177 + BEFORE + AFTER];
    for (dst, src) in r[BEFORE..].iter_mut().zip(rows) {
        *dst = Bits::from_row(src);
    }
    let full = Bits::<N>::ones(width);
    let pairs = Bits::<N>::ones(width - 1);
    let (mut n1, mut n2, mut n3, mut dark) = (0u32, 0u32, 0u32, 0u32);
    // Previous row's vertical five-window, to find each column run's first window.
    let mut prev_win = Bits::<N>::ZERO;
    for y in 0..width {
        let at = |k: usize| r[BEFORE + y + k];
        let before = |k: usize| r[BEFORE + y - k];
        let row = at(0);
        dark += row.count();

        // Horizontal N1.
        let same = !(row ^ row.down(1)) & pairs;
        let win = same & same.down(1) & same.down(2) & same.down(3);
        n1 += win.count() + 2 * (win & !win.up(1)).count();

        // Horizontal N3.
        let pat = row
            & !row.down(1)
            & row.down(2)
            & row.down(3)
            & row.down(4)
            & !row.down(5)
            & row.down(6);
        let light_before = !(row.up(1) | row.up(2) | row.up(3) | row.up(4));
        let light_after = !(row.down(7) | row.down(8) | row.down(9) | row.down(10));
        n3 += (pat & (light_before | light_after)).count();

        // Vertical N1: column runs of five starting in this row.
        if y + 5 <= width {
            let eq = |k: usize| !(at(k) ^ at(k + 1));
            let win = eq(0) & eq(1) & eq(2) & eq(3) & full;
            n1 += win.count() + 2 * (win & !prev_win).count();
            prev_win = win;
        }

        // N2: blocks whose top-left module is in this row.
        if y + 1 < width {
            let vsame = !(row ^ at(1));
            n2 += (vsame & vsame.down(1) & same).count();
        }

        // Vertical N3: patterns whose top module is in this row.
        let pat = at(0) & !at(1) & at(2) & at(3) & at(4) & !at(5) & at(6);
        let light_before = !(before(1) | before(2) | before(3) | before(4));
        let light_after = !(at(7) | at(8) | at(9) | at(10));
        n3 += (pat & (light_before | light_after)).count();
    }
    let total = (width * width) as u32;
    let k = (20 * dark).abs_diff(10 * total) / total;
    [n1, 3 * n2, 40 * n3, 10 * k]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Symbol, encode_with};

    /// The penalty rules read straight from the standard, one module at a time, on a plain
    /// grid: the reference the packed version must agree with.
    fn reference_penalty(g: &[Vec<bool>]) -> [u32; 4] {
        let w = g.len();
        let lines: Vec<Vec<bool>> = (0..w)
            .map(|i| g[i].clone())
            .chain((0..w).map(|j| (0..w).map(|i| g[i][j]).collect()))
            .collect();
        let mut n1 = 0;
        let mut n3 = 0;
        for line in &lines {
            let mut run = 1;
            for x in 1..=w {
                if x < w && line[x] == line[x - 1] {
                    run += 1;
                } else {
                    if run >= 5 {
                        n1 += 3 + (run - 5);
                    }
                    run = 1;
                }
            }
            let light = |x: i32| x < 0 || x >= w as i32 || !line[x as usize];
            for x in 0..w as i32 - 6 {
                let core = [true, false, true, true, true, false, true]
                    .iter()
                    .enumerate()
                    .all(|(k, &dark)| light(x + k as i32) != dark);
                let before = (x - 4..x).all(light);
                let after = (x + 7..x + 11).all(light);
                if core && (before || after) {
                    n3 += 40;
                }
            }
        }
        let mut n2 = 0;
        for i in 0..w - 1 {
            for j in 0..w - 1 {
                let c = g[i][j];
                if g[i][j + 1] == c && g[i + 1][j] == c && g[i + 1][j + 1] == c {
                    n2 += 3;
                }
            }
        }
        let dark = g.iter().flatten().filter(|&&d| d).count() as i64;
        let total = (w * w) as i64;
        // The largest k with |dark% − 50| ≥ 5k.
        let mut k = 0;
        while (100 * dark - 50 * total).abs() >= 5 * (k + 1) * total {
            k += 1;
        }
        [n1 as u32, n2, n3, 10 * k as u32]
    }

    fn grid(s: &Symbol) -> Vec<Vec<bool>> {
        (0..s.width()).map(|y| s.row(y).to_vec()).collect()
    }

    fn packed(s: &Symbol) -> Vec<Row> {
        (0..s.width())
            .map(|y| {
                let mut r = [0; WORDS];
                for x in 0..s.width() {
                    set(&mut r, x, s.is_dark(x, y));
                }
                r
            })
            .collect()
    }

    /// A sample of symbols: every version, plus many small ones where masks compete most.
    fn sample() -> Vec<(String, EcLevel, u8)> {
        let mut v: Vec<_> = (1..=40u8)
            .map(|ver| {
                (
                    format!("{ver}/{}", "ab1".repeat(usize::from(ver))),
                    EcLevel::ALL[usize::from(ver) % 4],
                    ver,
                )
            })
            .collect();
        for i in 0..48u32 {
            let text = format!("https://example.com/item/{}", i * 7919);
            v.push((text, EcLevel::ALL[(i % 4) as usize], 1 + (i % 6) as u8));
        }
        v
    }

    #[test]
    fn packed_penalties_equal_the_module_by_module_reference_for_every_mask() {
        for (text, ec, min_version) in sample() {
            let mut scores = Vec::new();
            for mask in 0..MASKS {
                let opts = Options {
                    min_version,
                    mask: Some(mask),
                };
                let s = encode_with(text.as_bytes(), ec, &opts).unwrap();
                let want = reference_penalty(&grid(&s));
                assert_eq!(
                    penalty(&packed(&s), s.width()),
                    want,
                    "{text} {ec} mask {mask}"
                );
                scores.push(want.iter().sum::<u32>());
            }
            // The chosen mask is the first one with the lowest reference score.
            let best = scores.iter().min().unwrap();
            let first_best = scores.iter().position(|s| s == best).unwrap() as u8;
            let opts = Options {
                min_version,
                mask: None,
            };
            assert_eq!(
                encode_with(text.as_bytes(), ec, &opts).unwrap().mask(),
                first_best,
                "{text} {ec} {scores:?}"
            );
        }
    }

    /// The seed request's scores, N1..N4 per mask. The standard's rules pick mask 2;
    /// python-qrcode picks mask 4, because it scores every mask with the format information
    /// and the dark module left light and counts N3 only inside the symbol (see
    /// BENCHMARKS.md).
    #[test]
    fn seed_request_gets_mask_2() {
        let text = b"https://example.com/product/123";
        let scores: Vec<[u32; 4]> = (0..MASKS)
            .map(|m| {
                let s = encode_with(
                    text,
                    EcLevel::H,
                    &Options {
                        min_version: 1,
                        mask: Some(m),
                    },
                )
                .unwrap();
                penalty(&packed(&s), s.width())
            })
            .collect();
        assert_eq!(
            scores,
            [
                [328, 339, 800, 0],
                [398, 408, 920, 0],
                [293, 282, 800, 0],
                [325, 384, 800, 0],
                [316, 339, 800, 0],
                [322, 372, 840, 0],
                [330, 348, 800, 0],
                [327, 405, 920, 0],
            ]
        );
        assert_eq!(crate::encode(text, EcLevel::H).unwrap().mask(), 2);
    }

    /// N3 of a 21 × 21 light grid whose row 10 is `line`, by both implementations.
    fn finder_like_score(line: &str) -> (u32, u32) {
        let mut g = vec![vec![false; 21]; 21];
        for (x, c) in line.chars().enumerate() {
            g[10][x] = c == '#';
        }
        let rows: Vec<Row> = g
            .iter()
            .map(|line| {
                let mut r = [0; WORDS];
                for (x, &d) in line.iter().enumerate() {
                    set(&mut r, x, d);
                }
                r
            })
            .collect();
        (penalty(&rows, 21)[2], reference_penalty(&g)[2])
    }

    #[test]
    fn finder_like_patterns_count_once_with_light_on_either_side_quiet_zone_included() {
        assert_eq!(
            finder_like_score("#.###.#"),
            (40, 40),
            "left edge: quiet zone before"
        );
        assert_eq!(
            finder_like_score("..............#.###.#"),
            (40, 40),
            "right edge"
        );
        assert_eq!(
            finder_like_score(".......#.###.#......."),
            (40, 40),
            "light both sides"
        );
        assert_eq!(
            finder_like_score("....#..#.###.#..#...."),
            (0, 0),
            "dark within four"
        );
        assert_eq!(
            finder_like_score("....#..#.###.#......."),
            (40, 40),
            "light after only"
        );
    }
}
