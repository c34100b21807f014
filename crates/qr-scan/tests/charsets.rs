//! Right text or no text: real payloads in UTF-8, ISO-8859-1 and Shift_JIS, with and
//! without ECI, encoded as real symbols, drawn, and read back through `qr_scan::scan`.
//!
//! Without ECI the character set is chosen by zxing's rules (see `payload.rs`), so a payload
//! reads here as it reads in zxing-cpp, and `encoding` says which reading was chosen.

use qr_scan::{EcLevel, Encoding, sets};
use qrcode::bits::Bits;

/// How a row's bytes are put into the symbol.
#[derive(Debug, Clone, Copy)]
enum Writer {
    /// qr-encode, which splits the payload into the modes the standard allows (kanji mode
    /// included, for Shift_JIS pairs), without ECI: what our `/generate` makes.
    Auto,
    /// One byte-mode segment, without ECI: what most generators make.
    Bytes,
    /// An ECI designator (3 ISO-8859-1, 20 Shift_JIS, 26 UTF-8), then one byte segment.
    Eci(u32),
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 test string"))
        .collect()
}

fn shift_jis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

/// Encodes `bytes` with `writer` at `ec` and draws it at 4 px per module.
fn symbol_image(bytes: &[u8], writer: Writer, ec: EcLevel) -> image::GrayImage {
    if let Writer::Auto = writer {
        let symbol = qr_encode::encode(bytes, ec).expect("test payloads fit");
        return sets::render(&symbol, 4, 4);
    }
    let level = match ec {
        EcLevel::L => qrcode::EcLevel::L,
        EcLevel::M => qrcode::EcLevel::M,
        EcLevel::Q => qrcode::EcLevel::Q,
        EcLevel::H => qrcode::EcLevel::H,
    };
    // The smallest version the segment fits.
    let code = (1..=40)
        .find_map(|v| {
            let mut bits = Bits::new(qrcode::Version::Normal(v));
            if let Writer::Eci(eci) = writer {
                bits.push_eci_designator(eci).ok()?;
            }
            bits.push_byte_data(bytes).ok()?;
            bits.push_terminator(level).ok()?;
            qrcode::QrCode::with_bits(bits, level).ok()
        })
        .expect("test payloads fit version 40");
    let modules = code.to_colors();
    let width = code.width();
    sets::render_modules(
        width,
        |x, y| modules[y * width + x] == qrcode::Color::Dark,
        4,
        4,
    )
}

/// The payload zxing-cpp reads right and a naive Shift_JIS-first guess turns to mojibake.
const NINO: &str = "e, niño, façade, smörgåsbord, ½ £";
const CAFE_NINO: &str = "café, e, niño, façade, smörgåsbord, ½ £";

/// (row name, payload bytes, how they are written, expected text, expected encoding)
type Row<'a> = (&'a str, Vec<u8>, Writer, Option<&'a str>, Encoding);

#[test]
fn payloads_read_back_in_the_right_character_set() {
    let rows: Vec<Row<'_>> = vec![
        (
            "ascii url",
            b"https://example.com/a?b=1".to_vec(),
            Writer::Auto,
            Some("https://example.com/a?b=1"),
            Encoding::Utf8,
        ),
        (
            "utf-8",
            "Grüße aus Köln – 東京".as_bytes().to_vec(),
            Writer::Auto,
            Some("Grüße aus Köln – 東京"),
            Encoding::Utf8,
        ),
        (
            "utf-8 bytes",
            "smörgåsbord ½ £".as_bytes().to_vec(),
            Writer::Bytes,
            Some("smörgåsbord ½ £"),
            Encoding::Utf8,
        ),
        (
            "utf-8 eci",
            "Grüße – 東京".as_bytes().to_vec(),
            Writer::Eci(26),
            Some("Grüße – 東京"),
            Encoding::Eci,
        ),
        (
            "latin-1 niño",
            latin1(NINO),
            Writer::Auto,
            Some(NINO),
            Encoding::Latin1,
        ),
        (
            "latin-1 niño bytes",
            latin1(NINO),
            Writer::Bytes,
            Some(NINO),
            Encoding::Latin1,
        ),
        (
            "latin-1 café first",
            latin1(CAFE_NINO),
            Writer::Bytes,
            Some(CAFE_NINO),
            Encoding::Latin1,
        ),
        (
            "latin-1 voilà",
            latin1("voilà@home"),
            Writer::Bytes,
            Some("voilà@home"),
            Encoding::Latin1,
        ),
        (
            "latin-1 eci",
            latin1(NINO),
            Writer::Eci(3),
            Some(NINO),
            Encoding::Eci,
        ),
        (
            "shift_jis kanji mode",
            shift_jis("日本語のテキスト"),
            Writer::Auto,
            Some("日本語のテキスト"),
            Encoding::ShiftJis,
        ),
        (
            "shift_jis bytes",
            shift_jis("日本語のテキスト"),
            Writer::Bytes,
            Some("日本語のテキスト"),
            Encoding::ShiftJis,
        ),
        (
            "shift_jis katakana",
            shift_jis("ｱｲｳｴｵ"),
            Writer::Bytes,
            Some("ｱｲｳｴｵ"),
            Encoding::ShiftJis,
        ),
        (
            "shift_jis eci",
            shift_jis("日本語のテキスト"),
            Writer::Eci(20),
            Some("日本語のテキスト"),
            Encoding::Eci,
        ),
        (
            "binary",
            vec![0x00, 0x01, 0x02, 0x80, 0xff, 0x10],
            Writer::Bytes,
            None,
            Encoding::Binary,
        ),
    ];
    let mut wrong = Vec::new();
    for (name, bytes, writer, text, encoding) in &rows {
        for ec in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            let codes = qr_scan::scan(&symbol_image(bytes, *writer, ec));
            let got: Vec<_> = codes
                .iter()
                .map(|c| (c.text.as_deref(), c.encoding, c.bytes == *bytes))
                .collect();
            if got != [(*text, *encoding, true)] {
                wrong.push(format!(
                    "{name} at {ec:?}: got {got:?}, want {text:?} as {encoding:?}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
