//! Accuracy floor: decoding the whole shared photo corpus must keep finding at least as
//! many codes as the committed figures, which only ever go up.
//!
//! The corpus lives beside the project (`../shared/qr-corpus`, read-only), where CI and
//! every session have it. Speed is not asserted here; `qr-scan-bench` measures it.

use std::path::{Path, PathBuf};

use qr_scan::corpus;

/// De-duplicated targets read (of 207), as measured when this floor was last raised.
const UNIQUE_TARGETS_FLOOR: usize = 204;

/// Expected texts read over every image with an expectation (of 320), likewise.
const ALL_IMAGES_FLOOR: usize = 313;

/// The corpus beside the project root; fails the test clearly when it is not there.
fn corpus_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/qr-corpus");
    assert!(
        root.join("README.md").is_file(),
        "the shared QR corpus is missing at {}; it is laid beside the project root",
        root.display()
    );
    root
}

#[test]
fn the_corpus_decodes_at_least_as_well_as_the_committed_figures() {
    let root = corpus_root();
    let cases = corpus::load(&root).expect("the corpus can be listed");
    let (mut unique, mut all, mut targets, mut work) = (0, 0, 0, 0);
    let (mut missed, mut not_qr) = (Vec::new(), Vec::new());
    for case in &cases {
        let image = image::open(&case.path)
            .expect("corpus images load")
            .to_luma8();
        let scan = qr_scan::scan_measured(&image, qr_scan::Passes::ALL);
        work += scan.work;
        not_qr.extend(
            scan.codes
                .iter()
                .filter(|c| c.symbology != qr_scan::Symbology::Qr)
                .map(|c| format!("{}: {c:?}", case.path.display())),
        );
        let texts: Vec<String> = scan.codes.into_iter().filter_map(|c| c.text).collect();
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
    eprintln!(
        "unique targets {unique}/{targets}, all images {all}, {work} work units; missed: {}",
        missed.join(" ")
    );
    // The corpus holds QR codes only: a Micro QR or rMQR read from it is a false one.
    assert!(not_qr.is_empty(), "{}", not_qr.join("\n"));
    assert_eq!(
        targets, 207,
        "the corpus README promises 207 de-duplicated targets"
    );
    assert!(
        unique >= UNIQUE_TARGETS_FLOOR,
        "read {unique} targets, floor is {UNIQUE_TARGETS_FLOOR}"
    );
    assert!(
        all >= ALL_IMAGES_FLOOR,
        "read {all} texts over all images, floor is {ALL_IMAGES_FLOOR}"
    );
}

#[test]
fn structured_append_pieces_merge_into_the_whole_message() {
    let set = corpus_root().join("zxing/qrcode-7");
    let mut codes = Vec::new();
    for piece in ["01-01", "01-02", "01-03", "01-04"] {
        let image = image::open(set.join(format!("{piece}.png"))).expect("pieces load");
        codes.extend(qr_scan::scan(&image.to_luma8()));
    }
    let mut places: Vec<_> = codes.iter().filter_map(|c| c.structured_append).collect();
    places.sort_by_key(|sa| sa.index);
    assert_eq!(
        places
            .iter()
            .map(|sa| (sa.index, sa.total))
            .collect::<Vec<_>>(),
        [(0, 4), (1, 4), (2, 4), (3, 4)]
    );
    assert!(places.iter().all(|sa| sa.parity == places[0].parity));

    let merged = qr_scan::merge_structured_append(&codes);
    let whole = std::fs::read_to_string(set.join("01.txt")).expect("the merged text is there");
    assert_eq!(merged.len(), 1);
    let text = merged[0].text.clone().expect("the merged message is text");
    assert_eq!(
        corpus::score(&[whole], &[text]),
        1,
        "the merged text differs from 01.txt"
    );
}

#[test]
fn a_missing_piece_leaves_nothing_merged() {
    let image = image::open(corpus_root().join("zxing/qrcode-7/01-01.png")).expect("piece loads");
    let codes = qr_scan::scan(&image.to_luma8());
    assert_eq!(codes.len(), 1);
    assert!(qr_scan::merge_structured_append(&codes).is_empty());
}
