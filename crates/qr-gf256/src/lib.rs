//! GF(256) with QR's primitive polynomial x⁸ + x⁴ + x³ + x² + 1 (ISO/IEC 18004 §7.5.2): the
//! field of every Reed-Solomon code in QR, Micro QR and rMQR. The encoder's error-correction
//! codewords (`qr-encode/src/rs.rs`) and the decoder's error correction
//! (`qr-scan/src/ecc.rs`) both use these tables, so there is one copy of the field; a crate
//! of its own because the decode component links no encoder.

#![forbid(unsafe_code)]

/// `EXP[i]` = αⁱ for i in 0..510: the 255 powers twice over, so a product of two elements
/// (the sum of two logarithms, at most 508) needs no modulo.
pub const EXP: [u8; 512] = TABLES.0;

/// `LOG[αⁱ]` = i for the 255 non-zero elements (`LOG[0]` is unused and 0).
pub const LOG: [u8; 256] = TABLES.1;

const TABLES: ([u8; 512], [u8; 256]) = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 255 {
        exp[i] = x as u8;
        exp[i + 255] = x as u8;
        log[x as usize] = i as u8;
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        i += 1;
    }
    (exp, log)
};

/// The product of two elements.
pub fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    EXP[usize::from(LOG[usize::from(a)]) + usize::from(LOG[usize::from(b)])]
}

/// `a` times αⁱ, for `i` below 255.
pub fn mul_exp(a: u8, i: usize) -> u8 {
    if a == 0 {
        return 0;
    }
    EXP[usize::from(LOG[usize::from(a)]) + i]
}

/// The inverse of a non-zero element.
pub fn inv(a: u8) -> u8 {
    EXP[255 - usize::from(LOG[usize::from(a)])]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_non_zero_element_times_its_inverse_is_one_and_powers_wrap_at_255() {
        for a in 1..=255u8 {
            assert_eq!(mul(a, inv(a)), 1, "{a}");
            assert_eq!(EXP[usize::from(LOG[usize::from(a)])], a);
        }
        assert_eq!(EXP[255], 1);
        // α⁸ = α⁴ + α³ + α² + 1.
        assert_eq!(EXP[8], 0b1_1101);
        assert_eq!(mul_exp(1, 8), EXP[8]);
    }
}
