//! PNG output: one bit per pixel and a deflate stream built for repeated scanlines, so the
//! seed request's 410 px code is about 600 bytes and takes microseconds.

use crate::deflate::zlib_repeated_lines;
use crate::{Style, Symbol};

/// Renders `symbol` as a PNG.
///
/// Black on opaque white is written as 1-bit greyscale (what the Python service sends);
/// any other pair of colours as a 1-bit palette, with a `tRNS` chunk when either is
/// translucent. Scanlines use filter type 0: every pixel row of a module row is the same, and
/// the deflater turns each repeat into a back-reference instead of leaning on a filter.
///
/// The caller bounds `style.side_px(symbol.width())` (`qr-core` does); this function allocates
/// one scanline per module row plus the compressed output.
///
/// # Panics
///
/// If the image is wider than 262 136 px (a scanline past deflate's 32 KiB window).
pub fn to_png(symbol: &Symbol, style: &Style) -> Vec<u8> {
    let side = style.side_px(symbol.width()) as usize;
    let tall = style.side_px(symbol.height()) as u32;
    let greyscale = style.dark == [0, 0, 0, 255] && style.light == [255, 255, 255, 255];
    // In greyscale a set bit is white; in the palette index 1 is the dark colour.
    let dark_bit = !greyscale;
    let line_len = 1 + side.div_ceil(8);
    let margin = style.margin as usize;
    let scale = style.scale as usize;

    let mut blank = vec![0u8; line_len];
    fill(&mut blank[1..], 0, side, !dark_bit);
    // Every module row's scanline, back to back in one buffer.
    let mut rows = blank.repeat(symbol.height());
    for (y, line) in rows.chunks_exact_mut(line_len).enumerate() {
        let modules = symbol.row(y);
        let mut x = 0;
        while x < modules.len() {
            if modules[x] {
                let start = x;
                while x < modules.len() && modules[x] {
                    x += 1;
                }
                let (from, to) = ((margin + start) * scale, (margin + x) * scale);
                fill(&mut line[1..], from, to, dark_bit);
            } else {
                x += 1;
            }
        }
    }
    let mut lines: Vec<(&[u8], usize)> = Vec::with_capacity(symbol.height() + 2);
    lines.push((&blank, margin * scale));
    lines.extend(rows.chunks_exact(line_len).map(|r| (r, scale)));
    lines.push((&blank, margin * scale));

    let colour = if greyscale {
        Colour::Grey1
    } else {
        Colour::Palette1 {
            light: style.light,
            dark: style.dark,
        }
    };
    png_file(side as u32, tall, colour, &zlib_repeated_lines(&lines))
}

/// Sets pixels `start..end` of a packed 1-bit row (most significant bit first) to `on`.
fn fill(row: &mut [u8], start: usize, end: usize, on: bool) {
    if start >= end {
        return;
    }
    // Bits of a byte from pixel `p % 8` on, MSB first.
    let from = |p: usize| 0xffu8 >> (p % 8);
    let (first, last) = (start / 8, (end - 1) / 8);
    let set = |row: &mut [u8], i: usize, m: u8| {
        if on {
            row[i] |= m;
        } else {
            row[i] &= !m;
        }
    };
    let tail = !from(end) | if end.is_multiple_of(8) { 0xff } else { 0 };
    if first == last {
        set(row, first, from(start) & tail);
        return;
    }
    set(row, first, from(start));
    row[first + 1..last].fill(if on { 0xff } else { 0 });
    set(row, last, tail);
}

/// Pixel formats this crate writes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Colour {
    /// 1-bit greyscale: 0 black, 1 white.
    Grey1,
    /// 1-bit palette: index 0 `light`, index 1 `dark`, RGBA.
    Palette1 { light: [u8; 4], dark: [u8; 4] },
    /// 8-bit greyscale (tests of the deflater).
    #[cfg(test)]
    Grey8,
}

/// A PNG file around an already compressed `idat` (zlib stream of filtered scanlines).
pub(crate) fn png_file(width: u32, height: u32, colour: Colour, idat: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(idat.len() + 100);
    out.extend_from_slice(b"\x89PNG\r\n\x1a\n");
    let (depth, colour_type) = match colour {
        Colour::Grey1 => (1, 0),
        Colour::Palette1 { .. } => (1, 3),
        #[cfg(test)]
        Colour::Grey8 => (8, 0),
    };
    let mut ihdr = [0u8; 13];
    ihdr[..4].copy_from_slice(&width.to_be_bytes());
    ihdr[4..8].copy_from_slice(&height.to_be_bytes());
    ihdr[8] = depth;
    ihdr[9] = colour_type;
    // Compression, filter and interlace methods 0: deflate, adaptive filters, none.
    chunk(&mut out, b"IHDR", &ihdr);
    if let Colour::Palette1 { light, dark } = colour {
        let [lr, lg, lb, la] = light;
        let [dr, dg, db, da] = dark;
        chunk(&mut out, b"PLTE", &[lr, lg, lb, dr, dg, db]);
        if la != 255 || da != 255 {
            chunk(&mut out, b"tRNS", &[la, da]);
        }
    }
    chunk(&mut out, b"IDAT", idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let from = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[from..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// CRC-32 (ISO-HDLC, as PNG and ZIP use), four bytes per step ("slicing by 4").
///
/// Not `crc32fast` (which the `png` crate links), measured both ways (BENCHMARKS.md, "CRC-32:
/// ours or crc32fast"): its portable path, the one wasm32 gets, slices by 16 over a 16 KiB
/// table. With the table hot it is 0.3 µs faster per seed PNG, but every request runs in a
/// fresh instance, which first touches four pages of table instead of one: the seed request
/// in-process is 2.0 µs (2.4%) faster with this one. Natively crc32fast's SIMD path is about
/// 20x faster (0.05 vs 0.9 µs a seed PNG), but the native build does not ship.
pub fn crc32(bytes: &[u8]) -> u32 {
    static TABLES: [[u32; 256]; 4] = {
        let mut t = [[0u32; 256]; 4];
        let mut n = 0;
        while n < 256 {
            let mut c = n as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 == 1 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[0][n] = c;
            n += 1;
        }
        let mut n = 0;
        while n < 256 {
            let mut k = 1;
            while k < 4 {
                let prev = t[k - 1][n];
                t[k][n] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
                k += 1;
            }
            n += 1;
        }
        t
    };
    let mut c = !0u32;
    let mut words = bytes.chunks_exact(4);
    for w in &mut words {
        let x = c ^ u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        c = TABLES[3][(x & 0xff) as usize]
            ^ TABLES[2][(x >> 8 & 0xff) as usize]
            ^ TABLES[1][(x >> 16 & 0xff) as usize]
            ^ TABLES[0][(x >> 24) as usize];
    }
    for &b in words.remainder() {
        c = TABLES[0][((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EcLevel, encode};

    #[test]
    fn seed_png_is_410_px_and_smaller_than_the_python_services() {
        let s = encode(b"https://example.com/product/123", EcLevel::H).unwrap();
        let png = to_png(&s, &Style::default());
        let reader = png::Decoder::new(std::io::Cursor::new(&png))
            .read_info()
            .unwrap();
        assert_eq!(reader.info().width, 410);
        assert_eq!(reader.info().height, 410);
        // The Python service sends 817 bytes for the same image.
        assert!(png.len() <= 817, "{} bytes", png.len());
    }

    #[test]
    fn crc_matches_the_png_specs_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    #[test]
    fn fill_sets_exactly_the_asked_pixels() {
        let mut row = [0u8; 3];
        fill(&mut row, 3, 13, true);
        assert_eq!(row, [0b0001_1111, 0b1111_1000, 0]);
        fill(&mut row, 4, 12, false);
        assert_eq!(row, [0b0001_0000, 0b0000_1000, 0]);
        fill(&mut row, 0, 24, true);
        assert_eq!(row, [0xff; 3]);
        fill(&mut row, 8, 16, false);
        fill(&mut row, 17, 18, false);
        assert_eq!(row, [0xff, 0, 0b1011_1111]);
    }
}
