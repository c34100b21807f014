//! The search's work bound and its reach on images with many codes, on images generated
//! here (deterministically, so the counts are exact): a tile of finder patterns that once
//! held a core for ten seconds, sheets of 60 and 100 codes.
//!
//! Work is asserted in the scan's own counted units, never in time; times are measured by
//! `host-bench`.

use image::{GrayImage, Luma};
use qr_encode::{EcLevel, Symbol, Symbology, encode, encode_compact};
use qr_scan::{
    LIGHT_ON_DARK_PATTERNS, MANY_CODES, Passes, SCAN_BUDGET, UNUSED_CANDIDATES, VIEW_BUDGET,
    scan_measured,
};

/// Whether module (`mx`, `my`) of a 7 × 7 finder pattern is dark: every ring but the
/// second from the outside (rings by distance from the centre in the max norm).
fn finder_module_is_dark(mx: u32, my: u32) -> bool {
    mx.abs_diff(3).max(my.abs_diff(3)) != 2
}

/// A greyscale image tiled with finder patterns at one pixel per module, one every
/// `period` pixels: every third row holds hundreds of 1:1:3:1:1 runs.
fn finder_tile(side: u32, period: u32) -> GrayImage {
    GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x % period, y % period);
        if mx >= 7 || my >= 7 {
            return Luma([255]);
        }
        Luma([if finder_module_is_dark(mx, my) {
            0
        } else {
            255
        }])
    })
}

/// Units the tiles spend before their first view runs out, as measured when the weights in
/// `budget.rs` were set (19,985,683 and 19,985,509), and again once the first view's row
/// search also paid for the light-on-dark windows it notes, and once grids that do not
/// decode were fitted to their module edges (a dearer last step stops the view a little
/// later), and once a candidate in `TRIPLE_FAILURES_PER_CANDIDATE` failed triples was tried
/// in no more (19,997,046 and 19,996,912 before), and once a crowded view's grids whose two
/// format copies disagree were no longer fitted (19,989,966 and 19,989,832 before: the view
/// reaches its last step at another point), and once failed grids were decoded again with
/// erasures at a price of their own (19,993,686 and 19,993,552 before): deterministic, so
/// any change to the search shows up here.
const TILE_UNITS: [(u32, u64); 2] = [(1000, 19_993_410), (2000, 19_993_276)];

#[test]
fn a_tile_of_finder_patterns_stops_at_the_work_budget_with_nothing_read() {
    for (side, units) in TILE_UNITS {
        let scan = scan_measured(&finder_tile(side, 8), Passes::ALL);
        eprintln!("{side}x{side} tile: {} units", scan.work);
        assert!(scan.codes.is_empty(), "{side}: {:?}", scan.codes);
        assert!(scan.cut_short, "{side}: the tile must run into the budget");
        assert!(
            scan.work <= SCAN_BUDGET,
            "{side}: spent {} of {SCAN_BUDGET}",
            scan.work
        );
        // It ran out of units, not out of views: the first view spent its whole share
        // (less the price of the step that did not fit); views as large were skipped, and
        // the shrunk copies (searched because they wipe out a screen's pixel grid) hold
        // no finder-like runs at this period.
        assert!(scan.work <= VIEW_BUDGET && scan.work > VIEW_BUDGET - 20_000);
        assert_eq!(scan.work, units, "{side}");
    }
}

#[test]
fn a_photo_of_one_code_spends_a_small_part_of_the_budget() {
    let text = "https://example.com/one";
    let code = Placed {
        symbol: encode(text.as_bytes(), EcLevel::M).expect("fits"),
        centre: [500.0, 400.0],
        module: 9.0,
        angle: 0.2,
    };
    let image = sheet(1000, 800, &[code], |x, _| 200.0 + x as f32 / 40.0, 10.0, 1);
    let scan = scan_measured(&image, Passes::ALL);
    assert_eq!(scan.codes.len(), 1);
    assert!(!scan.cut_short);
    assert!(
        scan.work < VIEW_BUDGET / 20,
        "spent {} of a view's {VIEW_BUDGET}",
        scan.work
    );
    // The code used every finder candidate, so the Micro QR and rMQR pass spent nothing.
    let qr_only = Passes {
        micro: false,
        ..Passes::ALL
    };
    assert_eq!(scan.work, scan_measured(&image, qr_only).work);
}

/// A small deterministic generator (64-bit LCG) for noise and layout jitter.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// One code to draw: its symbol, centre in pixels, pixels per module and rotation.
struct Placed {
    symbol: Symbol,
    centre: [f32; 2],
    module: f32,
    angle: f32,
}

/// Draws `codes` on a `width`×`height` sheet of paper: each pixel is the share of its
/// 3×3 sub-samples that fall on light modules (anti-aliased edges), shaded by `light`
/// (the paper's brightness at that pixel, 0-255) over a dark level of a fifth of it, plus
/// `noise` levels of uniform noise.
fn sheet(
    width: u32,
    height: u32,
    codes: &[Placed],
    light: impl Fn(u32, u32) -> f32,
    noise: f32,
    seed: u64,
) -> GrayImage {
    let mut ink = vec![0.0f32; width as usize * height as usize];
    for code in codes {
        let n = code.symbol.width() as f32;
        let half = n / 2.0 * code.module * std::f32::consts::SQRT_2;
        let (sin, cos) = code.angle.sin_cos();
        let x0 = (code.centre[0] - half).max(0.0) as u32;
        let y0 = (code.centre[1] - half).max(0.0) as u32;
        let x1 = ((code.centre[0] + half) as u32).min(width - 1);
        let y1 = ((code.centre[1] + half) as u32).min(height - 1);
        for y in y0..=y1 {
            for x in x0..=x1 {
                let mut dark = 0;
                for sy in 0..3 {
                    for sx in 0..3 {
                        let dx = x as f32 + (sx as f32 + 0.5) / 3.0 - code.centre[0];
                        let dy = y as f32 + (sy as f32 + 0.5) / 3.0 - code.centre[1];
                        let u = (cos * dx + sin * dy) / code.module + n / 2.0;
                        let v = (-sin * dx + cos * dy) / code.module + n / 2.0;
                        if u >= 0.0
                            && v >= 0.0
                            && u < n
                            && v < n
                            && code.symbol.is_dark(u as usize, v as usize)
                        {
                            dark += 1;
                        }
                    }
                }
                ink[(y * width + x) as usize] = dark as f32 / 9.0;
            }
        }
    }
    let mut random = Lcg(seed);
    GrayImage::from_fn(width, height, |x, y| {
        let paper = light(x, y);
        let level = paper - 0.8 * paper * ink[(y * width + x) as usize];
        let jitter = (random.next() - 0.5) * 2.0 * noise;
        Luma([(level + jitter).clamp(0.0, 255.0) as u8])
    })
}

/// How many of `texts` a scan of `image` reads back.
fn payloads_read(image: &GrayImage, texts: &[String]) -> usize {
    let scan = scan_measured(image, Passes::ALL);
    eprintln!(
        "{} codes read of {}, {} units{}",
        scan.codes.len(),
        texts.len(),
        scan.work,
        if scan.cut_short { " (cut short)" } else { "" }
    );
    texts
        .iter()
        .filter(|t| {
            scan.codes
                .iter()
                .any(|c| c.text.as_deref() == Some(t.as_str()))
        })
        .count()
}

#[test]
fn a_twelve_megapixel_photo_of_sixty_codes_reads_all_sixty() {
    // A sheet of 10×6 version-3 codes at about 7 pixels per module, each turned a little,
    // lit unevenly (brighter at the top left), with sensor noise: the "lots" photos.
    let mut random = Lcg(12);
    let texts: Vec<String> = (0..60)
        .map(|i| format!("https://example.com/ticket/{i:04}"))
        .collect();
    let codes: Vec<Placed> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Placed {
            symbol: encode(text.as_bytes(), EcLevel::M).expect("fits"),
            centre: [
                200.0 + (i % 10) as f32 * 403.0 + random.next() * 20.0,
                250.0 + (i / 10) as f32 * 504.0 + random.next() * 20.0,
            ],
            module: 6.8 + random.next() * 0.6,
            angle: (random.next() - 0.5) * 0.3,
        })
        .collect();
    assert!(codes.iter().all(|c| c.symbol.version() == 3));
    let image = sheet(
        4032,
        3024,
        &codes,
        |x, y| 235.0 - (x + y) as f32 / 7056.0 * 110.0,
        14.0,
        60,
    );
    assert_eq!(payloads_read(&image, &texts), 60);
}

#[test]
fn a_sheet_of_a_hundred_codes_reads_all_hundred() {
    // 10×10 version-2 codes at 4 pixels per module, each with its four-module quiet zone
    // and no more: 1,320 pixels square.
    let texts: Vec<String> = (0..100).map(|i| format!("item {i:03} of 100")).collect();
    let codes: Vec<Placed> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Placed {
            symbol: encode(text.as_bytes(), EcLevel::Q).expect("fits"),
            centre: [
                66.0 + (i % 10) as f32 * 132.0,
                66.0 + (i / 10) as f32 * 132.0,
            ],
            module: 4.0,
            angle: 0.0,
        })
        .collect();
    let image = sheet(1320, 1320, &codes, |_, _| 240.0, 6.0, 100);
    assert_eq!(payloads_read(&image, &texts), 100);
}

#[test]
fn small_codes_in_a_twelve_megapixel_photo_are_read_at_full_resolution() {
    // 4×3 version-2 codes at 2.4 pixels per module: halved to fit MAX_SCAN_PIXELS, their
    // modules would be 1.2 pixels, too fine for the shrunk view.
    let texts: Vec<String> = (0..12).map(|i| format!("small {i:02}")).collect();
    let mut random = Lcg(7);
    let codes: Vec<Placed> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| Placed {
            symbol: encode(text.as_bytes(), EcLevel::M).expect("fits"),
            centre: [
                500.0 + (i % 4) as f32 * 1000.0 + random.next() * 40.0,
                500.0 + (i / 4) as f32 * 1000.0 + random.next() * 40.0,
            ],
            module: 2.4,
            angle: (random.next() - 0.5) * 0.2,
        })
        .collect();
    let image = sheet(4032, 3024, &codes, |_, _| 230.0, 8.0, 3);
    let shrunk_only = Passes {
        full_resolution: false,
        ..Passes::ALL
    };
    let read = |passes| {
        let codes = scan_measured(&image, passes).codes;
        texts
            .iter()
            .filter(|t| codes.iter().any(|c| c.text.as_deref() == Some(t.as_str())))
            .count()
    };
    let (without, with) = (read(shrunk_only), read(Passes::ALL));
    eprintln!("shrunk view only: {without}, with the full-size view: {with}");
    assert_eq!((without, with), (0, 12));
}

/// The text of the faint code [`faint_code_beside`] draws.
const FAINT: &str = "the faint one, further away";

/// A 900 × 700 sheet with `clear` codes (text and centre; 4 px a module) and [`FAINT`] at
/// (600, 400), 5 px a module, at 0.28 of their contrast (about 45 grey levels): too faint
/// for the hybrid threshold, read by the others. (At a third, 48 levels or more, the first
/// view reads it since its flat blocks take the ink around them as their black point: no
/// block of a code this faint spans more than the 48 levels that count as ink.)
fn faint_code_beside(clear: &[(&str, [f32; 2])]) -> GrayImage {
    let placed = |text: &str, centre: [f32; 2], module: f32| Placed {
        symbol: encode(text.as_bytes(), EcLevel::M).expect("fits"),
        centre,
        module,
        angle: 0.1,
    };
    let mut codes: Vec<Placed> = clear
        .iter()
        .map(|&(text, centre)| placed(text, centre, 4.0))
        .collect();
    codes.push(placed(FAINT, [600.0, 400.0], 5.0));
    let mut image = sheet(900, 700, &codes, |_, _| 200.0, 2.0, 5);
    for y in 250..550 {
        for x in 450..750 {
            let v = f32::from(image.get_pixel(x, y).0[0]);
            image.put_pixel(x, y, Luma([(200.0 + (v - 200.0) * 0.28) as u8]));
        }
    }
    image
}

/// The texts a scan of `image` with `passes` reads, sorted.
fn texts_read(image: &GrayImage, passes: Passes) -> Vec<String> {
    let mut texts: Vec<String> = scan_measured(image, passes)
        .codes
        .into_iter()
        .filter_map(|c| c.text)
        .collect();
    texts.sort();
    texts
}

#[test]
fn a_faint_code_beside_others_is_read_by_another_threshold() {
    // Two clear codes and a faint one: the hybrid threshold reads the clear ones only; a
    // sheet of codes goes on to the other views.
    let image = faint_code_beside(&[("clear one", [150.0, 150.0]), ("clear two", [150.0, 550.0])]);
    assert_eq!(
        texts_read(&image, Passes::FIRST),
        ["clear one", "clear two"]
    );
    assert_eq!(
        texts_read(&image, Passes::ALL),
        ["clear one", "clear two", FAINT]
    );
}

#[test]
fn a_lone_small_code_in_a_twelve_megapixel_photo_is_read_at_full_resolution() {
    // 1.8 pixels per module: halved, 0.9, and the shrunk view finds no candidate at all.
    let code = Placed {
        symbol: encode(b"https://example.com/lone", EcLevel::M).expect("fits"),
        centre: [2100.0, 1400.0],
        module: 1.8,
        angle: 0.15,
    };
    let image = sheet(
        4032,
        3024,
        &[code],
        |x, _| 220.0 - x as f32 / 100.0,
        6.0,
        11,
    );
    let shrunk_only = Passes {
        full_resolution: false,
        ..Passes::ALL
    };
    assert!(scan_measured(&image, shrunk_only).codes.is_empty());
    let codes = scan_measured(&image, Passes::ALL).codes;
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].text.as_deref(), Some("https://example.com/lone"));
}

/// A 4032 × 3024 photo of `large` codes at 6 px a module and one at 1.8 px (halved to fit
/// `MAX_SCAN_PIXELS`, 0.9 px: the shrunk view shows none of its patterns): the texts read.
fn large_codes_and_a_small_one(large: usize) -> Vec<String> {
    let mut codes: Vec<Placed> = (0..large)
        .map(|i| Placed {
            symbol: encode(format!("large {i}").as_bytes(), EcLevel::M).expect("fits"),
            centre: [700.0 + i as f32 * 1300.0, 900.0],
            module: 6.0,
            angle: 0.1,
        })
        .collect();
    codes.push(Placed {
        symbol: encode(b"small, far away", EcLevel::M).expect("fits"),
        centre: [2000.0, 2200.0],
        module: 1.8,
        angle: 0.15,
    });
    let image = sheet(4032, 3024, &codes, |_, _| 225.0, 5.0, 17);
    texts_read(&image, Passes::ALL)
}

#[test]
fn a_small_code_beside_many_codes_read_in_a_shrunk_photo_is_read_at_full_resolution() {
    // A photo that reads `MANY_CODES` (2) codes in its shrunk view is searched at full size
    // as well, where a code too small for the shrunk view reads; beside one code read (a
    // ticket scan's photo of one code) the full size is not searched for it.
    assert_eq!(MANY_CODES, 2);
    assert_eq!(large_codes_and_a_small_one(1), ["large 0"]);
    assert_eq!(
        large_codes_and_a_small_one(2),
        ["large 0", "large 1", "small, far away"]
    );
}

#[test]
fn codes_blurred_beyond_every_threshold_are_read_from_the_sharpened_image() {
    use qr_scan::sets::{Category, sample};
    // Blurred samples that the hybrid, local-mean and global thresholds all miss (the
    // finder patterns are found, the sampled modules fail error correction), and that
    // read once the image is sharpened.
    for index in [6, 7] {
        let blurred = sample(Category::Blurred, index);
        let scan = scan_measured(&blurred.image, Passes::ALL);
        let texts: Vec<_> = scan.codes.into_iter().filter_map(|c| c.text).collect();
        assert_eq!(texts, blurred.expected, "{}", blurred.name());
        assert!(!scan.cut_short, "{}", blurred.name());
    }
}

/// A photo of a screen whose pixel grid floods the full-size view with finder-like runs
/// (sample 4 of the synthetic monitor-moire set) still reads: the flood skips the other
/// thresholds of that size, not the shrunk copy, where averaging wipes out the grid. (When
/// a flood ended the scan, 5 of that set's first 10 samples read; now 10. Sample 0, which
/// this test used, no longer floods its view since a candidate in
/// `TRIPLE_FAILURES_PER_CANDIDATE` failed triples is tried in no more: 5.8 million units.)
#[test]
fn a_screen_photo_that_floods_its_first_view_reads_from_a_shrunk_view() {
    let sample = qr_scan::sets::sample(qr_scan::sets::Category::MonitorMoire, 4);
    let scan = scan_measured(&sample.image, Passes::ALL);
    assert!(scan.cut_short, "the grid floods the full-size view");
    let texts: Vec<String> = scan.codes.into_iter().filter_map(|c| c.text).collect();
    assert_eq!(texts, sample.expected);
    assert!(scan.work <= 2 * VIEW_BUDGET, "spent {}", scan.work);
}

/// A photo of a screen whose negative the pixel grid floods (sample 9 of the synthetic
/// monitor-moire set: the full-size view of the negative spends its whole `VIEW_BUDGET`)
/// reads from the shrunk copy, which is searched dark-on-light before any view of the
/// negative: no view runs out of units. (Searching the negative first cost 21.7 million
/// units, most of them the flooded view.)
#[test]
fn a_screen_photo_reads_from_the_shrunk_copy_before_its_flooded_negative_is_searched() {
    let sample = qr_scan::sets::sample(qr_scan::sets::Category::MonitorMoire, 9);
    let scan = scan_measured(&sample.image, Passes::ALL);
    let texts: Vec<String> = scan.codes.into_iter().filter_map(|c| c.text).collect();
    assert_eq!(texts, sample.expected);
    assert!(!scan.cut_short, "no view was flooded");
    assert!(scan.work < VIEW_BUDGET / 4, "spent {}", scan.work);
}

/// Draws a lone finder pattern (7 × 7 modules of `module` px, dark on the image's light)
/// with its top-left corner at `at`.
fn draw_finder(image: &mut GrayImage, at: [u32; 2], module: u32) {
    for my in 0..7u32 {
        for mx in 0..7u32 {
            let level = if finder_module_is_dark(mx, my) {
                40
            } else {
                200
            };
            for y in 0..module {
                for x in 0..module {
                    image.put_pixel(
                        at[0] + mx * module + x,
                        at[1] + my * module + y,
                        Luma([level]),
                    );
                }
            }
        }
    }
}

/// A full scan of `image` reads "clear one", and `other` too when `read` (sorted texts;
/// `other` sorts after "clear one").
fn assert_clear_one_read_with(image: &GrayImage, other: &str, read: bool, what: &str) {
    let expected: &[&str] = if read {
        &["clear one", other]
    } else {
        &["clear one"]
    };
    assert_eq!(texts_read(image, Passes::ALL), expected, "{what}");
}

#[test]
fn two_finder_patterns_left_unused_send_a_view_that_read_one_code_on_to_the_other_thresholds() {
    // One clear code, a faint one (a third of the contrast: the hybrid threshold does not
    // read it) and `lone` finder patterns that belong to no symbol. With one code read and
    // fewer than UNUSED_CANDIDATES patterns left over, the scan stops; at
    // UNUSED_CANDIDATES it goes on to the other thresholds, which read the faint code.
    let base = faint_code_beside(&[("clear one", [150.0, 150.0])]);
    // Clear places for lone patterns, away from both codes.
    let places = [[60, 450], [200, 600], [320, 420], [60, 330]];
    assert!(UNUSED_CANDIDATES < places.len());
    for (lone, faint_read) in [
        (0, false),
        (UNUSED_CANDIDATES - 1, false),
        (UNUSED_CANDIDATES, true),
    ] {
        let mut image = base.clone();
        for at in &places[..lone] {
            draw_finder(&mut image, *at, 4);
        }
        assert_clear_one_read_with(&image, FAINT, faint_read, &format!("{lone} lone patterns"));
    }
}

/// Swaps light and dark in the `side` × `side` square at `at`: what is drawn there
/// becomes light on dark, and the paper around it a dark frame.
fn negate_square(image: &mut GrayImage, at: [u32; 2], side: u32) {
    for y in at[1]..at[1] + side {
        for x in at[0]..at[0] + side {
            let v = image.get_pixel(x, y).0[0];
            image.put_pixel(x, y, Luma([255 - v]));
        }
    }
}

/// The text of the light-on-dark Micro QR code of
/// [`light_on_dark_patterns_beside_a_code_read_send_the_scan_on_to_the_negative`].
const LIGHT_MICRO: &str = "light micro";

#[test]
fn light_on_dark_patterns_beside_a_code_read_send_the_scan_on_to_the_negative() {
    // One dark-on-light QR code, one light-on-dark Micro QR code (one finder pattern) and
    // `lone` light-on-dark finder patterns that belong to no symbol. The first view reads
    // the QR code and shows 1 + `lone` light-on-dark patterns outside it: below
    // LIGHT_ON_DARK_PATTERNS the scan stops there; at LIGHT_ON_DARK_PATTERNS it searches
    // the negative too, which reads the Micro QR code.
    let micro = Placed {
        symbol: encode_compact(LIGHT_MICRO.as_bytes(), EcLevel::L, Symbology::MicroQr, None)
            .expect("fits"),
        centre: [500.0, 150.0],
        module: 5.0,
        angle: 0.0,
    };
    let micro_side = micro.symbol.width() as u32 * 5 + 2 * 15;
    let clear = Placed {
        symbol: encode(b"clear one", EcLevel::M).expect("fits"),
        centre: [150.0, 150.0],
        module: 4.0,
        angle: 0.1,
    };
    let mut base = sheet(700, 500, &[clear, micro], |_, _| 200.0, 2.0, 7);
    negate_square(
        &mut base,
        [500 - micro_side / 2, 150 - micro_side / 2],
        micro_side,
    );
    // Clear places for lone patterns, away from both codes: each a 7-module pattern with
    // two modules of frame, 4 px a module.
    let places = [[60, 340], [260, 360], [460, 330], [600, 380]];
    assert!(LIGHT_ON_DARK_PATTERNS < places.len() + 1);
    for (lone, micro_read) in [
        (0, false),
        (LIGHT_ON_DARK_PATTERNS - 2, false),
        (LIGHT_ON_DARK_PATTERNS - 1, true),
    ] {
        let mut image = base.clone();
        for &[x, y] in &places[..lone] {
            draw_finder(&mut image, [x + 8, y + 8], 4);
            negate_square(&mut image, [x, y], 44);
        }
        let lone_light = format!("{lone} lone light-on-dark patterns");
        assert_clear_one_read_with(&image, LIGHT_MICRO, micro_read, &lone_light);
    }
}

#[test]
fn light_on_dark_codes_beside_a_dark_one_in_a_busy_overexposed_photo_are_read_from_the_negative() {
    // Sample 567 of the differential search's tuning range (generated here by
    // `sets::random`): four codes in an over-exposed photo, two of them light on dark. The
    // first view reads one dark code and leaves triples or candidates unread, but shows
    // too few light-on-dark patterns for `LIGHT_ON_DARK_PATTERNS` (the hybrid threshold
    // turns the lifted dark quiet zones light): a busy image searches the negative anyway,
    // which reads both light codes (zxing-cpp reads them too; the fourth, a faint
    // dark-on-light code, neither does).
    let sample = qr_scan::sets::random::sample(567);
    let text_of = |inverted: bool| -> Vec<&str> {
        let codes = sample.codes.iter();
        codes
            .filter(|c| c.buckets.contains(&"inverted") == inverted)
            .map(|c| c.text.as_str())
            .collect()
    };
    let (light, dark) = (text_of(true), text_of(false));
    assert_eq!(light.len(), 2);
    let without_negative = Passes {
        inverted: false,
        ..Passes::ALL
    };
    assert_eq!(texts_read(&sample.image, without_negative), [dark[0]]);
    let mut expected = vec![dark[0], light[0], light[1]];
    expected.sort();
    assert_eq!(texts_read(&sample.image, Passes::ALL), expected);
}

#[test]
fn light_on_dark_codes_beside_a_dark_one_only_the_midrange_view_reads_are_read_from_the_negative() {
    // Sample 912 of the differential search's tuning range: a 4032 x 3024 over-exposed
    // photo (blacks lifted by 0.21) of four codes, two of them light on dark. Searched
    // halved, the hybrid view reads nothing; the midrange view of the same pixels reads
    // the large dark code and leaves nothing over, so the image is not busy. The
    // light-on-dark patterns it shows beside that code (`LIGHT_ON_DARK_PATTERNS`) send
    // the negative to be searched, which reads both light codes; they were counted only
    // in the hybrid view before, which had no symbol read to count beside, and the scan
    // ended with the dark code (zxing-cpp reads all three; the fourth, 1.5 px a module,
    // neither does).
    assert_light_codes_read(912, 2, 3);
}

#[test]
fn a_small_light_on_dark_code_in_a_photo_searched_shrunk_is_read_from_the_full_size_negative() {
    // Sample 10773 of the differential search's evaluation range: a 2560 x 1920 photo of
    // five codes, searched halved. Nothing is read there; the full-size view (which the
    // small candidates ask for) reads two dark codes in its midrange view, and that view
    // shows the light-on-dark patterns of a version-8 code at 2.8 px a module, whose
    // modules the halved view shrinks to 1.4 px (no pattern of it in the shrunk negative).
    // `LIGHT_ON_DARK_PATTERNS` of them at full size send the negative to be searched at
    // full size, which reads it; before, only the shrunk negative was searched (zxing-cpp
    // reads it too).
    assert_light_codes_read(10773, 1, 3);
}

#[test]
fn a_small_code_in_a_noisy_photo_is_read_once_false_candidates_stop_being_tried() {
    // Sample 10863 of the differential search's evaluation range: a lone version-1 code
    // at 2.3 px a module in a 2048 x 1536 photo with noise of 0.032. Noise binarised at
    // full size shows tens of false finder candidates, whose triples failed one after
    // another until the view ran out of units and the views as large, the one that reads
    // the code among them, were skipped as flooded. A candidate in
    // `TRIPLE_FAILURES_PER_CANDIDATE` failed triples is tried in no more, and the code
    // is read (zxing-cpp reads it too).
    let sample = qr_scan::sets::random::sample(10863);
    assert_eq!(sample.codes.len(), 1);
    let scan = scan_measured(&sample.image, Passes::ALL);
    let texts: Vec<_> = scan
        .codes
        .iter()
        .filter_map(|c| c.text.as_deref())
        .collect();
    assert_eq!(texts, [sample.codes[0].text.as_str()]);
}

/// Scans differential sample `seed` (generated by `sets::random`) as shipped and asserts
/// that it reads `read` codes, every text one of the sample's, among them all `light`
/// light-on-dark codes the sample holds.
fn assert_light_codes_read(seed: u64, light: usize, read: usize) {
    let sample = qr_scan::sets::random::sample(seed);
    let texts = texts_read(&sample.image, Passes::ALL);
    let holds = |text: &String| sample.codes.iter().any(|c| &c.text == text);
    assert!(texts.iter().all(holds), "seed {seed}: a text no code holds");
    assert_eq!(texts.len(), read, "seed {seed}: {texts:?}");
    let inverted = sample
        .codes
        .iter()
        .filter(|c| c.buckets.contains(&"inverted"));
    let codes: Vec<&str> = inverted.map(|c| c.text.as_str()).collect();
    assert_eq!(codes.len(), light, "seed {seed}: light-on-dark codes");
    for text in codes {
        assert!(
            texts.iter().any(|t| t == text),
            "seed {seed}: {text} unread"
        );
    }
}

#[test]
fn a_lone_code_tilted_fifty_degrees_towards_a_close_camera_is_read_in_the_first_view() {
    // Sample 326 of the differential search's tuning range: one version-3 code tilted 50
    // degrees. Its finder patterns measure 47, 24 and 21 px, and its corner is far from
    // square: the triple passes only without the size, leg and angle tests, which a view
    // of at most five candidates skips (`group::FEW_CANDIDATES`; zxing-cpp 3.1 reads it
    // the same way). Every view read nothing before.
    let sample = qr_scan::sets::random::sample(326);
    assert_eq!(sample.codes.len(), 1);
    assert_eq!(
        texts_read(&sample.image, Passes::FIRST),
        [sample.codes[0].text.as_str()]
    );
}

#[test]
fn over_exposed_codes_with_lifted_blacks_are_read_in_the_first_view() {
    // The synthetic overexposed set: ink lifted to 60-80 % of white, paper clipped. zxing's
    // hybrid threshold guesses half the paper's level as the black point of its flat
    // blocks, which drags the thresholds at a code's edge below the ink, and the finder
    // patterns' outer rings turn white: its first view read 1 of these 4. With the ink
    // around them as their black point (`hybrid::Flat::LocalInk`) the first view reads
    // all 4, as zxing-cpp's single pass does.
    for sample in qr_scan::sets::samples(qr_scan::sets::Category::Overexposed, 4) {
        assert_eq!(
            texts_read(&sample.image, Passes::FIRST),
            sample.expected,
            "{}",
            sample.name()
        );
    }
}

#[test]
fn a_sheet_whose_first_view_reads_more_still_searches_the_midrange_view_for_the_rest() {
    // Differential samples 653 and 695 (tuning range). 653: six codes; the first view
    // reads five and leaves one candidate of the sixth (tilted 47 degrees, ink 0.36 on
    // 0.80), which only the midrange view reads: beside `MANY_CODES` codes one unused
    // candidate sends the view to the midrange threshold. 695: three codes in a 2560 x 1920
    // frame; the strongly tilted, low-contrast one (ink 0.20 on 0.36) reads only in the
    // full-size view under zxing's guess for flat blocks, which that view keeps.
    for seed in [653, 695] {
        let sample = qr_scan::sets::random::sample(seed);
        let mut expected: Vec<&str> = sample.codes.iter().map(|c| c.text.as_str()).collect();
        expected.sort();
        assert_eq!(
            texts_read(&sample.image, Passes::ALL),
            expected,
            "seed {seed}"
        );
    }
}

#[test]
fn a_code_whose_third_pattern_the_row_search_misses_is_read_by_completing_its_pair() {
    // Samples 338 and 367 of the differential search's tuning range: one small code each
    // (version 7 at 2.5 px a module in a 400 x 300 frame; version 1 at 1.9 px in 1280 x
    // 960), defocused. Every view shows two of its finder patterns; the third, which no
    // row of the search crosses in clean runs, is confirmed where a square symbol's would
    // lie (`PAIR_UNUSED_MAX`; zxing-cpp's row search finds it).
    for seed in [338, 367] {
        let sample = qr_scan::sets::random::sample(seed);
        assert_eq!(sample.codes.len(), 1);
        assert_eq!(
            texts_read(&sample.image, Passes::ALL),
            [sample.codes[0].text.as_str()],
            "seed {seed}"
        );
    }
}

/// A "designer" rendering of `symbol` at `module` pixels a module with 4 modules of quiet
/// zone: each finder pattern drawn as three concentric circles (radii 3.5, 2.5 and 1.5
/// modules) and every other dark module as a dot `dot` modules across, its centre `off`
/// modules right of and below the module's, on white. Invalid per ISO/IEC 18004, common
/// on posters and menus (`zxing/qrcode-2/qr-circles-1` draws its dots a fifth of a module
/// off the lattice its circles imply).
fn dot_code(symbol: &Symbol, module: u32, dot: f32, off: f32) -> GrayImage {
    let width = symbol.width() as f32;
    let quiet = 4.0;
    let side = ((width + 2.0 * quiet) * module as f32) as u32;
    let finders = [(3.5, 3.5), (width - 3.5, 3.5), (3.5, width - 3.5)];
    GrayImage::from_fn(side, side, |x, y| {
        // The pixel's centre in modules of the symbol.
        let (mx, my) = (
            (x as f32 + 0.5) / module as f32 - quiet,
            (y as f32 + 0.5) / module as f32 - quiet,
        );
        let in_finder = |fx: f32, fy: f32| (mx - fx).abs() < 4.0 && (my - fy).abs() < 4.0;
        let dark = if let Some(&(fx, fy)) = finders.iter().find(|&&(fx, fy)| in_finder(fx, fy)) {
            let r = ((mx - fx).powi(2) + (my - fy).powi(2)).sqrt();
            r < 1.5 || (2.5..3.5).contains(&r)
        } else if (0.0..width).contains(&mx) && (0.0..width).contains(&my) {
            let (cx, cy) = (mx.floor(), my.floor());
            let r = ((mx - cx - 0.5 - off).powi(2) + (my - cy - 0.5 - off).powi(2)).sqrt();
            symbol.is_dark(cx as usize, cy as usize) && r < dot / 2.0
        } else {
            false
        };
        Luma([if dark { 0 } else { 255 }])
    })
}

#[test]
fn a_code_of_round_finder_patterns_and_dot_modules_is_read_in_the_first_view() {
    let text = "https://example.com/menu/table-12";
    let symbol = encode(text.as_bytes(), EcLevel::M).expect("encodes");
    // Dots on the modules' centres, which the grid's samples meet once it is placed, and
    // dots off them, which only the probes around each centre meet.
    for (module, dot, off) in [(8, 0.5, 0.0), (9, 0.45, 0.0), (10, 0.4, 0.25)] {
        let image = dot_code(&symbol, module, dot, off);
        assert_eq!(
            texts_read(&image, Passes::FIRST),
            [text],
            "{module} px a module, dots {dot} modules across, {off} off centre"
        );
    }
}

#[test]
fn a_dot_code_is_sampled_again_only_in_a_view_of_few_candidates() {
    let text = "https://example.com/menu/table-12";
    let symbol = encode(text.as_bytes(), EcLevel::M).expect("encodes");
    // Dots a quarter module off centre: read only by both fallbacks (see above).
    let code = dot_code(&symbol, 8, 0.4, 0.25);
    // The code's three patterns and `strays` lone small ones in a strip below it, too
    // close together to form a symbol of their own.
    let with_strays = |strays: u32| {
        let mut image = GrayImage::from_pixel(code.width(), code.height() + 60, Luma([255]));
        image::imageops::overlay(&mut image, &code, 0, 0);
        for i in 0..strays {
            draw_finder(&mut image, [20 + 45 * i, code.height() + 20], 3);
        }
        image
    };
    // FEW_CANDIDATES (5) is three patterns and two strays.
    assert_eq!(texts_read(&with_strays(2), Passes::FIRST), [text]);
    assert!(texts_read(&with_strays(3), Passes::FIRST).is_empty());
}

#[test]
fn a_blurred_or_designer_code_whose_alignment_pattern_is_lost_reads_through_its_traced_corner() {
    // blurred 02 (version 5, blur hides its alignment pattern) and noncompliant-design 09
    // (version 4, dot modules): patterns within 1.1 of each other's size, so rxing's
    // `SampleQR` put the fourth corner where a parallelogram's would be, 10 and 6 px off
    // the symbol's, and the grid failed error correction. zxing-cpp 3.1's single pass
    // reads both through the corner where the patterns' traced edges meet, which the
    // first pass now samples too (`reader::traced_corner_grid`). Neither read in the
    // first pass before.
    use qr_scan::sets::{Category, sample};
    for (category, index) in [(Category::Blurred, 2), (Category::NoncompliantDesign, 9)] {
        let sample = sample(category, index);
        assert_eq!(
            texts_read(&sample.image, Passes::FIRST),
            sample.expected,
            "{}",
            sample.name()
        );
    }
}

/// `symbol` printed on cloth that ripples: `module` pixels a module, 4 modules of quiet
/// zone, each point moved `amplitude` modules along x by a wave running down the image
/// and along y by one running across it, `wavelength` modules long (a shirt, a tote bag,
/// a lanyard: `zxing-java/qrcode-4`). Each pixel is the share of its 3 × 3 sub-samples
/// that fall on dark modules, dark at 30 and light at 220.
fn cloth_code(symbol: &Symbol, module: f32, amplitude: f32, wavelength: f32) -> GrayImage {
    let width = symbol.width() as f32;
    let quiet = 4.0;
    let side = ((width + 2.0 * quiet) * module) as u32;
    let wave = |at: f32| amplitude * (at / wavelength * std::f32::consts::TAU).sin();
    GrayImage::from_fn(side, side, |x, y| {
        let mut dark = 0;
        for sy in 0..3 {
            for sx in 0..3 {
                let px = (x as f32 + (sx as f32 + 0.5) / 3.0) / module - quiet;
                let py = (y as f32 + (sy as f32 + 0.5) / 3.0) / module - quiet;
                let (mx, my) = (px + wave(py), py + wave(px));
                if (0.0..width).contains(&mx)
                    && (0.0..width).contains(&my)
                    && symbol.is_dark(mx as usize, my as usize)
                {
                    dark += 1;
                }
            }
        }
        Luma([(220.0 - 190.0 * dark as f32 / 9.0) as u8])
    })
}

#[test]
fn a_code_on_rippled_cloth_is_read_by_fitting_its_grid_to_the_module_edges() {
    let text = "https://example.com/tote/0042";
    let symbol = encode(text.as_bytes(), EcLevel::M).expect("encodes");
    // Ripples of a third of a module, 10 and 12 modules long: the sampler's one transform
    // leaves modules a third of a module off in places, and error correction gives up on
    // its grid (zxing-cpp 3.1.1 reads neither); fitted to the module edges, the grid reads
    // in the first view.
    for wavelength in [10.0, 12.0] {
        let image = cloth_code(&symbol, 6.0, 0.3, wavelength);
        assert_eq!(
            texts_read(&image, Passes::FIRST),
            [text],
            "ripples {wavelength} modules long"
        );
    }
}

#[test]
fn a_lone_code_tilted_sixty_three_degrees_is_sampled_with_its_corner_where_its_module_distances_put_it()
 {
    // Sample 401 of the differential search's tuning range: one version-8 code tilted 63
    // degrees, patterns of 72, 42 and 37 px. zxing-cpp's size-stretched distances take the
    // corner at the small far pattern, and the grid sampled from there fails; a view of
    // few candidates also tries the corner the distances in modules show
    // (`group::other_corner`), the symbol's. No view read it before.
    let sample = qr_scan::sets::random::sample(401);
    assert_eq!(sample.codes.len(), 1);
    assert_eq!(
        texts_read(&sample.image, Passes::ALL),
        [sample.codes[0].text.as_str()]
    );
}

#[test]
fn codes_in_under_exposed_photos_are_read_from_a_shrunk_copy_under_the_midrange_threshold() {
    // Differential samples 580 and 460 (tuning range), generated by `sets::random`: a
    // version-1 code in a 2048 x 1536 photo exposed at 0.26 with 3.9 px of motion blur,
    // and a 1920 x 2560 photo of six codes exposed at 0.013 (its paper at about 3 grey
    // levels) with a gradient. No view at the working size reads either, nor do the
    // shrunk copies under the hybrid threshold; under the midrange threshold one does.
    for (seed, at_least) in [(580, 1), (460, 1)] {
        let sample = qr_scan::sets::random::sample(seed);
        let texts = texts_read(&sample.image, Passes::ALL);
        let right = sample
            .codes
            .iter()
            .filter(|c| texts.contains(&c.text))
            .count();
        assert_eq!(right, texts.len(), "seed {seed}: a text no code holds");
        assert!(right >= at_least, "seed {seed}: {right} read");
    }
}

/// An image that no view reads spends less once the patterns of a QR symbol whose grid
/// failed (its two format copies agree with a valid format word) are no longer sampled as
/// Micro QR and rMQR symbols in every view: synthetic `glare` 00 (a version-2 code under a
/// glare spot) cost 2,087,890 units before, 1,301,810 after. Its failed grids are now also
/// decoded again with erasures and its pair completed with assumed third patterns in a
/// last view (see the qr-scan README, *Glare and damage*): 1,938,820 with the skip, 2,824,060
/// without it. And a sheet of a hundred codes
/// fits no false triple's grid (finder patterns of different codes, whose format copies
/// disagree) to its module edges: `lots100` 00 cost 19,972,080 units before, 16,423,749 now.
#[test]
fn unreadable_and_crowded_images_skip_samplings_that_cannot_read() {
    use qr_scan::sets::{Category, sample};
    let glare = sample(Category::Glare, 0);
    let scan = scan_measured(&glare.image, Passes::ALL);
    assert!(scan.codes.is_empty(), "glare 00 reads nothing");
    assert!(!scan.cut_short);
    assert!(scan.work < 2_200_000, "glare 00: {} units", scan.work);
    let sheet = sample(Category::Lots100, 0);
    let scan = scan_measured(&sheet.image, Passes::ALL);
    assert_eq!(scan.codes.len(), 100, "lots100 00 reads all its codes");
    assert!(scan.work < 18_000_000, "lots100 00: {} units", scan.work);
}
