//! Reed-Solomon error-correction codewords over GF(256) with the QR polynomial
//! x⁸ + x⁴ + x³ + x² + 1 (ISO/IEC 18004 §7.5.2, `qr-gf256`), for Micro QR and rMQR,
//! which share QR's code.
//!
//! (QR itself takes its codewords from the `qrcode` crate; those two symbologies are outside
//! what it builds, and a per-block remainder is a few lines.)

use qr_gf256::{EXP, mul};

/// The generator polynomial (x − α⁰)(x − α¹)…(x − αⁿ⁻¹), highest degree first.
fn generator(n: usize) -> Vec<u8> {
    let mut g = vec![1u8];
    for &root in &EXP[..n] {
        let mut next = vec![0u8; g.len() + 1];
        for (j, &c) in g.iter().enumerate() {
            next[j] ^= c;
            next[j + 1] ^= mul(c, root);
        }
        g = next;
    }
    g
}

/// The `n` error-correction codewords of one block of `data` codewords.
pub(crate) fn ec_codewords(data: &[u8], n: usize) -> Vec<u8> {
    let g = generator(n);
    let mut rem = vec![0u8; n];
    for &d in data {
        let factor = d ^ rem[0];
        rem.rotate_left(1);
        rem[n - 1] = 0;
        for (r, &c) in rem.iter_mut().zip(&g[1..]) {
            *r ^= mul(c, factor);
        }
    }
    rem
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standards_hello_world_example_gets_its_ten_codewords() {
        // ISO/IEC 18004 annex I: "01234567" is not it; this is the well-known 1-M
        // "HELLO WORLD" block, whose codewords every QR tutorial lists.
        let data = [
            32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17,
        ];
        assert_eq!(
            ec_codewords(&data, 10),
            [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]
        );
    }

    #[test]
    fn codewords_match_the_qrcode_crates_for_every_length_used() {
        let data: Vec<u8> = (0u8..60)
            .map(|i| i.wrapping_mul(37).wrapping_add(5))
            .collect();
        for n in [2, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30] {
            assert_eq!(
                ec_codewords(&data[..20], n),
                qrcode::ec::create_error_correction_code(&data[..20], n),
                "{n} codewords"
            );
        }
    }
}
