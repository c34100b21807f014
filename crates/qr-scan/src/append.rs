//! Joins the pieces of a structured-append message found in one image.
//!
//! A long message can be split over up to 16 symbols; each carries its position, the
//! piece count and a parity byte (the XOR of the whole message's bytes) that ties the
//! pieces together. Readers report each piece, and the whole message once every piece
//! is present.

use crate::{Code, Encoding, payload};

/// A symbol's place in a structured-append sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StructuredAppend {
    /// Position of this symbol in the sequence, from 0.
    pub index: u8,
    /// Number of symbols in the sequence, 1 to 16.
    pub total: u8,
    /// Parity of the whole message: the same in every piece of one sequence.
    pub parity: u8,
}

/// A message put back together from all the pieces of one structured-append sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The whole message as text, read with the same rules as [`Code::text`].
    pub text: Option<String>,
    /// The whole message's bytes: the pieces' bytes in sequence order.
    pub bytes: Vec<u8>,
    /// How `text` was obtained.
    pub encoding: Encoding,
    /// The sequence's parity byte.
    pub parity: u8,
    /// Number of pieces joined.
    pub total: u8,
}

/// Joins every structured-append sequence of which all pieces are in `codes`.
///
/// Sequences with a missing piece are left out (their pieces are still in `codes`).
/// When the pieces agree on an ECI reading, the joined text is their texts in order;
/// otherwise the joined bytes are read like a single symbol's.
pub fn merge_structured_append(codes: &[Code]) -> Vec<Merged> {
    let mut merged = Vec::new();
    let mut sequences: Vec<(u8, u8)> = codes
        .iter()
        .filter_map(|code| code.structured_append.map(|sa| (sa.parity, sa.total)))
        .collect();
    sequences.sort_unstable();
    sequences.dedup();
    for (parity, total) in sequences {
        let piece = |index: u8| {
            codes.iter().find(|code| {
                code.structured_append
                    == Some(StructuredAppend {
                        index,
                        total,
                        parity,
                    })
            })
        };
        let Some(pieces) = (0..total).map(piece).collect::<Option<Vec<&Code>>>() else {
            continue;
        };
        let bytes: Vec<u8> = pieces
            .iter()
            .flat_map(|code| code.bytes.iter().copied())
            .collect();
        let (text, encoding) = if pieces.iter().all(|code| code.encoding == Encoding::Eci) {
            let text = pieces
                .iter()
                .map(|code| code.text.as_deref())
                .collect::<Option<String>>();
            (text, Encoding::Eci)
        } else {
            payload::guess_text(&bytes, || None)
        };
        merged.push(Merged {
            text,
            bytes,
            encoding,
            parity,
            total,
        });
    }
    merged
}
