//! Turns a symbol's payload bytes into text, the way phones and zxing readers do.
//!
//! A QR symbol only says how to read its bytes when it carries an ECI designator; most
//! real codes do not, and in practice their byte segments hold UTF-8 (modern generators),
//! Shift_JIS (Japanese phones and posters, also what kanji mode stores) or ISO-8859-1
//! (what the standard says is the default). We try them in that order and keep the first
//! that reads cleanly, so the caller always knows which reading was chosen.

use encoding_rs::SHIFT_JIS;

/// How [`crate::Code::text`] was obtained from the payload bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// The symbol declared its character set(s) with ECI designators.
    Eci,
    /// No ECI; the bytes are valid UTF-8.
    Utf8,
    /// No ECI; not UTF-8, but valid Shift_JIS (Japanese text, kanji mode).
    ShiftJis,
    /// No ECI, and no single character set reads the whole payload cleanly, but its
    /// segment modes name them: kanji mode is Shift_JIS, hanzi mode GB2312. The decoder
    /// read each segment in its own set (byte segments by zxing's guess).
    PerSegment,
    /// No ECI; read as ISO-8859-1, the standard's default for byte mode.
    Latin1,
    /// No reading gave plausible text: only the raw bytes are meaningful.
    Binary,
}

/// Reads `bytes` as text when the symbol had no ECI designator; `per_segment` is the
/// decoder's reading of each segment in the character set its mode implies, tried when
/// neither UTF-8 nor Shift_JIS fits the whole payload.
pub(crate) fn guess_text(
    bytes: &[u8],
    per_segment: impl FnOnce() -> Option<String>,
) -> (Option<String>, Encoding) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        return (Some(text.to_owned()), Encoding::Utf8);
    }
    if let Some(text) = SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)
        && !text.chars().any(is_binary_control)
    {
        return (Some(text.into_owned()), Encoding::ShiftJis);
    }
    let latin1 = || bytes.iter().map(|&b| char::from(b)).collect::<String>();
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

    #[test]
    fn gs1_separators_are_text() {
        assert_eq!(guess_text(b"]C1\x1d0101", || None).1, Encoding::Utf8);
    }
}
