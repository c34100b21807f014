//! Synthetic test sets, one per kind of photo that real decoders find hard, made by code.
//!
//! Each [`Category`] imitates one case of phone photos (many codes in one frame, exposure,
//! photos of screens, perspective, curved surfaces, glare, damage, blur, cramped quiet zones,
//! rotations) without shipping any photo: a sample is a pure function of its category and
//! index, so tests can assert on it and benchmarks can compare decoders on the same pixels,
//! on every machine. The images are greyscale, as [`crate::scan`] takes them.
//!
//! How a sample is made: real symbols from `qr-encode` are drawn onto a canvas through a
//! projective map (so edges are anti-aliased as a camera would), then the whole frame goes
//! through the category's optics (a cylinder warp, a resampled screen pixel grid) and its
//! photometry (exposure, glare, blur, sensor noise), and is quantised to 8 bits.
//!
//! These are not photos. What they miss (sensor demosaicing, JPEG blocks, motion blur,
//! crumpled paper, real reflections) is why the shared photo corpus stays the first test;
//! these sets add the cases that corpus lacks, with known answers.

use std::f64::consts::TAU;

pub mod random;

use image::GrayImage;
use qr_encode::{EcLevel, Symbol};

/// One kind of hard photo. [`Category::ALL`] lists them in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Category {
    /// One code, nearly square to the camera, mild blur and noise: the control.
    Nominal,
    /// 60 codes on one sheet (a 10 × 6 grid), slightly tilted: the "lots" case.
    Lots60,
    /// 100 codes on one sheet (10 × 10), smaller modules.
    Lots100,
    /// 60 codes in a full phone photo, 4032 × 3024 (12 Mpx), about 10 px per module: the
    /// size real photos arrive at, for timing (wasm against native) more than for accuracy.
    Lots60Large,
    /// Over-exposed: light modules clip to white, dark ones are washed out to light grey.
    Overexposed,
    /// Under-exposed: the whole symbol within a few dozen grey levels, with sensor noise.
    Underexposed,
    /// A code shown on a screen and photographed: the pixel grid, resampled by the camera at
    /// a scale near one camera pixel per screen pixel, makes moiré.
    Monitor,
    /// The code's plane tilted 45 to 65 degrees from the camera, seen from close by.
    Perspective,
    /// The code printed on a cylinder (a can, a bottle) with its axis across the code.
    Curved,
    /// Bright spots (reflections, a flash) that saturate part of the symbol.
    Glare,
    /// Parts of the symbol covered (stickers, scratches, a finger), within and beyond what
    /// error correction repairs.
    Damaged,
    /// Out of focus: a Gaussian blur of 0.3 to 0.7 module widths.
    Blurred,
    /// Quiet zone of zero or one module, with clutter (frames, text-like blocks) around.
    Noncompliant,
    /// Any rotation in the image plane.
    Rotations,
    /// One Micro QR or rMQR symbol (alternately), at any rotation in the image plane.
    MicroRotations,
    /// One Micro QR or rMQR symbol, its plane tilted 20 to 40 degrees from the camera.
    MicroPerspective,
    /// One Micro QR or rMQR symbol out of focus: a Gaussian blur of 0.2 to 0.45 module widths.
    MicroBlurred,
    /// Several codes on one page: three Micro QR, three rMQR and two QR symbols, slightly
    /// tilted.
    MicroMixed,
    /// A phone photo (2560 × 1920, JPEG) of two or three codes at different sizes and
    /// angles, modules of 2.2 to 12 pixels: the nominal photo of the phone benchmarks, which
    /// often holds more than one code.
    PhotoMulti,
    /// A screen photographed through a camera-like projection (1800 × 1350, the screen
    /// filling the frame): each screen pixel three
    /// sub-pixel stripes of different brightness, 1.4 to 3.6 camera pixels per screen
    /// pixel (moiré, strongest in shrunk views), a tilted view, blur, sensor noise, gamma and JPEG.
    MonitorMoire,
    /// Exposure far off with uneven light: dark photos with shot noise, or bright ones
    /// with lifted blacks, then JPEG, which erases low-contrast detail.
    Brightness,
    /// Strong perspective (tilt 50 to 70 degrees) at small module sizes, JPEG.
    PerspectiveSmall,
    /// Hard-edged shadows (a straight edge, or the corner of an object's shadow) across the
    /// code, the shaded side at a fifth to a half of the light.
    Shadows,
    /// Any rotation in the image plane with modules of 3.4 to 6 pixels in a 4.9 Mpx photo
    /// (1.7 to 3 in the shrunk view searched first), JPEG.
    RotationsSmall,
    /// Designs the standard does not allow: round dot modules, a logo over the centre, and
    /// a quiet zone of half a module to two modules with text lines beside it.
    NoncompliantDesign,
    /// Two or three codes in one photo, one of them light on dark (a label printed in
    /// negative beside ordinary ones): found by the differential search
    /// (`qr_scan::sets::random`), where zxing-cpp, which always searches the negative too,
    /// read such codes and qr-scan, which stops after the first view that reads, did not.
    MixedPolarity,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 26] = [
        Category::Nominal,
        Category::Lots60,
        Category::Lots100,
        Category::Lots60Large,
        Category::Overexposed,
        Category::Underexposed,
        Category::Monitor,
        Category::Perspective,
        Category::Curved,
        Category::Glare,
        Category::Damaged,
        Category::Blurred,
        Category::Noncompliant,
        Category::Rotations,
        Category::MicroRotations,
        Category::MicroPerspective,
        Category::MicroBlurred,
        Category::MicroMixed,
        Category::PhotoMulti,
        Category::MonitorMoire,
        Category::Brightness,
        Category::PerspectiveSmall,
        Category::Shadows,
        Category::RotationsSmall,
        Category::NoncompliantDesign,
        Category::MixedPolarity,
    ];

    /// Short name, used in reports and sample names.
    pub fn name(self) -> &'static str {
        match self {
            Category::Nominal => "nominal",
            Category::Lots60 => "lots60",
            Category::Lots100 => "lots100",
            Category::Lots60Large => "lots60-12mp",
            Category::Overexposed => "overexposed",
            Category::Underexposed => "underexposed",
            Category::Monitor => "monitor",
            Category::Perspective => "perspective",
            Category::Curved => "curved",
            Category::Glare => "glare",
            Category::Damaged => "damaged",
            Category::Blurred => "blurred",
            Category::Noncompliant => "noncompliant",
            Category::Rotations => "rotations",
            Category::MicroRotations => "micro-rotations",
            Category::MicroPerspective => "micro-perspective",
            Category::MicroBlurred => "micro-blurred",
            Category::MicroMixed => "micro-mixed",
            Category::PhotoMulti => "photo-multi",
            Category::MonitorMoire => "monitor-moire",
            Category::Brightness => "brightness",
            Category::PerspectiveSmall => "perspective-small",
            Category::Shadows => "shadows",
            Category::RotationsSmall => "rotations-small",
            Category::NoncompliantDesign => "noncompliant-design",
            Category::MixedPolarity => "mixed-polarity",
        }
    }

    /// The category called `name` (see [`Category::name`]).
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One generated image and the texts it holds.
#[derive(Debug, Clone)]
pub struct Sample {
    /// The category it belongs to.
    pub category: Category,
    /// Its index in the category; the image is a pure function of category and index.
    pub index: usize,
    /// The image.
    pub image: GrayImage,
    /// The text of every code drawn in it (all distinct).
    pub expected: Vec<String>,
}

impl Sample {
    /// `category/index`, for reports.
    pub fn name(&self) -> String {
        format!("{}/{:02}", self.category.name(), self.index)
    }
}

/// The first `count` samples of `category`.
pub fn samples(category: Category, count: usize) -> Vec<Sample> {
    (0..count).map(|i| sample(category, i)).collect()
}

/// Sample `index` of `category`: the same pixels on every machine and every run.
pub fn sample(category: Category, index: usize) -> Sample {
    let mut rng = Rng::new(category.name(), index);
    let mut expected = Vec::new();
    let image = match category {
        Category::Nominal => single(&mut rng, &mut expected, Look::nominal()),
        Category::Lots60 => sheet(&mut rng, &mut expected, 10, 6, 6.0, None),
        Category::Lots100 => sheet(&mut rng, &mut expected, 10, 10, 4.5, None),
        Category::Lots60Large => sheet(&mut rng, &mut expected, 10, 6, 9.7, Some((4032, 3024))),
        Category::Overexposed => {
            // Stray light lifts the dark modules; the gain clips the light ones to white.
            let look = Look {
                dark: rng.range(0.15, 0.25),
                gain: rng.range(1.6, 2.8),
                vignette: 0.25,
                ..Look::nominal()
            };
            single(&mut rng, &mut expected, look)
        }
        Category::Underexposed => {
            let look = Look {
                gain: rng.range(0.08, 0.2),
                noise: rng.range(0.002, 0.005),
                vignette: 0.3,
                ..Look::nominal()
            };
            single(&mut rng, &mut expected, look)
        }
        Category::Monitor => monitor(&mut rng, &mut expected),
        Category::Perspective => {
            let look = Look {
                tilt: rng.range(45.0, 65.0),
                ..Look::nominal()
            };
            single(&mut rng, &mut expected, look)
        }
        Category::Curved => curved(&mut rng, &mut expected),
        Category::Glare => {
            let look = Look {
                glare: 1 + rng.below(3),
                ..Look::nominal()
            };
            single(&mut rng, &mut expected, look)
        }
        Category::Damaged => {
            let look = Look {
                damage: rng.range(0.04, 0.22),
                ec: if rng.below(2) == 0 {
                    EcLevel::H
                } else {
                    EcLevel::M
                },
                ..Look::nominal()
            };
            single(&mut rng, &mut expected, look)
        }
        Category::Blurred => {
            let look = Look {
                blur_modules: rng.range(0.3, 0.7),
                ..Look::nominal()
            };
            single(&mut rng, &mut expected, look)
        }
        Category::Noncompliant => {
            let look = Look {
                quiet: rng.below(2) as f64,
                clutter: true,
                ..Look::nominal()
            };
            single(&mut rng, &mut expected, look)
        }
        Category::Rotations => {
            let look = Look {
                roll: rng.range(0.0, 360.0),
                ..Look::nominal()
            };
            single(&mut rng, &mut expected, look)
        }
        Category::MicroRotations => {
            let look = Look {
                roll: rng.range(0.0, 360.0),
                ..Look::nominal()
            };
            single_micro(&mut rng, &mut expected, index, look)
        }
        Category::MicroPerspective => {
            let look = Look {
                tilt: rng.range(20.0, 40.0),
                ..Look::nominal()
            };
            single_micro(&mut rng, &mut expected, index, look)
        }
        Category::MicroBlurred => {
            let look = Look {
                blur_modules: rng.range(0.2, 0.45),
                ..Look::nominal()
            };
            single_micro(&mut rng, &mut expected, index, look)
        }
        Category::MicroMixed => micro_mixed(&mut rng, &mut expected),
        Category::PhotoMulti => photo_multi(&mut rng, &mut expected),
        Category::MonitorMoire => monitor_moire(&mut rng, &mut expected),
        Category::Brightness => brightness(&mut rng, &mut expected, index),
        Category::PerspectiveSmall => {
            let look = Look {
                tilt: rng.range(50.0, 70.0),
                ..Look::nominal()
            };
            photo_single(&mut rng, &mut expected, look, (3.6, 7.0))
        }
        Category::Shadows => {
            let look = Look {
                shadows: 1 + rng.below(2),
                ..Look::nominal()
            };
            photo_single(&mut rng, &mut expected, look, (5.0, 12.0))
        }
        Category::RotationsSmall => {
            let look = Look {
                roll: rng.range(0.0, 360.0),
                ..Look::nominal()
            };
            photo_single(&mut rng, &mut expected, look, (3.4, 6.0))
        }
        Category::NoncompliantDesign => noncompliant_design(&mut rng, &mut expected),
        Category::MixedPolarity => mixed_polarity(&mut rng, &mut expected),
    };
    Sample {
        category,
        index,
        image,
        expected,
    }
}

/// Draws `symbol` alone on a white background with `quiet` modules of quiet zone and
/// `scale` pixels per module, dark modules black: a clean screenshot-like image, for tests
/// that are about the payload rather than the optics.
pub fn render(symbol: &Symbol, scale: u32, quiet: u32) -> GrayImage {
    render_modules(symbol.width(), |x, y| symbol.is_dark(x, y), scale, quiet)
}

/// [`render`] for a symbol from another encoder: `width` modules a side, `is_dark(x, y)`.
pub fn render_modules(
    width: usize,
    is_dark: impl Fn(usize, usize) -> bool,
    scale: u32,
    quiet: u32,
) -> GrayImage {
    let side = (width as u32 + 2 * quiet) * scale;
    let module = |p: u32| {
        (p / scale)
            .checked_sub(quiet)
            .map(|m| m as usize)
            .filter(|&m| m < width)
    };
    GrayImage::from_fn(side, side, |x, y| {
        let dark = matches!((module(x), module(y)), (Some(mx), Some(my)) if is_dark(mx, my));
        image::Luma([if dark { 0 } else { 255 }])
    })
}

/// A symbol's modules, whatever made it: `qr-encode`'s QR symbols, or the Micro QR and rMQR
/// fixtures of `tests/fixtures/micro` (written by zxing-cpp's encoder).
pub trait Modules {
    /// Modules across.
    fn columns(&self) -> usize;
    /// Modules down.
    fn rows(&self) -> usize;
    /// The module at column `x`, row `y` is dark.
    fn dark(&self, x: usize, y: usize) -> bool;
}

impl Modules for Symbol {
    fn columns(&self) -> usize {
        self.width()
    }
    fn rows(&self) -> usize {
        self.width()
    }
    fn dark(&self, x: usize, y: usize) -> bool {
        self.is_dark(x, y)
    }
}

/// A Micro QR or rMQR symbol from the fixtures, with the text it holds.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The fixture's name (`m2-l`, `r11x59-m`).
    pub name: String,
    /// The text it holds.
    pub text: String,
    columns: usize,
    rows: usize,
    dark: Vec<bool>,
}

impl Modules for Fixture {
    fn columns(&self) -> usize {
        self.columns
    }
    fn rows(&self) -> usize {
        self.rows
    }
    fn dark(&self, x: usize, y: usize) -> bool {
        self.dark[y * self.columns + x]
    }
}

/// Quiet zone of the fixture images, modules: the two that both standards ask for.
const FIXTURE_QUIET: u32 = 2;

/// Every Micro QR and rMQR fixture of `tests/fixtures/micro` (one pixel per module), in the
/// order of its manifest: the Micro QR symbols first, then the rMQR ones.
pub fn micro_fixtures() -> Vec<Fixture> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/micro");
    let manifest =
        std::fs::read_to_string(dir.join("manifest.tsv")).expect("the fixtures are committed");
    manifest
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let (name, text) = (fields[0], fields[4]);
            let image = image::open(dir.join(format!("{name}.png")))
                .expect("the fixture loads")
                .to_luma8();
            let (columns, rows) = (
                (image.width() - 2 * FIXTURE_QUIET) as usize,
                (image.height() - 2 * FIXTURE_QUIET) as usize,
            );
            let dark = (0..rows * columns)
                .map(|i| {
                    let (x, y) = ((i % columns) as u32, (i / columns) as u32);
                    image.get_pixel(x + FIXTURE_QUIET, y + FIXTURE_QUIET).0[0] < 128
                })
                .collect();
            Fixture {
                name: name.to_owned(),
                text: text.to_owned(),
                columns,
                rows,
                dark,
            }
        })
        .collect()
}

/// The fixture sample `index` of a Micro QR category draws: Micro QR on even indices and
/// rMQR on odd ones, walking through each kind.
fn micro_fixture(index: usize) -> Fixture {
    let all = micro_fixtures();
    let (micro, rmqr): (Vec<Fixture>, Vec<Fixture>) =
        all.into_iter().partition(|f| f.name.starts_with('m'));
    let pool = if index.is_multiple_of(2) { micro } else { rmqr };
    // A stride coprime with both pool sizes (8 and 64), so neighbouring samples differ.
    pool[(index / 2 * 5) % pool.len()].clone()
}

/// How a single-code sample looks; [`Look::nominal`] is the control.
#[derive(Debug, Clone, Copy)]
struct Look {
    /// Reflectance of light and dark modules (0 black, 1 white) before exposure.
    light: f64,
    dark: f64,
    /// Exposure gain (values over 1 clip).
    gain: f64,
    /// Darkening towards the corners, as a fraction at the far corner.
    vignette: f64,
    /// Sensor noise, standard deviation in full-scale units.
    noise: f64,
    /// Blur, in module widths (Gaussian sigma).
    blur_modules: f64,
    /// Tilt of the code's plane away from the camera, degrees (0 = facing it).
    tilt: f64,
    /// Rotation in the image plane, degrees; `NaN` picks a small random one.
    roll: f64,
    /// Number of bright spots.
    glare: usize,
    /// Fraction of the symbol's area to cover.
    damage: f64,
    /// Error-correction level of the symbol.
    ec: EcLevel,
    /// Quiet zone, modules.
    quiet: f64,
    /// Draw frames and text-like blocks right next to the symbol.
    clutter: bool,
    /// Number of hard-edged shadows across the symbol.
    shadows: usize,
}

impl Look {
    /// Tilt and roll in degrees: the look's own, or for `NaN` a small random one (tilt
    /// 0-15°, roll ±12°), drawn in that order so every set stays the same sample for sample.
    fn pose(&self, rng: &mut Rng) -> (f64, f64) {
        let tilt = if self.tilt.is_nan() {
            rng.range(0.0, 15.0)
        } else {
            self.tilt
        };
        let roll = if self.roll.is_nan() {
            rng.range(-12.0, 12.0)
        } else {
            self.roll
        };
        (tilt, roll)
    }

    fn nominal() -> Look {
        Look {
            light: 0.85,
            dark: 0.08,
            gain: 1.0,
            vignette: 0.1,
            noise: 0.01,
            blur_modules: 0.12,
            tilt: f64::NAN,
            roll: f64::NAN,
            glare: 0,
            damage: 0.0,
            ec: EcLevel::M,
            quiet: 4.0,
            clutter: false,
            shadows: 0,
        }
    }
}

/// Side of the single-code images, pixels: big enough for a version-10 symbol at a few
/// pixels per module, small enough that a test over a whole category stays quick.
const SINGLE_SIDE: usize = 640;

fn single(rng: &mut Rng, expected: &mut Vec<String>, look: Look) -> GrayImage {
    let text = payload(rng, expected.len(), 12, 90);
    let symbol = qr_encode::encode(text.as_bytes(), look.ec).expect("test payloads fit");
    expected.push(text);
    single_of(rng, &symbol, look, 0.45)
}

/// A single-code sample of the Micro QR fixture [`micro_fixture`] picks for `index`.
fn single_micro(rng: &mut Rng, expected: &mut Vec<String>, index: usize, look: Look) -> GrayImage {
    let fixture = micro_fixture(index);
    expected.push(fixture.text.clone());
    // Smaller symbols than QR's: 11 to 17 modules high. Quiet zone as the standards ask.
    let look = Look { quiet: 2.0, ..look };
    single_of(rng, &fixture, look, 0.3)
}

/// `symbol` drawn as `look` says, `min_size` to 0.75 of the frame wide.
fn single_of(
    rng: &mut Rng,
    symbol: &(impl Modules + ?Sized),
    look: Look,
    min_size: f64,
) -> GrayImage {
    let mut canvas = Canvas::new(SINGLE_SIDE, SINGLE_SIDE, rng.range(0.5, 0.75));
    canvas.texture(rng, 0.04);
    let modules = symbol.columns() as f64 + 2.0 * look.quiet;
    let aspect = (symbol.rows() as f64 + 2.0 * look.quiet) / modules;
    let (tilt, roll) = look.pose(rng);
    // Width on the image, before tilt: 45 (`min_size`) to 75 % of the frame.
    let size = rng.range(min_size, 0.75) * SINGLE_SIDE as f64;
    let centre = [
        SINGLE_SIDE as f64 * rng.range(0.45, 0.55),
        SINGLE_SIDE as f64 * rng.range(0.45, 0.55),
    ];
    let quad = camera_rect(
        centre,
        [size, size * aspect],
        tilt,
        rng.range(0.0, 360.0),
        roll,
    );
    if look.clutter {
        clutter(&mut canvas, rng, &quad, look.quiet / modules);
    }
    canvas.draw_symbol(symbol, &quad, look.quiet, look.light, look.dark);
    let module_px = size / modules;
    if look.damage > 0.0 {
        damage(&mut canvas, rng, &quad, look.quiet / modules, look.damage);
    }
    finish(&mut canvas, rng, look, module_px);
    canvas.into_image()
}

/// The photometry every single-code sample goes through, in the order a camera applies it.
fn finish(canvas: &mut Canvas, rng: &mut Rng, look: Look, module_px: f64) {
    for _ in 0..look.glare {
        let side = canvas.w.min(canvas.h) as f64;
        canvas.spot(
            [
                rng.range(0.3, 0.7) * canvas.w as f64,
                rng.range(0.3, 0.7) * canvas.h as f64,
            ],
            rng.range(0.04, 0.12) * side,
            rng.range(0.8, 1.6),
        );
    }
    canvas.blur(look.blur_modules * module_px);
    canvas.expose(look.gain, look.vignette);
    canvas.noise(rng, look.noise);
}

/// A sheet of `cols` × `rows` codes with `module_px` pixels per module, seen slightly tilted,
/// in a frame of `frame` pixels (default: the grid with a margin).
fn sheet(
    rng: &mut Rng,
    expected: &mut Vec<String>,
    cols: usize,
    rows: usize,
    module_px: f64,
    frame: Option<(usize, usize)>,
) -> GrayImage {
    // Versions 2 and 3 at level M (up to 42 bytes): the size of a URL on a label sheet.
    let symbols: Vec<Symbol> = (0..cols * rows)
        .map(|k| {
            let text = payload(rng, k, 14, 40);
            let symbol = qr_encode::encode(text.as_bytes(), EcLevel::M).expect("fits");
            expected.push(text);
            symbol
        })
        .collect();
    let quiet = 4.0;
    let cell = (29.0 + 2.0 * quiet) * module_px;
    let (w, h) = frame.unwrap_or((
        ((cols as f64 + 1.2) * cell) as usize,
        (rows as f64 * cell + 1.2 * cell) as usize,
    ));
    // The grid centred in the frame.
    let (left, top) = (
        (w as f64 - cols as f64 * cell) / 2.0,
        (h as f64 - rows as f64 * cell) / 2.0,
    );
    let mut canvas = Canvas::new(w, h, 0.55);
    canvas.texture(rng, 0.03);
    // The whole sheet shares one view: a small tilt and roll, applied to each cell's corners.
    let view = camera(
        [w as f64 / 2.0, h as f64 / 2.0],
        rng.range(0.0, 12.0),
        rng.range(0.0, 360.0),
        rng.range(-4.0, 4.0),
        w.max(h) as f64,
    );
    for (k, symbol) in symbols.iter().enumerate() {
        let (col, row) = ((k % cols) as f64, (k / cols) as f64);
        // Smaller symbols fill less of their cell, as on a real label sheet.
        let side = (symbol.width() as f64 + 2.0 * quiet) * module_px;
        let x0 = left + col * cell + (cell - side) / 2.0;
        let y0 = top + row * cell + (cell - side) / 2.0;
        let flat = [
            [x0, y0],
            [x0 + side, y0],
            [x0 + side, y0 + side],
            [x0, y0 + side],
        ];
        let quad = flat.map(&view);
        canvas.draw_symbol(symbol, &quad, quiet, 0.88, 0.07);
    }
    canvas.blur(0.2 * module_px);
    canvas.expose(1.0, 0.15);
    canvas.noise(rng, 0.01);
    canvas.into_image()
}

/// A page of three Micro QR, three rMQR and two QR symbols in a 4 × 2 grid of cells, seen
/// slightly tilted, about 6 pixels per module.
fn micro_mixed(rng: &mut Rng, expected: &mut Vec<String>) -> GrayImage {
    let fixtures = micro_fixtures();
    let (micro, rmqr): (Vec<&Fixture>, Vec<&Fixture>) =
        fixtures.iter().partition(|f| f.name.starts_with('m'));
    let module_px = 6.0;
    let (cell_w, cell_h) = (150.0 * module_px / 2.0, 40.0 * module_px);
    let (w, h) = (
        (4.0 * cell_w + 80.0) as usize,
        (2.0 * cell_h + 80.0) as usize,
    );
    let mut canvas = Canvas::new(w, h, 0.55);
    canvas.texture(rng, 0.03);
    let view = camera(
        [w as f64 / 2.0, h as f64 / 2.0],
        rng.range(0.0, 10.0),
        rng.range(0.0, 360.0),
        rng.range(-4.0, 4.0),
        w.max(h) as f64,
    );
    let quiet = 2.0;
    // Which kind each cell holds: QR in two cells, and three of each small kind.
    let kinds = [0, 1, 2, 1, 2, 0, 2, 1];
    for (cell, kind) in kinds.into_iter().enumerate() {
        let qr;
        let (symbol, quiet): (&dyn Modules, f64) = match kind {
            0 => {
                let text = payload(rng, expected.len(), 12, 30);
                qr = qr_encode::encode(text.as_bytes(), EcLevel::M).expect("fits");
                expected.push(text);
                (&qr, 4.0)
            }
            1 => {
                let f = micro[rng.below(micro.len())];
                expected.push(f.text.clone());
                (f, quiet)
            }
            _ => {
                // Up to 77 modules wide, so the symbol fits its cell.
                let fits: Vec<&&Fixture> = rmqr.iter().filter(|f| f.columns <= 77).collect();
                let f = fits[rng.below(fits.len())];
                expected.push(f.text.clone());
                (*f, quiet)
            }
        };
        let (sw, sh) = (
            (symbol.columns() as f64 + 2.0 * quiet) * module_px,
            (symbol.rows() as f64 + 2.0 * quiet) * module_px,
        );
        let (col, row) = ((cell % 4) as f64, (cell / 4) as f64);
        let x0 = 40.0 + col * cell_w + (cell_w - sw) / 2.0;
        let y0 = 40.0 + row * cell_h + (cell_h - sh) / 2.0;
        let quad = [[x0, y0], [x0 + sw, y0], [x0 + sw, y0 + sh], [x0, y0 + sh]].map(&view);
        canvas.draw_symbol(symbol, &quad, quiet, 0.88, 0.07);
    }
    canvas.blur(0.2 * module_px);
    canvas.expose(1.0, 0.15);
    canvas.noise(rng, 0.01);
    canvas.into_image()
}

/// A code on a screen: drawn at whole screen pixels, each pixel lit through its cell with
/// dark gaps between cells, then photographed at 0.8 to 1.6 camera pixels per screen pixel
/// with a small rotation, so the pixel grid beats against the camera's.
fn monitor(rng: &mut Rng, expected: &mut Vec<String>) -> GrayImage {
    let text = payload(rng, 0, 12, 60);
    let symbol = qr_encode::encode(text.as_bytes(), EcLevel::M).expect("fits");
    expected.push(text);
    let screen_module = 3 + rng.below(4); // screen pixels per module
    let quiet = 4;
    let screen_side = (symbol.width() + 2 * quiet) * screen_module + 40;
    let on = rng.range(0.8, 0.95);
    let off = rng.range(0.02, 0.1);
    let lit = |sx: usize, sy: usize| -> f64 {
        let (mx, my) = (
            (sx as i64 - 20) / screen_module as i64 - quiet as i64,
            (sy as i64 - 20) / screen_module as i64 - quiet as i64,
        );
        let w = symbol.width() as i64;
        let dark = sx >= 20
            && sy >= 20
            && (0..w).contains(&mx)
            && (0..w).contains(&my)
            && symbol.is_dark(mx as usize, my as usize);
        if dark { off } else { on }
    };
    let gap = rng.range(0.15, 0.35); // fraction of a screen pixel that is dark grid
    let scale = rng.range(0.8, 1.6); // camera pixels per screen pixel
    let roll = rng.range(-8.0, 8.0).to_radians();
    let side = ((screen_side as f64 * scale) as usize + 60).min(1200);
    let (cos, sin) = (roll.cos(), roll.sin());
    let centre = side as f64 / 2.0;
    let screen_centre = screen_side as f64 / 2.0;
    let mut canvas = Canvas::new(side, side, 0.15);
    // Point-sampled at 2 × 2 per camera pixel: enough to make the beat visible, as a
    // camera's own pixel area does.
    canvas.map_pixels(2, |x, y| {
        let (dx, dy) = ((x - centre) / scale, (y - centre) / scale);
        let sx = cos * dx - sin * dy + screen_centre;
        let sy = sin * dx + cos * dy + screen_centre;
        if sx < 0.0 || sy < 0.0 || sx >= screen_side as f64 || sy >= screen_side as f64 {
            return None;
        }
        let (fx, fy) = (sx.fract(), sy.fract());
        let grid = if fx < gap || fy < gap { 0.25 } else { 1.0 };
        Some(lit(sx as usize, sy as usize) * grid)
    });
    canvas.blur(0.5);
    canvas.expose(rng.range(0.9, 1.3), 0.2);
    canvas.noise(rng, 0.015);
    canvas.into_image()
}

/// A code wrapped round a cylinder whose axis lies in the image plane, across the code: the
/// modules shrink towards the silhouette and the light falls off with the angle.
fn curved(rng: &mut Rng, expected: &mut Vec<String>) -> GrayImage {
    let text = payload(rng, 0, 12, 60);
    let symbol = qr_encode::encode(text.as_bytes(), EcLevel::M).expect("fits");
    expected.push(text);
    let side = SINGLE_SIDE;
    let mut flat = Canvas::new(side, side, 0.8);
    let quiet = 4.0;
    let size = rng.range(0.5, 0.7) * side as f64;
    let c = side as f64 / 2.0;
    let quad = camera_quad([c, c], size, 0.0, 0.0, rng.range(-5.0, 5.0));
    flat.draw_symbol(&symbol, &quad, quiet, 0.85, 0.08);
    // Half the code's width spans `arc` radians of the cylinder: up to 70 degrees.
    let arc = rng.range(35.0, 70.0).to_radians();
    let radius = size / 2.0 / arc;
    let horizontal_axis = rng.below(2) == 0;
    let mut canvas = Canvas::new(side, side, 0.4);
    canvas.map_pixels(2, |x, y| {
        let (along, across) = if horizontal_axis { (x, y) } else { (y, x) };
        let offset = (across - c) / radius;
        if offset.abs() >= 1.0 {
            return None;
        }
        let angle = offset.asin();
        let unrolled = c + radius * angle;
        let (fx, fy) = if horizontal_axis {
            (along, unrolled)
        } else {
            (unrolled, along)
        };
        Some(flat.sample(fx, fy)? * (0.55 + 0.45 * angle.cos()))
    });
    let module_px = size / (symbol.width() as f64 + 2.0 * quiet);
    canvas.blur(0.15 * module_px);
    canvas.noise(rng, 0.01);
    canvas.into_image()
}

/// Covers `fraction` of the symbol (inside its quiet zone) with dark or light blots.
fn damage(canvas: &mut Canvas, rng: &mut Rng, quad: &[[f64; 2]; 4], quiet: f64, fraction: f64) {
    let map = Homography::square_to_quad(quad);
    let inner = 1.0 - 2.0 * quiet;
    let mut covered = 0.0;
    while covered < fraction {
        // A blot is a rectangle in the symbol's own coordinates, up to a quarter of its side.
        let (bw, bh) = (rng.range(0.05, 0.25), rng.range(0.05, 0.25));
        let (u0, v0) = (
            quiet + rng.range(0.0, inner - bw),
            quiet + rng.range(0.0, inner - bh),
        );
        let level = if rng.below(2) == 0 { 0.05 } else { 0.9 };
        let corners = [[u0, v0], [u0 + bw, v0], [u0 + bw, v0 + bh], [u0, v0 + bh]]
            .map(|[u, v]| map.apply(u, v));
        canvas.fill_quad(&corners, level);
        covered += bw * bh / (inner * inner);
    }
}

/// Size of the photo-like categories' frames, 4.9 Mpx: above [`crate::MAX_SCAN_PIXELS`],
/// so the scan takes the path a 12 Mpx phone photo takes (a shrunk view first, full size
/// only where needed), at a generation cost that keeps the tests within seconds.
const PHOTO_SIZE: (usize, usize) = (2560, 1920);

/// One code in a phone-photo frame at `module_px` (a range) pixels per module, tilted,
/// rolled and shadowed as `look` says, then blurred, exposed, noisy and JPEG-compressed as
/// a phone delivers it.
fn photo_single(
    rng: &mut Rng,
    expected: &mut Vec<String>,
    look: Look,
    module_px: (f64, f64),
) -> GrayImage {
    let (w, h) = PHOTO_SIZE;
    let text = payload(rng, 0, 16, 120);
    let symbol = qr_encode::encode(text.as_bytes(), look.ec).expect("test payloads fit");
    expected.push(text);
    let mut canvas = Canvas::new(w, h, rng.range(0.5, 0.75));
    canvas.texture(rng, 0.04);
    let modules = symbol.width() as f64 + 2.0 * look.quiet;
    let size = (rng.range(module_px.0, module_px.1) * modules).min(0.9 * h as f64);
    let centre = [
        w as f64 * rng.range(0.35, 0.65),
        h as f64 * rng.range(0.35, 0.65),
    ];
    let (tilt, roll) = look.pose(rng);
    let quad = camera_quad(centre, size, tilt, rng.range(0.0, 360.0), roll);
    canvas.draw_symbol(&symbol, &quad, look.quiet, look.light, look.dark);
    for _ in 0..look.shadows {
        canvas.shadow(rng, centre, size / 2.0);
    }
    let blur = rng.range(1.0, 1.8);
    finish_photo(&mut canvas, rng, blur);
    jpeg(canvas, rng)
}

/// The codes of [`photo_multi`]: 2.2 to 12 px per module, tilted up to 35°.
const PHOTO_MULTI_ROW: Row = Row {
    max_payload: 80,
    module: (2.2, 12.0),
    height: (0.3, 0.7),
    tilt: 35.0,
    roll: 20.0,
    light: (0.7, 0.9),
    dark: (0.05, 0.15),
    negative: None,
};

/// A phone photo of two or three codes side by side, each at its own size (2.2 to 12
/// pixels per module), tilt and roll, printed with its own contrast.
fn photo_multi(rng: &mut Rng, expected: &mut Vec<String>) -> GrayImage {
    let (w, h) = PHOTO_SIZE;
    let mut canvas = Canvas::new(w, h, rng.range(0.45, 0.7));
    canvas.texture(rng, 0.05);
    let count = 2 + rng.below(2);
    codes_in_a_row(&mut canvas, rng, expected, count, PHOTO_MULTI_ROW);
    let blur = rng.range(1.0, 2.0);
    finish_photo(&mut canvas, rng, blur);
    jpeg(canvas, rng)
}

/// How [`codes_in_a_row`] draws its codes (ranges are drawn per code).
struct Row {
    /// Longest payload, bytes (level M).
    max_payload: usize,
    /// Pixels per module.
    module: (f64, f64),
    /// Where the centre lies, as a fraction of the frame's height.
    height: (f64, f64),
    /// Largest tilt and roll, degrees.
    tilt: f64,
    roll: f64,
    /// Reflectance of the light and the dark modules.
    light: (f64, f64),
    dark: (f64, f64),
    /// The code printed light on dark, if any.
    negative: Option<usize>,
}

/// `count` codes side by side across `canvas`, one to a slot, each at its own size, pose
/// and contrast, as `row` says.
fn codes_in_a_row(
    canvas: &mut Canvas,
    rng: &mut Rng,
    expected: &mut Vec<String>,
    count: usize,
    row: Row,
) {
    let (w, h) = (canvas.w as f64, canvas.h as f64);
    let slot = w / count as f64;
    for k in 0..count {
        let text = payload(rng, k, 12, row.max_payload);
        let symbol = qr_encode::encode(text.as_bytes(), EcLevel::M).expect("test payloads fit");
        expected.push(text);
        let module = rng.range(row.module.0, row.module.1);
        let size = ((symbol.width() as f64 + 8.0) * module)
            .min(0.85 * slot)
            .min(0.8 * h);
        let centre = [
            slot * (k as f64 + 0.5),
            h * rng.range(row.height.0, row.height.1),
        ];
        let quad = camera_quad(
            centre,
            size,
            rng.range(0.0, row.tilt),
            rng.range(0.0, 360.0),
            rng.range(-row.roll, row.roll),
        );
        let (light, dark) = (
            rng.range(row.light.0, row.light.1),
            rng.range(row.dark.0, row.dark.1),
        );
        if row.negative == Some(k) {
            canvas.draw_symbol(&symbol, &quad, 4.0, dark, light);
        } else {
            canvas.draw_symbol(&symbol, &quad, 4.0, light, dark);
        }
    }
}

/// Size of the screen photos, 2.4 Mpx: below [`crate::MAX_SCAN_PIXELS`], as a photo
/// resized for upload arrives, so the first view sees the screen's grid at full size (a
/// 12 Mpx photo is shrunk first, and the shrinking hides much of the grid).
const SCREEN_PHOTO_SIZE: (usize, usize) = (1800, 1350);

/// A code on a screen, photographed: every screen pixel is three vertical sub-pixel stripes
/// (red, green, blue, seen in grey as three brightnesses) with a dark line between pixel
/// rows; the screen, overfilling the frame, is seen through a tilted pinhole view at 1.4 to
/// 3.6 camera pixels per screen pixel (a phone held close to a laptop), point-sampled as a sensor without
/// an anti-aliasing filter does, so the two grids beat into moiré, and beat again in any
/// shrunk copy; then lens blur, exposure, sensor noise, gamma and JPEG.
fn monitor_moire(rng: &mut Rng, expected: &mut Vec<String>) -> GrayImage {
    let text = payload(rng, 0, 12, 70);
    let symbol = qr_encode::encode(text.as_bytes(), EcLevel::M).expect("test payloads fit");
    expected.push(text);
    let screen_module = 3 + rng.below(6); // screen pixels per module
    let quiet = 4;
    let width = symbol.width() as i64;
    let code_side = ((symbol.width() + 2 * quiet) * screen_module) as f64;
    let (w, h) = SCREEN_PHOTO_SIZE;
    // Camera pixels per screen pixel, less where the code would not fit the frame.
    let scale = rng.range(1.4, 3.6).min(0.85 * h as f64 / code_side);
    // The screen overfills the frame (a phone held close to a laptop), so its pixel grid
    // is everywhere in the photo, the code in the middle of a white page.
    let (screen_w, screen_h) = (1.3 * w as f64 / scale, 1.3 * h as f64 / scale);
    let origin = [(screen_w - code_side) / 2.0, (screen_h - code_side) / 2.0];
    let (on, off) = (rng.range(0.7, 1.0), rng.range(0.01, 0.06));
    let lit = |sx: f64, sy: f64| -> f64 {
        let module =
            |s: f64, o: f64| ((s - o) / screen_module as f64).floor() as i64 - quiet as i64;
        let (mx, my) = (module(sx, origin[0]), module(sy, origin[1]));
        let dark = (0..width).contains(&mx)
            && (0..width).contains(&my)
            && symbol.is_dark(mx as usize, my as usize);
        if dark { off } else { on }
    };
    // A white pixel's three stripes in a grey photo: green brightest, blue darkest (mean 1).
    const STRIPES: [f64; 3] = [0.9, 1.7, 0.4];
    let row_gap = rng.range(0.1, 0.25);
    let quad = camera_rect(
        [w as f64 / 2.0, h as f64 / 2.0],
        [screen_w * scale, screen_h * scale],
        rng.range(0.0, 30.0),
        rng.range(0.0, 360.0),
        rng.range(-10.0, 10.0),
    );
    let back = Homography::square_to_quad(&quad).inverse();
    let mut canvas = Canvas::new(w, h, 0.03);
    canvas.map_pixels(2, |x, y| {
        let [u, v] = back.apply(x, y);
        if !(0.0..1.0).contains(&u) || !(0.0..1.0).contains(&v) {
            return None;
        }
        let (sx, sy) = (u * screen_w, v * screen_h);
        if sy.fract() < row_gap {
            return Some(0.02);
        }
        Some(lit(sx, sy) * STRIPES[(sx.fract() * 3.0) as usize])
    });
    canvas.blur(rng.range(0.5, 1.0));
    canvas.expose(rng.range(0.6, 0.9), 0.2);
    canvas.noise(rng, 0.015);
    jpeg(canvas, rng)
}

/// Exposure far off, with light falling off across the frame: even samples dark (0.2 to
/// 1.2 percent of full exposure, with shot noise), odd ones bright (blacks lifted by stray
/// light, then a gain that clips the paper); JPEG-compressed after.
fn brightness(rng: &mut Rng, expected: &mut Vec<String>, index: usize) -> GrayImage {
    let (w, h) = PHOTO_SIZE;
    let text = payload(rng, 0, 16, 90);
    let symbol = qr_encode::encode(text.as_bytes(), EcLevel::M).expect("test payloads fit");
    expected.push(text);
    let mut canvas = Canvas::new(w, h, rng.range(0.5, 0.75));
    canvas.texture(rng, 0.04);
    let size = (rng.range(5.0, 14.0) * (symbol.width() as f64 + 8.0)).min(0.9 * h as f64);
    let centre = [
        w as f64 * rng.range(0.35, 0.65),
        h as f64 * rng.range(0.35, 0.65),
    ];
    let quad = camera_quad(
        centre,
        size,
        rng.range(0.0, 20.0),
        rng.range(0.0, 360.0),
        rng.range(-15.0, 15.0),
    );
    canvas.draw_symbol(&symbol, &quad, 4.0, 0.85, 0.08);
    let fall = rng.range(0.3, 0.8);
    canvas.gradient(rng, fall);
    canvas.blur(1.4);
    if index.is_multiple_of(2) {
        let gain = rng.range(0.002, 0.012);
        canvas.expose(gain, 0.3);
        canvas.shot_noise(rng, 0.0004, 0.0015);
    } else {
        let lift = rng.range(0.15, 0.35);
        for p in &mut canvas.px {
            *p = lift + (1.0 - lift) * *p;
        }
        let gain = rng.range(1.5, 2.6);
        canvas.expose(gain, 0.2);
        canvas.noise(rng, 0.01);
    }
    jpeg(canvas, rng)
}

/// A code with a design the standard does not allow: round dots for modules (two samples
/// in three), a logo over the centre within what error correction repairs (levels Q and
/// H), a quiet zone of half a module to two, and frames and text beside it.
fn noncompliant_design(rng: &mut Rng, expected: &mut Vec<String>) -> GrayImage {
    let text = payload(rng, 0, 12, 60);
    let ec = if rng.below(2) == 0 {
        EcLevel::H
    } else {
        EcLevel::Q
    };
    let symbol = qr_encode::encode(text.as_bytes(), ec).expect("test payloads fit");
    expected.push(text);
    let width = symbol.width();
    let quiet = rng.range(0.5, 2.0);
    // Dot diameter in modules; 1 draws square modules.
    let dot = if rng.below(3) > 0 {
        rng.range(0.4, 0.8)
    } else {
        1.0
    };
    // The logo covers this share of the symbol's area, under what the level repairs.
    let logo_area = rng.range(0.05, if ec == EcLevel::H { 0.14 } else { 0.09 });
    let logo_half = logo_area.sqrt() * width as f64 / 2.0;
    let mid = width as f64 / 2.0;
    let mut canvas = Canvas::new(SINGLE_SIDE, SINGLE_SIDE, rng.range(0.5, 0.75));
    canvas.texture(rng, 0.04);
    let span = width as f64 + 2.0 * quiet;
    let size = rng.range(0.3, 0.6) * SINGLE_SIDE as f64;
    let c = SINGLE_SIDE as f64 / 2.0;
    let quad = camera_quad(
        [c + rng.range(-20.0, 20.0), c + rng.range(-20.0, 20.0)],
        size,
        rng.range(0.0, 20.0),
        rng.range(0.0, 360.0),
        rng.range(-12.0, 12.0),
    );
    clutter(&mut canvas, rng, &quad, quiet / span);
    let finder = |x: usize, y: usize| (x < 7 || x >= width - 7) && y < 7 || x < 7 && y >= width - 7;
    canvas.draw_in_quad(&quad, |u, v| {
        let (mx, my) = (u * span - quiet, v * span - quiet);
        if mx < 0.0 || my < 0.0 || mx >= width as f64 || my >= width as f64 {
            return 0.85;
        }
        let (dx, dy) = (mx - mid, my - mid);
        if dx.abs() < logo_half && dy.abs() < logo_half {
            // A ring on a light square.
            let r = (dx * dx + dy * dy).sqrt() / logo_half;
            return if (0.4..0.8).contains(&r) { 0.1 } else { 0.85 };
        }
        let (x, y) = (mx as usize, my as usize);
        if !symbol.is_dark(x, y) {
            return 0.85;
        }
        let (fx, fy) = (mx.fract() - 0.5, my.fract() - 0.5);
        if finder(x, y) || dot >= 1.0 || (fx * fx + fy * fy).sqrt() < dot / 2.0 {
            0.08
        } else {
            0.85
        }
    });
    let module_px = size / span;
    let look = Look {
        blur_modules: rng.range(0.1, 0.35),
        ..Look::nominal()
    };
    finish(&mut canvas, rng, look, module_px);
    jpeg(canvas, rng)
}

/// The codes of [`mixed_polarity`]: 4 to 8 px per module, tilted up to 20°.
const MIXED_POLARITY_ROW: Row = Row {
    max_payload: 50,
    module: (4.0, 8.0),
    height: (0.4, 0.6),
    tilt: 20.0,
    roll: 10.0,
    light: (0.75, 0.9),
    dark: (0.05, 0.12),
    negative: None,
};

/// Two or three codes side by side in a 1280 × 960 photo, 4 to 8 pixels per module, mildly
/// tilted; one of them (at a random place) light on dark.
fn mixed_polarity(rng: &mut Rng, expected: &mut Vec<String>) -> GrayImage {
    let (w, h) = (1280, 960);
    let mut canvas = Canvas::new(w, h, rng.range(0.45, 0.7));
    canvas.texture(rng, 0.04);
    let count = 2 + rng.below(2);
    let negative = rng.below(count);
    let row = Row {
        negative: Some(negative),
        ..MIXED_POLARITY_ROW
    };
    codes_in_a_row(&mut canvas, rng, expected, count, row);
    let blur = rng.range(0.6, 1.2);
    finish_photo(&mut canvas, rng, blur);
    jpeg(canvas, rng)
}

/// Blur of `blur_px` pixels, an exposure a little off with vignetting, and sensor noise:
/// what a phone camera adds to every photo-like sample.
fn finish_photo(canvas: &mut Canvas, rng: &mut Rng, blur_px: f64) {
    canvas.blur(blur_px);
    canvas.expose(rng.range(0.85, 1.15), 0.3);
    canvas.noise(rng, 0.012);
}

/// The canvas as a phone saves it: gamma-encoded, 8 bits, then JPEG at quality 60 to 90
/// (blocks and ringing at module edges), decoded back.
fn jpeg(canvas: Canvas, rng: &mut Rng) -> GrayImage {
    let quality = 60 + rng.below(31) as u8;
    jpeg_at(canvas, quality)
}

/// The canvas gamma-encoded, 8 bits, through JPEG at `quality` and back.
fn jpeg_at(canvas: Canvas, quality: u8) -> GrayImage {
    let image = canvas.into_image();
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(&image)
        .expect("encoding to memory cannot fail");
    image::load_from_memory(&bytes)
        .expect("our own JPEG decodes")
        .to_luma8()
}

/// Dark frames and text-like blocks right outside the (narrow) quiet zone.
fn clutter(canvas: &mut Canvas, rng: &mut Rng, quad: &[[f64; 2]; 4], quiet: f64) {
    let map = Homography::square_to_quad(quad);
    // A frame line one module wide just outside the quiet zone, on two to four sides.
    let module = (1.0 - 2.0 * quiet) / 25.0;
    let edges: [[[f64; 2]; 2]; 4] = [
        [[-module, -module], [1.0 + module, 0.0]],
        [[1.0, -module], [1.0 + module, 1.0 + module]],
        [[-module, 1.0], [1.0 + module, 1.0 + module]],
        [[-module, -module], [0.0, 1.0 + module]],
    ];
    let sides = 2 + rng.below(3);
    for &[[u0, v0], [u1, v1]] in edges.iter().take(sides) {
        let corners = [[u0, v0], [u1, v0], [u1, v1], [u0, v1]].map(|[u, v]| map.apply(u, v));
        canvas.fill_quad(&corners, 0.1);
    }
    // Words of "text" below the code.
    let mut u = 0.0;
    while u < 1.0 {
        let len = rng.range(0.04, 0.15);
        let v = 1.0 + 3.0 * module;
        let corners = [
            [u, v],
            [u + len, v],
            [u + len, v + 2.0 * module],
            [u, v + 2.0 * module],
        ]
        .map(|[u, v]| map.apply(u, v));
        canvas.fill_quad(&corners, 0.15);
        u += len + rng.range(0.02, 0.05);
    }
}

/// A distinct, plausible payload of `min` to `max` bytes: a URL with a random path.
fn payload(rng: &mut Rng, k: usize, min: usize, max: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut text = format!("https://qr.example/{k}/");
    let len = min + rng.below(max - min + 1);
    while text.len() < len {
        text.push(char::from(ALPHABET[rng.below(ALPHABET.len())]));
    }
    text
}

/// Corners (top-left, top-right, bottom-right, bottom-left) of a square of side `size`
/// centred on `centre`, after tilting its plane by `tilt` degrees about an axis at
/// `axis` degrees, rolling it by `roll` degrees and projecting it with a camera at a
/// distance of 1.5 sides (strong perspective when tilted).
fn camera_quad(centre: [f64; 2], size: f64, tilt: f64, axis: f64, roll: f64) -> [[f64; 2]; 4] {
    camera_rect(centre, [size, size], tilt, axis, roll)
}

/// [`camera_quad`] for a rectangle `[width, height]` (an rMQR symbol), the camera at 1.5
/// widths.
fn camera_rect(
    centre: [f64; 2],
    [width, height]: [f64; 2],
    tilt: f64,
    axis: f64,
    roll: f64,
) -> [[f64; 2]; 4] {
    let (w, h) = (width / 2.0, height / 2.0);
    let view = camera(centre, tilt, axis, roll, 1.5 * width);
    [
        [centre[0] - w, centre[1] - h],
        [centre[0] + w, centre[1] - h],
        [centre[0] + w, centre[1] + h],
        [centre[0] - w, centre[1] + h],
    ]
    .map(view)
}

/// A pinhole view of the image plane: points are rotated about `centre` by `roll`, then the
/// plane is tilted by `tilt` about an axis through `centre` at angle `axis`, and projected
/// from `distance` pixels so that the centre keeps its place and scale.
fn camera(
    centre: [f64; 2],
    tilt: f64,
    axis: f64,
    roll: f64,
    distance: f64,
) -> impl Fn([f64; 2]) -> [f64; 2] {
    let (rs, rc) = roll.to_radians().sin_cos();
    let (ts, tc) = tilt.to_radians().sin_cos();
    let (as_, ac) = axis.to_radians().sin_cos();
    move |[x, y]| {
        let (dx, dy) = (x - centre[0], y - centre[1]);
        let (x1, y1) = (rc * dx - rs * dy, rs * dx + rc * dy);
        // Into axis coordinates: `a` along the tilt axis, `b` across it.
        let (a, b) = (ac * x1 + as_ * y1, -as_ * x1 + ac * y1);
        let (b3, z3) = (b * tc, b * ts);
        let k = distance / (distance + z3);
        let (a2, b2) = (a * k, b3 * k);
        [
            centre[0] + ac * a2 - as_ * b2,
            centre[1] + as_ * a2 + ac * b2,
        ]
    }
}

/// A projective map of the unit square onto a quadrilateral, and back.
#[derive(Debug, Clone, Copy)]
struct Homography([f64; 9]);

impl Homography {
    /// Maps (0,0), (1,0), (1,1), (0,1) to the quad's corners in order (Heckbert's closed form).
    fn square_to_quad(q: &[[f64; 2]; 4]) -> Homography {
        let [[x0, y0], [x1, y1], [x2, y2], [x3, y3]] = *q;
        let (dx1, dx2, dx3) = (x1 - x2, x3 - x2, x0 - x1 + x2 - x3);
        let (dy1, dy2, dy3) = (y1 - y2, y3 - y2, y0 - y1 + y2 - y3);
        let den = dx1 * dy2 - dx2 * dy1;
        let g = (dx3 * dy2 - dx2 * dy3) / den;
        let h = (dx1 * dy3 - dx3 * dy1) / den;
        Homography([
            x1 - x0 + g * x1,
            x3 - x0 + h * x3,
            x0,
            y1 - y0 + g * y1,
            y3 - y0 + h * y3,
            y0,
            g,
            h,
            1.0,
        ])
    }

    /// The inverse map (the adjugate; scale does not matter for a homography).
    fn inverse(&self) -> Homography {
        let [a, b, c, d, e, f, g, h, i] = self.0;
        Homography([
            e * i - f * h,
            c * h - b * i,
            b * f - c * e,
            f * g - d * i,
            a * i - c * g,
            c * d - a * f,
            d * h - e * g,
            b * g - a * h,
            a * e - b * d,
        ])
    }

    fn apply(&self, x: f64, y: f64) -> [f64; 2] {
        let [a, b, c, d, e, f, g, h, i] = self.0;
        let w = g * x + h * y + i;
        [(a * x + b * y + c) / w, (d * x + e * y + f) / w]
    }
}

/// A greyscale frame in linear units (0 black, 1 white) while a sample is being made.
#[derive(Debug, Clone)]
struct Canvas {
    w: usize,
    h: usize,
    px: Vec<f64>,
}

impl Canvas {
    fn new(w: usize, h: usize, level: f64) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![level; w * h],
        }
    }

    /// Low-frequency unevenness of the background (paper, table), amplitude `amount`.
    fn texture(&mut self, rng: &mut Rng, amount: f64) {
        let (fx, fy, phase) = (
            rng.range(2.0, 6.0) / self.w as f64,
            rng.range(2.0, 6.0) / self.h as f64,
            rng.range(0.0, 6.3),
        );
        for y in 0..self.h {
            for x in 0..self.w {
                let t = (x as f64 * fx * TAU + phase).sin() * (y as f64 * fy * TAU).cos();
                self.px[y * self.w + x] += amount * t;
            }
        }
    }

    /// Sets every pixel for which `f` (given the pixel's sample points, `ss` × `ss` per
    /// pixel) returns a value to the mean of those values; points where it returns `None`
    /// count as the current pixel value.
    fn map_pixels(&mut self, ss: usize, f: impl Fn(f64, f64) -> Option<f64>) {
        for y in 0..self.h {
            for x in 0..self.w {
                let mut sum = 0.0;
                let mut any = false;
                for j in 0..ss {
                    for i in 0..ss {
                        let sx = x as f64 + (i as f64 + 0.5) / ss as f64;
                        let sy = y as f64 + (j as f64 + 0.5) / ss as f64;
                        match f(sx, sy) {
                            Some(v) => {
                                sum += v;
                                any = true;
                            }
                            None => sum += self.px[y * self.w + x],
                        }
                    }
                }
                if any {
                    self.px[y * self.w + x] = sum / (ss * ss) as f64;
                }
            }
        }
    }

    /// Bilinear sample at pixel coordinates (pixel centres at +0.5).
    fn sample(&self, x: f64, y: f64) -> Option<f64> {
        let (x, y) = (x - 0.5, y - 0.5);
        if x < 0.0 || y < 0.0 || x >= (self.w - 1) as f64 || y >= (self.h - 1) as f64 {
            return None;
        }
        let (x0, y0) = (x as usize, y as usize);
        let (fx, fy) = (x - x0 as f64, y - y0 as f64);
        let p = |xx: usize, yy: usize| self.px[yy * self.w + xx];
        let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
        let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
        Some(top * (1.0 - fy) + bottom * fy)
    }

    /// Runs `f(u, v)` for the sample points that fall inside `quad`, where (u, v) are the
    /// point's coordinates in the unit square mapped onto the quad; `f`'s value replaces
    /// the point's, so edges are anti-aliased (3 × 3 samples per pixel).
    fn draw_in_quad(&mut self, quad: &[[f64; 2]; 4], f: impl Fn(f64, f64) -> f64) {
        let back = Homography::square_to_quad(quad).inverse();
        let xs = quad.map(|p| p[0]);
        let ys = quad.map(|p| p[1]);
        let lo = |v: [f64; 4]| {
            v.iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
                .floor()
                .max(0.0) as usize
        };
        let hi = |v: [f64; 4], max: usize| {
            (v.iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
                .ceil()
                .max(0.0) as usize)
                .min(max)
        };
        const SS: usize = 3;
        for y in lo(ys)..hi(ys, self.h) {
            for x in lo(xs)..hi(xs, self.w) {
                let old = self.px[y * self.w + x];
                let mut sum = 0.0;
                for j in 0..SS {
                    for i in 0..SS {
                        let sx = x as f64 + (i as f64 + 0.5) / SS as f64;
                        let sy = y as f64 + (j as f64 + 0.5) / SS as f64;
                        let [u, v] = back.apply(sx, sy);
                        sum += if (0.0..1.0).contains(&u) && (0.0..1.0).contains(&v) {
                            f(u, v)
                        } else {
                            old
                        };
                    }
                }
                self.px[y * self.w + x] = sum / (SS * SS) as f64;
            }
        }
    }

    /// Draws `symbol` with `quiet` modules of quiet zone onto `quad` (which covers the
    /// symbol and its quiet zone).
    fn draw_symbol(
        &mut self,
        symbol: &(impl Modules + ?Sized),
        quad: &[[f64; 2]; 4],
        quiet: f64,
        light: f64,
        dark: f64,
    ) {
        let (w, h) = (symbol.columns() as f64, symbol.rows() as f64);
        let (span_x, span_y) = (w + 2.0 * quiet, h + 2.0 * quiet);
        self.draw_in_quad(quad, |u, v| {
            let (mx, my) = (u * span_x - quiet, v * span_y - quiet);
            let inside = mx >= 0.0 && my >= 0.0 && mx < w && my < h;
            if inside && symbol.dark(mx as usize, my as usize) {
                dark
            } else {
                light
            }
        });
    }

    fn fill_quad(&mut self, quad: &[[f64; 2]; 4], level: f64) {
        self.draw_in_quad(quad, |_, _| level);
    }

    /// Adds a bright Gaussian spot of peak `strength` and radius `sigma`.
    fn spot(&mut self, centre: [f64; 2], sigma: f64, strength: f64) {
        for y in 0..self.h {
            for x in 0..self.w {
                let (dx, dy) = (x as f64 - centre[0], y as f64 - centre[1]);
                let r2 = (dx * dx + dy * dy) / (2.0 * sigma * sigma);
                if r2 < 12.0 {
                    self.px[y * self.w + x] += strength * (-r2).exp();
                }
            }
        }
    }

    /// Gaussian blur of standard deviation `sigma` pixels (separable, edges clamped).
    fn blur(&mut self, sigma: f64) {
        if sigma < 0.2 {
            return;
        }
        let radius = (3.0 * sigma).ceil() as i64;
        let kernel: Vec<f64> = (-radius..=radius)
            .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp())
            .collect();
        let total: f64 = kernel.iter().sum();
        let kernel: Vec<f64> = kernel.iter().map(|k| k / total).collect();
        let (w, h) = (self.w as i64, self.h as i64);
        let mut tmp = vec![0.0; self.px.len()];
        for y in 0..h {
            for x in 0..w {
                tmp[(y * w + x) as usize] = kernel
                    .iter()
                    .enumerate()
                    .map(|(k, kv)| {
                        kv * self.px[(y * w + (x + k as i64 - radius).clamp(0, w - 1)) as usize]
                    })
                    .sum();
            }
        }
        for y in 0..h {
            for x in 0..w {
                self.px[(y * w + x) as usize] = kernel
                    .iter()
                    .enumerate()
                    .map(|(k, kv)| {
                        kv * tmp[((y + k as i64 - radius).clamp(0, h - 1) * w + x) as usize]
                    })
                    .sum();
            }
        }
    }

    /// A hard-edged shadow: light falls to a fifth to a half on one side of a straight edge
    /// passing within `reach` of `centre` (in one case out of two, only where a second edge
    /// at 70 to 115 degrees to the first also shades: the corner of an object's shadow);
    /// the edges are soft over half a pixel to three.
    fn shadow(&mut self, rng: &mut Rng, centre: [f64; 2], reach: f64) {
        let depth = rng.range(0.2, 0.5);
        let p = [
            centre[0] + rng.range(-0.5, 0.5) * reach,
            centre[1] + rng.range(-0.5, 0.5) * reach,
        ];
        let first = rng.range(0.0, TAU);
        let second = first + rng.range(1.2, 2.0);
        let corner = rng.below(2) == 0;
        let soft = rng.range(0.5, 3.0);
        let side = |angle: f64, x: f64, y: f64| {
            let d = (x - p[0]) * angle.cos() + (y - p[1]) * angle.sin();
            (0.5 + d / soft).clamp(0.0, 1.0)
        };
        for y in 0..self.h {
            for x in 0..self.w {
                let (fx, fy) = (x as f64 + 0.5, y as f64 + 0.5);
                let mut t = side(first, fx, fy);
                if corner {
                    t *= side(second, fx, fy);
                }
                self.px[y * self.w + x] *= 1.0 - (1.0 - depth) * t;
            }
        }
    }

    /// Light falling off linearly across the frame in a random direction, from full to
    /// `fall` of it.
    fn gradient(&mut self, rng: &mut Rng, fall: f64) {
        let (s, c) = rng.range(0.0, TAU).sin_cos();
        let extent = (self.w as f64 * c.abs() + self.h as f64 * s.abs()).max(1.0);
        let (cx, cy) = (self.w as f64 / 2.0, self.h as f64 / 2.0);
        for y in 0..self.h {
            for x in 0..self.w {
                let t = 0.5 + ((x as f64 - cx) * c + (y as f64 - cy) * s) / extent;
                self.px[y * self.w + x] *= 1.0 - (1.0 - fall) * t.clamp(0.0, 1.0);
            }
        }
    }

    /// Sensor noise that grows with the light: photon shot noise (variance `shot` times
    /// the level) and read noise of standard deviation `read`, both in full-scale units.
    fn shot_noise(&mut self, rng: &mut Rng, shot: f64, read: f64) {
        for p in &mut self.px {
            let sigma = (read * read + shot * p.max(0.0)).sqrt();
            *p += sigma * rng.gaussian();
        }
    }

    /// Exposure `gain` with darkening `vignette` towards the corners.
    fn expose(&mut self, gain: f64, vignette: f64) {
        let (cx, cy) = (self.w as f64 / 2.0, self.h as f64 / 2.0);
        let r_max2 = cx * cx + cy * cy;
        for y in 0..self.h {
            for x in 0..self.w {
                let (dx, dy) = (x as f64 - cx, y as f64 - cy);
                let fall = 1.0 - vignette * (dx * dx + dy * dy) / r_max2;
                self.px[y * self.w + x] *= gain * fall;
            }
        }
    }

    /// Adds Gaussian sensor noise of standard deviation `sigma`.
    fn noise(&mut self, rng: &mut Rng, sigma: f64) {
        for p in &mut self.px {
            *p += sigma * rng.gaussian();
        }
    }

    /// Gamma-encodes (as a camera writes sRGB) and quantises to 8 bits, clipping.
    fn into_image(self) -> GrayImage {
        let px = self
            .px
            .iter()
            .map(|&v| (v.clamp(0.0, 1.0).powf(1.0 / 2.2) * 255.0).round() as u8)
            .collect();
        GrayImage::from_raw(self.w as u32, self.h as u32, px).expect("sized to match")
    }
}

/// SplitMix64: a small, fast generator whose stream depends only on the seed, so samples
/// are the same everywhere (no dependency on a random crate's version).
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(name: &str, index: usize) -> Rng {
        // FNV-1a of the name, mixed with the index.
        let mut seed = 0xcbf2_9ce4_8422_2325u64;
        for b in name.bytes() {
            seed = (seed ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        Rng(seed ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    /// Standard normal (Box-Muller).
    fn gaussian(&mut self) -> f64 {
        let u = self.unit().max(1e-12);
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (TAU * v).cos()
    }
}
