//! Micro QR (M1 to M4) and rMQR symbols: every Micro QR version at every level and every
//! rMQR size at M and H, read back with their symbology, version, level and text, turned,
//! mirrored and inverted. The symbols are the fixtures `tests/fixtures/micro/make.py`
//! wrote with zxing-cpp's encoder (one pixel per module); the tests scale and turn them.

use std::path::PathBuf;

use image::GrayImage;
use image::imageops::{self, FilterType};
use qr_scan::{Code, EcLevel, Passes, Symbology, scan, scan_measured};

/// One fixture: its image and what it holds.
struct Fixture {
    name: String,
    symbology: Symbology,
    version: String,
    ecc: Option<EcLevel>,
    text: String,
    image: GrayImage,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/micro")
}

fn fixtures() -> Vec<Fixture> {
    let manifest =
        std::fs::read_to_string(dir().join("manifest.tsv")).expect("the manifest is committed");
    manifest
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let [name, symbology, version, ecc, text] = f[..] else {
                panic!("bad manifest line {line:?}");
            };
            let image = image::open(dir().join(format!("{name}.png")))
                .expect("the fixture loads")
                .to_luma8();
            Fixture {
                name: name.to_owned(),
                symbology: match symbology {
                    "micro_qr" => Symbology::MicroQr,
                    "rmqr" => Symbology::Rmqr,
                    other => panic!("symbology {other}"),
                },
                version: version.to_owned(),
                ecc: (!ecc.is_empty()).then(|| EcLevel::from_letter(ecc).expect("a level letter")),
                text: text.to_owned(),
                image,
            }
        })
        .collect()
}

/// `image` at `scale` pixels per module (the fixtures have one).
fn scaled(image: &GrayImage, scale: u32) -> GrayImage {
    imageops::resize(
        image,
        image.width() * scale,
        image.height() * scale,
        FilterType::Nearest,
    )
}

/// The one code in `image`; fails unless there is exactly one.
fn only(image: &GrayImage, what: &str) -> Code {
    let mut codes = scan(image);
    assert_eq!(codes.len(), 1, "{what}: {codes:?}");
    codes.remove(0)
}

fn assert_reads(code: &Code, f: &Fixture, what: &str) {
    assert_eq!(code.symbology, f.symbology, "{what}");
    assert_eq!(code.version_name(), f.version, "{what}");
    assert_eq!(code.ec_level, f.ecc, "{what}");
    assert_eq!(code.text.as_deref(), Some(f.text.as_str()), "{what}");
}

#[test]
fn the_fixtures_cover_every_micro_qr_version_and_level_and_every_rmqr_size() {
    let all = fixtures();
    let micro: Vec<(&str, Option<EcLevel>)> = all
        .iter()
        .filter(|f| f.symbology == Symbology::MicroQr)
        .map(|f| (f.version.as_str(), f.ecc))
        .collect();
    use EcLevel::{L, M, Q};
    assert_eq!(
        micro,
        [
            ("M1", None),
            ("M2", Some(L)),
            ("M2", Some(M)),
            ("M3", Some(L)),
            ("M3", Some(M)),
            ("M4", Some(L)),
            ("M4", Some(M)),
            ("M4", Some(Q)),
        ]
    );
    let rmqr = all
        .iter()
        .filter(|f| f.symbology == Symbology::Rmqr)
        .count();
    assert_eq!(rmqr, 2 * qr_scan::RMQR_SIZES.len());
}

#[test]
fn every_micro_qr_and_rmqr_fixture_reads_with_its_symbology_version_and_level() {
    for f in fixtures() {
        for scale in [2, 5] {
            let code = only(&scaled(&f.image, scale), &format!("{} at {scale}", f.name));
            assert_reads(&code, &f, &f.name);
            assert!(!code.inverted && !code.mirrored, "{}", f.name);
        }
    }
}

#[test]
fn turned_symbols_read_with_their_corners_going_around_from_the_finder_pattern() {
    for f in fixtures() {
        let upright = scaled(&f.image, 4);
        let (w, h) = (upright.width() as f32, upright.height() as f32);
        // Where the finder pattern's corner (the symbol's top-left) lands.
        let cases = [
            ("upright", upright.clone(), [0.0, 0.0]),
            ("90", imageops::rotate90(&upright), [h, 0.0]),
            ("180", imageops::rotate180(&upright), [w, h]),
            ("270", imageops::rotate270(&upright), [0.0, w]),
        ];
        for (turn, image, corner) in cases {
            let what = format!("{} turned {turn}", f.name);
            let code = only(&image, &what);
            assert_reads(&code, &f, &what);
            // Within the quiet zone (2 modules of 4 px) and a pixel of the corner.
            let [x, y] = code.corners[0];
            assert!(
                (x - corner[0]).abs() <= 10.0 && (y - corner[1]).abs() <= 10.0,
                "{what}: {:?}",
                code.corners
            );
            // Clockwise on screen (y down).
            let c = code.corners;
            let cross = (c[1][0] - c[0][0]) * (c[2][1] - c[0][1])
                - (c[1][1] - c[0][1]) * (c[2][0] - c[0][0]);
            assert!(cross > 0.0, "{what}: {c:?}");
        }
    }
}

#[test]
fn inverted_symbols_read_and_are_marked_inverted() {
    for f in fixtures() {
        let mut image = scaled(&f.image, 4);
        imageops::invert(&mut image);
        let code = only(&image, &f.name);
        assert_reads(&code, &f, &f.name);
        assert!(code.inverted, "{}", f.name);
    }
}

#[test]
fn mirrored_micro_qr_symbols_read_and_are_marked_mirrored_and_mirrored_rmqr_reads_nothing() {
    for f in fixtures() {
        let mirrored = imageops::flip_horizontal(&scaled(&f.image, 4));
        if f.symbology == Symbology::MicroQr {
            let code = only(&mirrored, &f.name);
            assert_reads(&code, &f, &f.name);
            assert!(code.mirrored, "{}", f.name);
        } else {
            // rMQR's format information is not read mirrored (nor by zxing-cpp 3.1.1): no
            // code rather than a wrong one.
            assert_eq!(scan(&mirrored), [], "{}", f.name);
        }
    }
}

/// A QR code, a Micro QR and an rMQR symbol side by side on one page, at `scale` pixels
/// per module, and their texts.
fn mixed(scale: u32) -> (GrayImage, [String; 3]) {
    let all = fixtures();
    let by_name = |n: &str| all.iter().find(|f| f.name == n).expect("a fixture");
    let (micro, rmqr) = (by_name("m3-m"), by_name("r13x77-h"));
    let qr_text = "https://example.com/qr-beside-micro";
    let qr = qr_scan::sets::render(
        &qr_encode::encode(qr_text.as_bytes(), EcLevel::M).expect("fits"),
        scale,
        4,
    );
    let (micro_image, rmqr_image) = (scaled(&micro.image, scale), scaled(&rmqr.image, scale));
    let mut page = GrayImage::from_pixel(
        (qr.width() + micro_image.width()).max(rmqr_image.width()) + 40,
        qr.height() + rmqr_image.height() + 40,
        image::Luma([255]),
    );
    imageops::overlay(&mut page, &qr, 20, 20);
    imageops::overlay(&mut page, &micro_image, i64::from(qr.width()) + 20, 20);
    imageops::overlay(&mut page, &rmqr_image, 20, i64::from(qr.height()) + 20);
    (
        page,
        [qr_text.to_owned(), micro.text.clone(), rmqr.text.clone()],
    )
}

#[test]
fn a_qr_code_beside_a_micro_qr_and_an_rmqr_symbol_reads_all_three_as_what_they_are() {
    let (page, texts) = mixed(4);
    let mut codes = scan(&page);
    codes.sort_by_key(|c| c.symbology as u8);
    let read: Vec<(Symbology, Option<&str>)> = codes
        .iter()
        .map(|c| (c.symbology, c.text.as_deref()))
        .collect();
    assert_eq!(
        read,
        [
            (Symbology::Qr, Some(texts[0].as_str())),
            (Symbology::MicroQr, Some(texts[1].as_str())),
            (Symbology::Rmqr, Some(texts[2].as_str())),
        ]
    );
}

/// Units the scans below spend, as measured when `COST_SINGLE_FINDER` was set: the
/// count is deterministic, so any change to the Micro QR and rMQR pass shows up here.
/// (A lone Micro QR or rMQR symbol costs about half what a QR-only scan spends failing
/// on it through every view; the page of three reads two codes in its first view, so,
/// as a sheet of codes, it is searched with the other thresholds too, whose finder
/// searches leave out the symbols read: 226,300 units where searching them whole cost
/// 260,324. Counting the light-on-dark finder patterns beside the symbols read, which
/// decides whether the negative is searched too, adds 44 and 797 units to the two scans
/// that read something; since a busy image searches the negative's hybrid view as well,
/// the page of three spends 7,298 more: 227,097 -> 234,395. Its views hold five
/// candidates or fewer, which are grouped without the size, leg and angle tests
/// (`group::FEW_CANDIDATES`): the triples its Micro QR and rMQR patterns then form cost
/// 31,820 more: 234,395 -> 266,215. Pairs of unused candidates are completed only when no
/// triple tried holds both; checking that costs its views 30 units: 266,245. A QR grid that
/// does not decode is fitted to its module edges and decoded again (`edge_fit`): the
/// false triples of those patterns pay for that too, 48,640 more: 314,885. A QR grid that
/// still fails with valid format information is decoded once more per window size with its
/// flat areas as erasures (`COST_ERASURE_RETRY`): 17,456 more, 332,341.)
const MICRO_UNITS: [(&str, u64); 3] = [("m2-l", 24_911), ("r11x43-m", 52_196), ("mixed", 332_341)];

#[test]
fn micro_qr_and_rmqr_scans_spend_counted_units() {
    let all = fixtures();
    for (name, units) in MICRO_UNITS {
        let image = match name {
            "mixed" => mixed(4).0,
            _ => scaled(
                &all.iter()
                    .find(|f| f.name == name)
                    .expect("a fixture")
                    .image,
                4,
            ),
        };
        let scan = scan_measured(&image, Passes::ALL);
        eprintln!("{name}: {} units", scan.work);
        assert!(!scan.cut_short, "{name}");
        assert_eq!(scan.work, units, "{name}");
    }
}
