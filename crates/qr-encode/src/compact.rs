//! What Micro QR and rMQR share: one-mode segments, the bit stream with its padding, a module
//! grid with function patterns, the two-column zigzag of data modules, and Reed-Solomon
//! blocks with their interleaving.
//!
//! Both symbologies are small and rare next to QR, so this is plain code over `Vec<bool>`,
//! kept apart from QR's bit-packed fast path (`layout`, `mask`).

use crate::rs;

/// An encoding mode. A payload is encoded in one segment of the smallest mode that holds
/// every character (segno makes the same choice, so symbols compare bit for bit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Numeric,
    Alphanumeric,
    Byte,
}

/// The 45 characters of alphanumeric mode, in value order.
const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

impl Mode {
    /// The smallest mode that encodes every byte of `data`.
    pub fn of(data: &[u8]) -> Mode {
        if data.iter().all(u8::is_ascii_digit) {
            Mode::Numeric
        } else if data.iter().all(|b| ALPHANUMERIC.contains(b)) {
            Mode::Alphanumeric
        } else {
            Mode::Byte
        }
    }

    /// For error messages: "numeric", "alphanumeric", "byte".
    pub fn name(self) -> &'static str {
        match self {
            Mode::Numeric => "numeric",
            Mode::Alphanumeric => "alphanumeric",
            Mode::Byte => "byte",
        }
    }

    /// Bits that `n` characters take after the mode indicator and count (ISO/IEC 18004
    /// §7.4.3-7.4.5).
    pub fn data_bits(self, n: usize) -> usize {
        match self {
            Mode::Numeric => n / 3 * 10 + [0, 4, 7][n % 3],
            Mode::Alphanumeric => n / 2 * 11 + [0, 6][n % 2],
            Mode::Byte => n * 8,
        }
    }
}

/// The most characters of `mode` that fit `capacity` bits after `header` bits of mode
/// indicator and count, with a count field of `count_bits`.
pub(crate) fn max_chars(mode: Mode, header: usize, count_bits: usize, capacity: usize) -> usize {
    let mut n = 0;
    while n + 1 < 1 << count_bits && header + mode.data_bits(n + 1) <= capacity {
        n += 1;
    }
    n
}

/// A growing bit string, most significant bit first.
#[derive(Debug, Default)]
pub(crate) struct Bits(pub Vec<bool>);

impl Bits {
    pub fn push(&mut self, value: u32, len: usize) {
        self.0.extend((0..len).rev().map(|i| value >> i & 1 == 1));
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Appends the characters of `data` in `mode` (no indicator or count).
    pub fn push_data(&mut self, mode: Mode, data: &[u8]) {
        match mode {
            Mode::Numeric => {
                for chunk in data.chunks(3) {
                    let v = chunk.iter().fold(0, |v, d| v * 10 + u32::from(d - b'0'));
                    self.push(v, [0, 4, 7, 10][chunk.len()]);
                }
            }
            Mode::Alphanumeric => {
                let value = |b: &u8| {
                    ALPHANUMERIC
                        .iter()
                        .position(|c| c == b)
                        .expect("checked by Mode::of") as u32
                };
                for chunk in data.chunks(2) {
                    match chunk {
                        [a, b] => self.push(value(a) * 45 + value(b), 11),
                        [a] => self.push(value(a), 6),
                        _ => unreachable!(),
                    }
                }
            }
            Mode::Byte => data.iter().for_each(|&b| self.push(u32::from(b), 8)),
        }
    }

    /// Terminator (as many of `terminator` zero bits as fit), zeros to the next codeword,
    /// then the pad codewords 11101100 and 00010001 alternately up to `full` bits, then zeros
    /// up to `capacity` (Micro QR's 4-bit final codeword; `full == capacity` elsewhere).
    pub fn finish(&mut self, terminator: usize, full: usize, capacity: usize) {
        let room = capacity - self.len();
        self.push(0, terminator.min(room));
        if self.len() < full {
            self.push(0, (8 - self.len() % 8) % 8);
            for pad in [0xec, 0x11].into_iter().cycle() {
                if self.len() >= full {
                    break;
                }
                self.push(pad, 8);
            }
        }
        let rest = capacity - self.len();
        self.push(0, rest);
    }

    /// The bits as codewords, a final partial codeword padded with zeros on the right.
    pub fn codewords(&self) -> Vec<u8> {
        self.0
            .chunks(8)
            .map(|c| {
                let v = c.iter().fold(0u8, |v, &b| v << 1 | u8::from(b));
                v << (8 - c.len())
            })
            .collect()
    }
}

/// Splits `data` into blocks of the given data lengths, appends `ec` error-correction
/// codewords to each, and interleaves them: the data codewords column by column (a shorter
/// block drops out of the last column), then the error-correction ones (ISO/IEC 18004 §7.6).
pub(crate) fn interleave(data: &[u8], blocks: &[usize], ec: usize) -> Vec<u8> {
    let mut start = 0;
    let mut parts = Vec::with_capacity(blocks.len());
    for &k in blocks {
        let block = &data[start..start + k];
        parts.push((block, rs::ec_codewords(block, ec)));
        start += k;
    }
    let longest = blocks.iter().copied().max().unwrap_or(0);
    let mut out = Vec::with_capacity(data.len() + ec * blocks.len());
    for i in 0..longest {
        out.extend(parts.iter().filter_map(|(d, _)| d.get(i)));
    }
    for i in 0..ec {
        out.extend(parts.iter().map(|(_, e)| e[i]));
    }
    out
}

/// A `width` × `height` module grid being built: which modules are function patterns and
/// the colour of each.
#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub width: usize,
    pub height: usize,
    pub dark: Vec<bool>,
    pub function: Vec<bool>,
}

impl Grid {
    pub fn new(width: usize, height: usize) -> Grid {
        Grid {
            width,
            height,
            dark: vec![false; width * height],
            function: vec![false; width * height],
        }
    }

    /// Marks (`x`, `y`) as a function module of colour `dark`.
    pub fn put(&mut self, x: usize, y: usize, dark: bool) {
        let i = y * self.width + x;
        self.function[i] = true;
        self.dark[i] = dark;
    }

    /// [`Grid::put`] only where nothing is drawn yet (timing patterns run under the others).
    pub fn put_if_free(&mut self, x: usize, y: usize, dark: bool) {
        if !self.function[y * self.width + x] {
            self.put(x, y, dark);
        }
    }

    pub fn is_function(&self, x: usize, y: usize) -> bool {
        self.function[y * self.width + x]
    }

    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.width + x]
    }

    /// The data modules in placement order: pairs of columns from `first_x` leftwards (the
    /// right one first), upwards in the first pair and alternating, skipping function modules
    /// (ISO/IEC 18004 §7.7.3; ISO/IEC 23941 §7.7.3).
    pub fn zigzag(&self, first_x: usize) -> Vec<(usize, usize)> {
        let mut order = Vec::new();
        let mut up = true;
        let mut x = first_x as isize;
        while x >= 1 {
            for step in 0..self.height {
                let y = if up { self.height - 1 - step } else { step };
                for xx in [x as usize, x as usize - 1] {
                    if !self.is_function(xx, y) {
                        order.push((xx, y));
                    }
                }
            }
            up = !up;
            x -= 2;
        }
        order
    }

    /// Places `bits` along `order`; modules past the end stay light (remainder bits).
    pub fn place(&mut self, order: &[(usize, usize)], bits: impl IntoIterator<Item = bool>) {
        for (&(x, y), bit) in order.iter().zip(bits) {
            self.dark[y * self.width + x] = bit;
        }
    }

    /// Inverts every data module where `mask(x, y)` holds.
    pub fn apply_mask(&mut self, mask: impl Fn(usize, usize) -> bool) {
        for y in 0..self.height {
            for x in 0..self.width {
                let i = y * self.width + x;
                if !self.function[i] && mask(x, y) {
                    self.dark[i] = !self.dark[i];
                }
            }
        }
    }
}

/// The bits of `codewords`, most significant first, where codeword `short` (if any) only
/// gives its top four bits (Micro QR M1 and M3's final data codeword).
pub(crate) fn codeword_bits(codewords: &[u8], short: Option<usize>) -> Vec<bool> {
    let mut bits = Vec::with_capacity(codewords.len() * 8);
    for (i, &c) in codewords.iter().enumerate() {
        let n = if Some(i) == short { 4 } else { 8 };
        bits.extend((0..n).map(|k| c >> (7 - k) & 1 == 1));
    }
    bits
}

/// The BCH remainder of `data << degree` by `generator` (format and version information).
pub(crate) fn bch(data: u32, generator: u32, degree: u32) -> u32 {
    let mut rem = data << degree;
    let top = 31 - generator.leading_zeros();
    while rem >> top != 0 {
        let shift = (31 - rem.leading_zeros()) - top;
        rem ^= generator << shift;
    }
    data << degree | rem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_the_smallest_that_hold_every_character() {
        assert_eq!(Mode::of(b"0123"), Mode::Numeric);
        assert_eq!(Mode::of(b"HELLO 1"), Mode::Alphanumeric);
        assert_eq!(Mode::of(b"Hello"), Mode::Byte);
    }

    #[test]
    fn the_qr_format_bch_code_matches_the_standards_example() {
        // ISO/IEC 18004 annex C: level M, mask 101 → 100000011001110 before the QR mask.
        assert_eq!(bch(0b00101, 0x537, 10), 0b001010011011100);
    }

    #[test]
    fn padding_alternates_the_two_pad_codewords() {
        let mut b = Bits::default();
        b.push(0b1, 1);
        b.finish(3, 32, 32);
        assert_eq!(b.codewords(), [0x80, 0xec, 0x11, 0xec]);
    }
}
