//! QR error-correction levels (ISO/IEC 18004 L, M, Q, H): the type the encoder
//! (`qr-encode`) and the decoder (`qr-scan`) share, as they share `qr-gf256`'s field.
//!
//! It lives in a leaf crate of its own so that neither half depends on the other: the
//! generate component's dependency graph holds no decoder and the decode component's no
//! encoder (`cargo tree -p qr-generate --target wasm32-wasip2` shows it).

#![forbid(unsafe_code)]

use std::fmt;

/// Error-correction level: how much of the symbol may be damaged and still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcLevel {
    /// About 7% of codewords may be lost.
    L,
    /// About 15%.
    M,
    /// About 25%.
    Q,
    /// About 30%: the Python service's default, for printed labels that get scuffed.
    H,
}

impl EcLevel {
    /// All four levels, lowest redundancy first.
    pub const ALL: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

    /// The single letter used by the API and by the standard.
    pub fn letter(self) -> char {
        match self {
            EcLevel::L => 'L',
            EcLevel::M => 'M',
            EcLevel::Q => 'Q',
            EcLevel::H => 'H',
        }
    }

    /// Parses `L`, `M`, `Q` or `H`, in either case.
    pub fn from_letter(s: &str) -> Option<EcLevel> {
        match s {
            "L" | "l" => Some(EcLevel::L),
            "M" | "m" => Some(EcLevel::M),
            "Q" | "q" => Some(EcLevel::Q),
            "H" | "h" => Some(EcLevel::H),
            _ => None,
        }
    }
}

impl fmt::Display for EcLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

#[cfg(test)]
mod tests {
    use super::EcLevel;

    #[test]
    fn every_level_reads_back_from_its_letter_in_either_case() {
        for level in EcLevel::ALL {
            let letter = level.letter().to_string();
            assert_eq!(EcLevel::from_letter(&letter), Some(level));
            assert_eq!(EcLevel::from_letter(&letter.to_lowercase()), Some(level));
            assert_eq!(level.to_string(), letter);
        }
        assert_eq!(EcLevel::from_letter("X"), None);
        assert_eq!(EcLevel::from_letter(""), None);
    }
}
