//! Turns a symbol's payload bytes into text, the way phones and zxing readers do.
//!
//! A QR symbol only says how to read its bytes when it carries an ECI designator; most
//! real codes do not, and in practice their byte segments hold UTF-8 (modern generators),
//! Shift_JIS (Japanese phones and posters, also what kanji mode stores) or ISO-8859-1
//! (what the standard says is the default). Which one is chosen follows the rules zxing
//! (Java) and zxing-cpp document and share for symbols without ECI, see [`guess_charset`],
//! so a payload reads the same here as in the reader most apps embed, and the caller
//! always knows which reading was chosen.
//!
//! rxing (whose decoder we use) has a port of the same rules whose Shift_JIS and
//! ISO-8859-1 tests compare single byte values where the rules name ranges; it reads
//! ISO-8859-1 text such as `niño` as Shift_JIS. Its reading is only used for what the
//! bytes alone cannot tell: segments whose mode names the character set (hanzi mode).

use encoding_rs::SHIFT_JIS;

/// How [`crate::Code::text`] was obtained from the payload bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// The symbol declared its character set(s) with ECI designators.
    Eci,
    /// No ECI; the bytes are UTF-8 with at least one multi-byte character, or plain ASCII
    /// (which reads the same in all three character sets).
    Utf8,
    /// No ECI; the bytes are Shift_JIS by zxing's rules (Japanese text, kanji mode).
    ShiftJis,
    /// No ECI, and no single character set reads the whole payload cleanly, but its
    /// segment modes name them: kanji mode is Shift_JIS, hanzi mode GB2312. The decoder
    /// read each segment in its own set.
    PerSegment,
    /// No ECI; ISO-8859-1, the standard's default for byte mode, chosen by zxing's rules.
    Latin1,
    /// No reading gave plausible text: only the raw bytes are meaningful.
    Binary,
}

/// Reads `bytes` as text when the symbol had no ECI designator; `per_segment` is the
/// decoder's reading of each segment in the character set its mode implies, tried when
/// the character set [`guess_charset`] picks does not read the whole payload cleanly.
pub(crate) fn guess_text(
    bytes: &[u8],
    per_segment: impl FnOnce() -> Option<String>,
) -> (Option<String>, Encoding) {
    let latin1 = || bytes.iter().map(|&b| char::from(b)).collect::<String>();
    // ASCII reads the same in all three sets; callers have always seen it called UTF-8.
    let charset = if bytes.is_ascii() {
        Some(Encoding::Utf8)
    } else {
        guess_charset(bytes)
    };
    let guessed = match charset {
        Some(Encoding::Utf8) => std::str::from_utf8(bytes)
            .ok()
            .map(|text| (text.to_owned(), Encoding::Utf8)),
        Some(Encoding::ShiftJis) => SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| (text.into_owned(), Encoding::ShiftJis)),
        Some(Encoding::Latin1) => Some((latin1(), Encoding::Latin1)),
        _ => None,
    };
    if let Some((text, encoding)) = guessed
        && !text.chars().any(is_binary_control)
    {
        return (Some(text), encoding);
    }
    if let Some(text) = per_segment()
        && !text.contains(char::REPLACEMENT_CHARACTER)
        && text != latin1()
    {
        return (Some(text), Encoding::PerSegment);
    }
    if !bytes.iter().any(|&b| is_binary_control(char::from(b))) {
        return (Some(latin1()), Encoding::Latin1);
    }
    (None, Encoding::Binary)
}

/// The character set zxing (Java and C++) assumes for a byte payload without ECI: returns
/// [`Encoding::Utf8`], [`Encoding::ShiftJis`] or [`Encoding::Latin1`], or `None` when the
/// bytes are none of the three.
///
/// The rules, as zxing documents them in its guesser and as zxing-cpp applies them:
/// - UTF-8 when the bytes are well-formed UTF-8 with a BOM or at least one multi-byte
///   character (pure ASCII is reported as UTF-8 here, zxing calls it ISO-8859-1: the text
///   is the same);
/// - else Shift_JIS when the bytes are well-formed Shift_JIS (lead bytes 0x81-0x9F and
///   0xE0-0xEF, trail bytes 0x40-0xFC but not 0x7F, single-byte katakana 0xA1-0xDF) and
///   hold a run of at least three katakana or three double-byte characters;
/// - else, when both ISO-8859-1 (no C1 controls 0x80-0x9F) and Shift_JIS fit, Shift_JIS
///   only if the text has exactly two katakana and they are adjacent, or if at least 10 %
///   of the bytes are Latin-1 symbols (0xA0-0xBF, ×, ÷) rather than letters;
///   otherwise ISO-8859-1;
/// - else the first of ISO-8859-1, Shift_JIS, UTF-8 that fits.
pub(crate) fn guess_charset(bytes: &[u8]) -> Option<Encoding> {
    let utf8 = std::str::from_utf8(bytes).is_ok();
    // Well-formed UTF-8 with any byte over 0x7F has a multi-byte character (a BOM is one).
    if utf8 && bytes.iter().any(|&b| b >= 0x80) {
        return Some(Encoding::Utf8);
    }
    let latin1 = !bytes.iter().any(|b| (0x80..=0x9f).contains(b));
    let latin1_symbols = bytes
        .iter()
        .filter(|&&b| (0xa0..=0xbf).contains(&b) || b == 0xd7 || b == 0xf7)
        .count();
    let sjis = ShiftJisShape::of(bytes);
    if let Some(shape) = sjis {
        if shape.longest_katakana_run >= 3 || shape.longest_double_byte_run >= 3 {
            return Some(Encoding::ShiftJis);
        }
        if latin1 {
            let two_katakana = shape.longest_katakana_run == 2 && shape.katakana == 2;
            return Some(if two_katakana || latin1_symbols * 10 >= bytes.len() {
                Encoding::ShiftJis
            } else {
                Encoding::Latin1
            });
        }
    }
    if latin1 {
        Some(Encoding::Latin1)
    } else if sjis.is_some() {
        Some(Encoding::ShiftJis)
    } else if utf8 {
        Some(Encoding::Utf8)
    } else {
        None
    }
}

/// What zxing's rules look at in well-formed Shift_JIS bytes.
#[derive(Debug, Clone, Copy, Default)]
struct ShiftJisShape {
    katakana: usize,
    longest_katakana_run: usize,
    longest_double_byte_run: usize,
}

impl ShiftJisShape {
    /// `None` when `bytes` are not well-formed Shift_JIS by zxing's byte ranges.
    fn of(bytes: &[u8]) -> Option<ShiftJisShape> {
        let mut shape = ShiftJisShape::default();
        let (mut katakana_run, mut double_run) = (0, 0);
        let mut iter = bytes.iter().copied();
        while let Some(b) = iter.next() {
            match b {
                0x00..=0x7f => (katakana_run, double_run) = (0, 0),
                0xa1..=0xdf => {
                    shape.katakana += 1;
                    katakana_run += 1;
                    double_run = 0;
                }
                0x81..=0x9f | 0xe0..=0xef => {
                    let trail = iter.next()?;
                    if !(0x40..=0xfc).contains(&trail) || trail == 0x7f {
                        return None;
                    }
                    double_run += 1;
                    katakana_run = 0;
                }
                _ => return None,
            }
            shape.longest_katakana_run = shape.longest_katakana_run.max(katakana_run);
            shape.longest_double_byte_run = shape.longest_double_byte_run.max(double_run);
        }
        Some(shape)
    }
}

/// Control characters that do not occur in text payloads: everything below space except
/// tab, line feed, carriage return and the separators GS1 and ISO 15434 use (GS, RS, EOT),
/// plus the C1 block. Their presence means the bytes are binary data, not text.
fn is_binary_control(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1c' | '\x1f' | '\u{80}'..='\u{9f}')
        && !matches!(c, '\x04' | '\x1d' | '\x1e')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bytes_read_as_utf8() {
        assert_eq!(
            guess_text("Grüße".as_bytes(), || None),
            (Some("Grüße".to_owned()), Encoding::Utf8)
        );
    }

    #[test]
    fn shift_jis_bytes_read_as_japanese() {
        let (bytes, _, _) = SHIFT_JIS.encode("日本語のテキスト");
        assert_eq!(
            guess_text(&bytes, || None),
            (Some("日本語のテキスト".to_owned()), Encoding::ShiftJis)
        );
    }

    #[test]
    fn latin1_bytes_that_are_not_shift_jis_read_as_latin1() {
        // 0xE9 0x20: a Shift_JIS lead byte followed by an invalid trail byte.
        assert_eq!(
            guess_text(b"caf\xe9 au lait", || None),
            (Some("café au lait".to_owned()), Encoding::Latin1)
        );
    }

    #[test]
    fn random_binary_has_no_text() {
        assert_eq!(
            guess_text(&[0x00, 0x81, 0x9f, 0x02, 0xff], || None),
            (None, Encoding::Binary)
        );
    }

    #[test]
    fn a_hanzi_segment_after_control_bytes_keeps_the_decoders_reading() {
        let bytes = b"\x01\x10AD:SUB:\xb0\xa2;;";
        let per_segment = Some("\u{1}\u{10}AD:SUB:阿;;".to_owned());
        assert_eq!(
            guess_text(bytes, || per_segment.clone()),
            (per_segment, Encoding::PerSegment)
        );
    }

    /// zxing's choice on payloads where the bytes alone decide, one row per rule.
    #[test]
    fn the_charset_is_chosen_by_zxings_rules() {
        let sjis = |s: &str| SHIFT_JIS.encode(s).0.into_owned();
        let latin1 = |s: &str| s.chars().map(|c| c as u8).collect::<Vec<u8>>();
        let table: [(&str, Vec<u8>, Option<Encoding>); 10] = [
            ("ascii", b"hello".to_vec(), Some(Encoding::Latin1)),
            (
                "utf-8",
                "smörgåsbord".as_bytes().to_vec(),
                Some(Encoding::Utf8),
            ),
            (
                "latin-1 letters",
                latin1("e, niño, façade, smörgåsbord, ½ £"),
                Some(Encoding::Latin1),
            ),
            (
                "latin-1 café",
                latin1("café, au lait"),
                Some(Encoding::Latin1),
            ),
            ("three kanji", sjis("日本語"), Some(Encoding::ShiftJis)),
            ("three katakana", sjis("ｱｲｳ"), Some(Encoding::ShiftJis)),
            // Two half-width katakana side by side, also two Latin-1 letters: zxing says katakana.
            ("two katakana", sjis("ｱｲ"), Some(Encoding::ShiftJis)),
            // One double-byte character that is also two Latin-1 letters (à and @): Latin-1.
            ("latin-1 pair", latin1("voilà@"), Some(Encoding::Latin1)),
            // C1 bytes rule out ISO-8859-1; a valid Shift_JIS pair remains.
            ("sjis with C1 lead", sjis("ア"), Some(Encoding::ShiftJis)),
            ("none", vec![0xff, 0xfe, 0x80], None),
        ];
        for (name, bytes, expected) in table {
            // Pure ASCII is ISO-8859-1 to zxing; `guess_text` reports it as UTF-8 (same text).
            assert_eq!(guess_charset(&bytes), expected, "{name}: {bytes:02x?}");
        }
    }

    #[test]
    fn latin1_text_that_shift_jis_would_misread_reads_as_latin1() {
        let bytes: Vec<u8> = "e, niño, façade, smörgåsbord, ½ £"
            .chars()
            .map(|c| c as u8)
            .collect();
        assert_eq!(
            guess_text(&bytes, || Some("mojibake".to_owned())),
            (
                Some("e, niño, façade, smörgåsbord, ½ £".to_owned()),
                Encoding::Latin1
            )
        );
    }

    #[test]
    fn gs1_separators_are_text() {
        assert_eq!(guess_text(b"]C1\x1d0101", || None).1, Encoding::Utf8);
    }
}
