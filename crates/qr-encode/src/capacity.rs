//! How much a version 40 symbol holds, for error messages that tell the caller the limit.

use crate::EcLevel;

/// Version 40 capacity per level (L, M, Q, H) in numeric, alphanumeric and byte mode
/// (ISO/IEC 18004 table 7).
const NUMERIC: [usize; 4] = [7089, 5596, 3993, 3057];
const ALPHANUMERIC: [usize; 4] = [4296, 3391, 2420, 1852];
const BYTE: [usize; 4] = [2953, 2331, 1663, 1273];

/// The longest payload of `data`'s kind that any symbol holds at level `ec`: digits-only
/// data is counted in numeric mode, `0-9A-Z $%*+-./:` in alphanumeric mode, the rest in bytes.
pub fn max_payload(data: &[u8], ec: EcLevel) -> usize {
    let i = ec as usize;
    if data.iter().all(u8::is_ascii_digit) {
        NUMERIC[i]
    } else if data.iter().all(|&b| is_alphanumeric(b)) {
        ALPHANUMERIC[i]
    } else {
        BYTE[i]
    }
}

fn is_alphanumeric(b: u8) -> bool {
    b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_follows_the_payload_kind() {
        assert_eq!(max_payload(b"0123", EcLevel::L), 7089);
        assert_eq!(max_payload(b"HELLO WORLD", EcLevel::M), 3391);
        assert_eq!(max_payload(b"hello", EcLevel::H), 1273);
    }

    #[test]
    fn every_capacity_fits_and_one_more_does_not() {
        for ec in EcLevel::ALL {
            for unit in [b'7', b'A', b'a'] {
                let cap = max_payload(&[unit], ec);
                assert!(crate::encode(&vec![unit; cap], ec).is_ok(), "{ec} {unit}");
                assert!(
                    crate::encode(&vec![unit; cap + 1], ec).is_err(),
                    "{ec} {unit}"
                );
            }
        }
    }
}
