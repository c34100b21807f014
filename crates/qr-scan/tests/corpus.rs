//! Accuracy floor: decoding the whole shared photo corpus must keep finding at least as
//! many codes as the committed figures, which only ever go up.
//!
//! The corpus lives beside the project (`../shared/qr-corpus`, read-only), where CI and
//! every session have it. Speed is not asserted here; `host-bench decode-corpus` measures it.

use std::path::Path;

use qr_scan::corpus;

/// De-duplicated targets read (of 207), as measured when this floor was last raised.
const UNIQUE_TARGETS_FLOOR: usize = 197;

/// Expected texts read over every image with an expectation (of 320), likewise.
const ALL_IMAGES_FLOOR: usize = 302;

#[test]
fn the_corpus_decodes_at_least_as_well_as_the_committed_figures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus");
    assert!(
        root.join("README.md").is_file(),
        "the shared QR corpus is missing at {}; it is laid beside the project root",
        root.display()
    );
    let cases = corpus::load(&root).expect("the corpus can be listed");
    let (mut unique, mut all, mut targets) = (0, 0, 0);
    let mut missed = Vec::new();
    for case in &cases {
        let image = image::open(&case.path).expect("corpus images load").to_luma8();
        let texts: Vec<String> = qr_scan::scan(&image).into_iter().filter_map(|c| c.text).collect();
        let hits = corpus::score(&case.expected, &texts);
        all += hits;
        if case.target {
            unique += hits;
            targets += case.expected.len();
            if hits < case.expected.len() {
                missed.push(format!("{}/{}/{}", case.folder, case.set, case.stem));
            }
        }
    }
    eprintln!("unique targets {unique}/{targets}, all images {all}; missed: {}", missed.join(" "));
    assert_eq!(targets, 207, "the corpus README promises 207 de-duplicated targets");
    assert!(unique >= UNIQUE_TARGETS_FLOOR, "read {unique} targets, floor is {UNIQUE_TARGETS_FLOOR}");
    assert!(all >= ALL_IMAGES_FLOOR, "read {all} texts over all images, floor is {ALL_IMAGES_FLOOR}");
}
