//! Symbols that glare or blots left with too many wrong codewords for Reed-Solomon
//! decoding alone, or with one finder pattern wiped: read through erasures (the modules
//! of flat areas taken as unknown) and through pairs completed with an assumed third
//! pattern (see the README, *Glare and damage*).

use qr_scan::sets::{self, Category};

/// The texts `scan` reads from sample `index` of `category`.
fn texts(category: Category, index: usize) -> (Vec<String>, Vec<String>) {
    let sample = sets::sample(category, index);
    let read = qr_scan::scan(&sample.image)
        .into_iter()
        .filter_map(|code| code.text)
        .collect();
    (read, sample.expected)
}

/// Samples whose triple was found and whose grid fails plain decoding: `glare` 03 (a
/// version-4 M symbol, 10 and 8 codewords wrong in blocks that correct 9, every wrong
/// one in a flat area), `damaged` 00 and 09 (blocks of 11-16 wrong against 13 and 9 to 8
/// correctable).
#[test]
fn grids_with_more_wrong_codewords_than_the_blocks_correct_read_through_erasures() {
    for (category, index) in [
        (Category::Glare, 3),
        (Category::Damaged, 0),
        (Category::Damaged, 9),
    ] {
        let (read, expected) = texts(category, index);
        assert_eq!(read, expected, "{} {index:02}", category.name());
    }
}

/// Samples showing two finder patterns, the third under a glare spot: `glare` 07 (a
/// version-2 symbol, its top-right pattern), 08 (version 3, its top-left pattern: the
/// two patterns left are the symbol's diagonal; it reads with the 4 × 4 flat windows).
#[test]
fn a_symbol_with_a_finder_pattern_under_glare_reads_from_the_other_two() {
    for index in [7, 8] {
        let (read, expected) = texts(Category::Glare, index);
        assert_eq!(read, expected, "glare {index:02}");
    }
}

/// Nothing read from the `glare` and `damaged` sets is a text the sample does not hold.
#[test]
fn no_sample_of_glare_or_damage_misreads() {
    for category in [Category::Glare, Category::Damaged] {
        for index in 0..10 {
            let (read, expected) = texts(category, index);
            for text in read {
                assert!(
                    expected.contains(&text),
                    "{} {index:02} misread {text:?}",
                    category.name()
                );
            }
        }
    }
}

/// The same symbols printed light on dark (the samples' negatives; the glare spot is then
/// a dark blot over the pattern): the negative's pairs are completed as well.
#[test]
fn a_light_on_dark_symbol_with_a_wiped_finder_pattern_reads_from_the_other_two() {
    for index in [7, 8] {
        let sample = sets::sample(Category::Glare, index);
        let mut negative = sample.image.clone();
        image::imageops::invert(&mut negative);
        let read: Vec<String> = qr_scan::scan(&negative)
            .into_iter()
            .filter_map(|code| code.text)
            .collect();
        assert_eq!(read, sample.expected, "glare {index:02}, negative");
    }
}
