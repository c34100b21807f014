//! PNG output: one bit per pixel, so a 410 px code is a few hundred bytes.

use crate::{Style, Symbol};

/// Renders `symbol` as a PNG.
///
/// Black on opaque white is written as 1-bit greyscale (what the Python service sends);
/// any other pair of colours as a 1-bit palette, with a `tRNS` chunk when either is
/// translucent. Each module row is `scale` identical pixel rows, so the `Up` filter turns all
/// but the first into zeros and deflate stores them almost for free.
///
/// The caller bounds `style.side_px(symbol.width())`; this function allocates one pixel row
/// plus the compressed output.
pub fn to_png(symbol: &Symbol, style: &Style) -> Vec<u8> {
    let side = style.side_px(symbol.width()) as u32;
    let greyscale = style.dark == [0, 0, 0, 255] && style.light == [255, 255, 255, 255];
    let mut out = Vec::with_capacity(1024);
    {
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_depth(png::BitDepth::One);
        if greyscale {
            enc.set_color(png::ColorType::Grayscale);
        } else {
            enc.set_color(png::ColorType::Indexed);
            let [lr, lg, lb, la] = style.light;
            let [dr, dg, db, da] = style.dark;
            enc.set_palette(vec![lr, lg, lb, dr, dg, db]);
            if la != 255 || da != 255 {
                enc.set_trns(vec![la, da]);
            }
        }
        enc.set_compression(png::Compression::Balanced);
        enc.set_filter(png::Filter::Up);
        // Writing into a Vec cannot fail, and the header matches the rows we write.
        let mut writer = enc.write_header().expect("PNG header into memory");
        let mut stream = writer.stream_writer().expect("PNG stream into memory");
        write_rows(symbol, style, greyscale, &mut stream);
        stream.finish().expect("PNG end into memory");
    }
    out
}

fn write_rows(symbol: &Symbol, style: &Style, greyscale: bool, w: &mut impl std::io::Write) {
    let side = style.side_px(symbol.width()) as usize;
    let row_bytes = side.div_ceil(8);
    // In greyscale a set bit is white; in the palette index 1 is the dark colour.
    let light_bit = greyscale;
    let blank = packed_row(side, |_| light_bit);
    let margin = style.margin as usize;
    let scale = style.scale as usize;
    for _ in 0..margin * scale {
        w.write_all(&blank).expect("PNG row into memory");
    }
    let mut row = vec![0u8; row_bytes];
    for y in 0..symbol.width() {
        let modules = symbol.row(y);
        row.copy_from_slice(&packed_row(side, |px| {
            let m = px / scale;
            let dark = m >= margin && m - margin < modules.len() && modules[m - margin];
            dark != light_bit
        }));
        for _ in 0..scale {
            w.write_all(&row).expect("PNG row into memory");
        }
    }
    for _ in 0..margin * scale {
        w.write_all(&blank).expect("PNG row into memory");
    }
}

/// Packs `side` one-bit pixels, most significant bit first, as PNG wants them.
fn packed_row(side: usize, bit: impl Fn(usize) -> bool) -> Vec<u8> {
    let mut row = vec![0u8; side.div_ceil(8)];
    for px in 0..side {
        if bit(px) {
            row[px / 8] |= 0x80 >> (px % 8);
        }
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EcLevel, encode};

    #[test]
    fn seed_png_is_410_px_and_small() {
        let s = encode(b"https://example.com/product/123", EcLevel::H).unwrap();
        let png = to_png(&s, &Style::default());
        let dec = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = dec.read_info().unwrap();
        assert_eq!(reader.info().width, 410);
        assert_eq!(reader.info().height, 410);
        assert!(png.len() < 2048, "{} bytes", png.len());
    }
}
