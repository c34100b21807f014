//! Structured append (ISO/IEC 18004, "Structured append"): one message spread over up to 16
//! symbols.
//!
//! Each symbol starts with a 20-bit header (mode indicator `0011`, its 4-bit position from 0,
//! the 4-bit count minus one, and the parity byte: the XOR of every byte of the whole
//! message), then its piece of the message in the usual segments. Readers that know the mode
//! (zxing, rxing, zxing-cpp, qr-scan) report each piece with its place and join them.
//!
//! Pieces are cut between bytes, never inside a UTF-8 sequence, so that readers which decode
//! each piece's text on its own (as zxing does) still read valid UTF-8 in every piece.

use qrcode::Version;
use qrcode::bits::Bits;

use crate::{EcLevel, Symbol, from_data_codewords, layout, to_qrcode};

/// Most symbols in one sequence: the header stores the count in 4 bits.
pub const MAX_SYMBOLS: usize = 16;

/// Bits of the structured-append header before each piece's segments.
const HEADER_BITS: usize = 4 + 4 + 4 + 8;

/// The message does not fit in the symbols allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{len} bytes do not fit in {symbols} symbol{s} of version {max_version} or less at error \
     correction {ec}: {symbols} such symbol{s} hold{verb} {capacity} bytes of this kind of data \
     (a structured-append sequence has at most {max})",
    s = if *symbols == 1 { "" } else { "s" },
    verb = if *symbols == 1 { "s" } else { "" },
    max = MAX_SYMBOLS
)]
pub struct SequenceTooLong {
    /// Message length in bytes.
    pub len: usize,
    /// Symbols allowed.
    pub symbols: usize,
    /// Largest version allowed for each symbol.
    pub max_version: u8,
    /// Level asked for.
    pub ec: EcLevel,
    /// The most bytes of this message's kind (digits, alphanumerics or bytes) that `symbols`
    /// symbols of `max_version` hold.
    pub capacity: usize,
}

/// Encodes `data` as a structured-append sequence of symbols of at most `max_version` each:
/// `symbols` of them, or as few as hold it when `symbols` is `None`. Each symbol takes the
/// smallest version its piece fits; pieces are of about equal length.
///
/// One symbol (the message fits in one, or `symbols` is `Some(1)`) is an ordinary symbol
/// without the header. An empty message, or fewer UTF-8 characters than `symbols`, cannot be
/// split and is reported as not fitting.
///
/// # Panics
///
/// If `max_version` is not 1 to 40 or `symbols` is not 1 to [`MAX_SYMBOLS`].
pub fn encode_append(
    data: &[u8],
    ec: EcLevel,
    max_version: u8,
    symbols: Option<usize>,
) -> Result<Vec<Symbol>, SequenceTooLong> {
    assert!((1..=layout::MAX_VERSION).contains(&max_version));
    assert!(symbols.is_none_or(|n| (1..=MAX_SYMBOLS).contains(&n)));
    let too_long = |n: usize| SequenceTooLong {
        len: data.len(),
        symbols: n,
        max_version,
        ec,
        capacity: n * piece_capacity(data, ec, max_version, n > 1),
    };
    let cuts = match symbols {
        Some(n) => balanced(data, n)
            .filter(|cuts| fits_all(data, cuts, ec, max_version))
            .ok_or_else(|| too_long(n))?,
        None => {
            let greedy = greedy(data, ec, max_version).ok_or_else(|| too_long(MAX_SYMBOLS))?;
            // The fewest pieces, evened out when equal cuts fit too.
            balanced(data, greedy.len() - 1)
                .filter(|cuts| fits_all(data, cuts, ec, max_version))
                .unwrap_or(greedy)
        }
    };
    let total = cuts.len() - 1;
    let parity = data.iter().fold(0u8, |p, b| p ^ b);
    Ok(cuts
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let header = (total > 1).then_some((i as u8, total as u8, parity));
            let piece = &data[w[0]..w[1]];
            let version = (1..=max_version)
                .find(|&v| piece_bits(piece, v, header.is_some()).is_some_and(|b| b <= cap(v, ec)))
                .expect("a piece that was checked to fit");
            symbol(piece, version, ec, header)
        })
        .collect())
}

/// Data bits a version holds at a level.
fn cap(version: u8, ec: EcLevel) -> usize {
    Bits::new(Version::Normal(i16::from(version)))
        .max_len(to_qrcode(ec))
        .expect("every normal version has every level")
}

/// Bits `piece` takes in a symbol of `version` (its segments, plus the header when `header`),
/// or `None` when the segments alone overflow a count field.
fn piece_bits(piece: &[u8], version: u8, header: bool) -> Option<usize> {
    let mut bits = Bits::new(Version::Normal(i16::from(version)));
    bits.push_optimal_data(piece).ok()?;
    Some(bits.len() + if header { HEADER_BITS } else { 0 })
}

fn fits(piece: &[u8], ec: EcLevel, version: u8, header: bool) -> bool {
    !piece.is_empty() && piece_bits(piece, version, header).is_some_and(|b| b <= cap(version, ec))
}

/// Whether a piece may end (and the next begin) before byte `i`: not inside a UTF-8 sequence.
fn boundary(data: &[u8], i: usize) -> bool {
    i == 0 || i == data.len() || (data[i] & 0xc0) != 0x80
}

/// Cut positions (first 0, last `data.len()`) of `n` pieces of about equal length, each cut
/// moved forward to a boundary; `None` if some piece would be empty.
fn balanced(data: &[u8], n: usize) -> Option<Vec<usize>> {
    let mut cuts = vec![0];
    for k in 1..n {
        let mut at = data.len() * k / n;
        while !boundary(data, at) {
            at += 1;
        }
        cuts.push(at);
    }
    cuts.push(data.len());
    cuts.windows(2).all(|w| w[0] < w[1]).then_some(cuts)
}

fn fits_all(data: &[u8], cuts: &[usize], ec: EcLevel, max_version: u8) -> bool {
    let header = cuts.len() > 2;
    cuts.windows(2)
        .all(|w| fits(&data[w[0]..w[1]], ec, max_version, header))
}

/// The fewest pieces of at most `max_version`: each piece as long as fits, found by bisection
/// over the boundaries (a longer piece never takes fewer bits). `None` past [`MAX_SYMBOLS`]
/// pieces.
fn greedy(data: &[u8], ec: EcLevel, max_version: u8) -> Option<Vec<usize>> {
    if data.is_empty() {
        return None;
    }
    if fits(data, ec, max_version, false) {
        return Some(vec![0, data.len()]);
    }
    let ends: Vec<usize> = (1..=data.len()).filter(|&i| boundary(data, i)).collect();
    let mut cuts = vec![0];
    let mut next = 0; // index in `ends` of the shortest next piece's end
    while next < ends.len() {
        if cuts.len() > MAX_SYMBOLS {
            return None;
        }
        let start = *cuts.last()?;
        let fitting =
            ends[next..].partition_point(|&end| fits(&data[start..end], ec, max_version, true));
        if fitting == 0 {
            return None; // not even one character fits
        }
        next += fitting;
        cuts.push(ends[next - 1]);
    }
    (cuts.len() - 1 <= MAX_SYMBOLS).then_some(cuts)
}

/// The longest run of `data`'s kind of character (digits, alphanumerics, or bytes; see
/// [`crate::max_payload`]) that one symbol of `max_version` holds, with the header or not.
fn piece_capacity(data: &[u8], ec: EcLevel, max_version: u8, header: bool) -> usize {
    let unit = if data.iter().all(u8::is_ascii_digit) {
        b'7'
    } else if crate::max_payload(data, ec) == crate::max_payload(b"A", ec) {
        b'A'
    } else {
        b'a'
    };
    let (mut lo, mut hi) = (0, crate::max_payload(&[unit], ec));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if fits(&vec![unit; mid], ec, max_version, header) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    lo
}

/// One symbol of `version` holding `piece`, after the structured-append header
/// `(index, total, parity)` when given.
fn symbol(piece: &[u8], version: u8, ec: EcLevel, header: Option<(u8, u8, u8)>) -> Symbol {
    let mut segments = Bits::new(Version::Normal(i16::from(version)));
    segments
        .push_optimal_data(piece)
        .expect("a piece that was checked to fit");
    let segment_bits = segments.len();
    let segment_bytes = segments.into_bytes();
    let capacity = cap(version, ec);

    let mut out = BitWriter::default();
    if let Some((index, total, parity)) = header {
        out.push(0b0011, 4);
        out.push(u32::from(index), 4);
        out.push(u32::from(total - 1), 4);
        out.push(u32::from(parity), 8);
    }
    for i in 0..segment_bits {
        out.push(u32::from(segment_bytes[i / 8] >> (7 - i % 8) & 1), 1);
    }
    // Terminator (up to four zeros), zero bits to a byte, then the pad codewords.
    let terminator = (capacity - out.len).min(4);
    out.push(0, terminator);
    while !out.len.is_multiple_of(8) {
        out.push(0, 1);
    }
    for pad in [0xec, 0x11].into_iter().cycle() {
        if out.len >= capacity {
            break;
        }
        out.push(pad, 8);
    }
    from_data_codewords(version, ec, &out.bytes, None)
}

/// Big-endian bits into bytes.
#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    len: usize,
}

impl BitWriter {
    fn push(&mut self, value: u32, bits: usize) {
        for i in (0..bits).rev() {
            if self.len.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if value >> i & 1 == 1 {
                *self.bytes.last_mut().expect("pushed above") |= 0x80 >> (self.len % 8);
            }
            self.len += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_that_fits_one_symbol_is_one_plain_symbol() {
        let s = encode_append(b"hello", EcLevel::M, 40, None).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0], crate::encode(b"hello", EcLevel::M).unwrap());
    }

    #[test]
    fn a_long_message_takes_the_fewest_symbols_of_the_version_allowed() {
        // Version 5 at L holds 106 bytes; with the 20-bit header a piece holds 104.
        let data = vec![b'x'; 300];
        let s = encode_append(&data, EcLevel::L, 5, None).unwrap();
        assert_eq!(s.len(), 3);
        assert!(s.iter().all(|s| s.version() <= 5));
        // 100 bytes a piece: equal cuts fit.
        let s = encode_append(&data, EcLevel::L, 5, Some(4)).unwrap();
        assert_eq!(s.len(), 4);
        assert!(s.iter().all(|s| s.version() <= 5));
    }

    #[test]
    fn sixteen_symbols_is_the_edge_and_the_error_names_the_capacity() {
        let per = piece_capacity(b"a", EcLevel::H, 2, true);
        // Version 2-H: 16 data codewords (128 bits), less the 20-bit header, the 4-bit mode and
        // the 8-bit count: 96 bits, 12 bytes.
        assert_eq!(per, 12);
        let data = vec![b'a'; 16 * per];
        assert_eq!(encode_append(&data, EcLevel::H, 2, None).unwrap().len(), 16);
        let err = encode_append(&vec![b'a'; 16 * per + 1], EcLevel::H, 2, None).unwrap_err();
        assert_eq!(err.capacity, 16 * per);
        assert_eq!(err.symbols, MAX_SYMBOLS);
        assert!(err.to_string().contains(&format!("{}", 16 * per)), "{err}");
    }

    #[test]
    fn pieces_never_split_a_utf8_character() {
        let text = "é".repeat(200);
        let cuts = greedy(text.as_bytes(), EcLevel::L, 3).unwrap();
        assert!(cuts.len() > 2);
        for c in cuts {
            assert!(text.is_char_boundary(c));
        }
        assert_eq!(balanced("ab".as_bytes(), 3), None);
    }

    #[test]
    fn the_header_bits_are_mode_position_count_and_parity() {
        let mut w = BitWriter::default();
        w.push(0b0011, 4);
        w.push(2, 4);
        w.push(3, 4);
        w.push(0xa5, 8);
        assert_eq!(w.len, 20);
        assert_eq!(w.bytes, [0x32, 0x3a, 0x50]);
    }
}
