//! Our symbol layout, module for module, against the `qrcode` crate's drawing of the same
//! codewords under the same mask: every version, level and mask, no decoder involved.

// A failed unwrap here is a failed test (or bench setup) with its message.
#![allow(clippy::unwrap_used)]

use qr_encode::{EcLevel, Options, encode_with};
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, Version};

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

fn qrcode_level(ec: EcLevel) -> qrcode::EcLevel {
    match ec {
        EcLevel::L => qrcode::EcLevel::L,
        EcLevel::M => qrcode::EcLevel::M,
        EcLevel::Q => qrcode::EcLevel::Q,
        EcLevel::H => qrcode::EcLevel::H,
    }
}

/// The `qrcode` crate's modules for `data` in `version` at `ec` under `mask`.
fn reference(data: &[u8], version: u8, ec: EcLevel, mask: u8) -> Vec<bool> {
    let v = Version::Normal(i16::from(version));
    let mut bits = qrcode::bits::Bits::new(v);
    bits.push_optimal_data(data).unwrap();
    bits.push_terminator(qrcode_level(ec)).unwrap();
    let (blocks, ecc) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), v, qrcode_level(ec)).unwrap();
    let mut canvas = Canvas::new(v, qrcode_level(ec));
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&blocks, &ecc);
    canvas.apply_mask(MASKS[usize::from(mask)]);
    canvas
        .into_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect()
}

#[test]
fn every_version_level_and_mask_draws_the_same_modules_as_the_qrcode_crate() {
    for version in 1..=40u8 {
        for ec in EcLevel::ALL {
            let mask = (version + ec as u8) % 8;
            // Fits the smallest capacity (version 1 at H) and grows with the version.
            let data = format!(
                "{version}{mask}{}",
                "https://ex.com/".repeat(usize::from(version - 1) / 2)
            );
            let ours = encode_with(
                data.as_bytes(),
                ec,
                &Options {
                    min_version: version,
                    mask: Some(mask),
                },
            )
            .unwrap();
            let theirs = reference(data.as_bytes(), version, ec, mask);
            let w = ours.width();
            let mismatches: Vec<(usize, usize)> = (0..w * w)
                .filter(|&i| ours.is_dark(i % w, i / w) != theirs[i])
                .map(|i| (i % w, i / w))
                .collect();
            assert!(
                mismatches.is_empty(),
                "v{version} {ec} mask {mask}: {mismatches:?}"
            );
        }
    }
}
