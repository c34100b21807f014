//! Randomised photo-like samples for a differential search against another decoder.
//!
//! The fixed sets of [`super`] each vary one thing; real phone photos vary everything at
//! once, and the causes of the gaps to zxing-cpp that a benchmark of real photos showed are
//! in the combinations. [`sample`] draws every condition independently per seed (frame size,
//! codes and their versions, levels, module sizes, poses, curvature, print contrast, clutter,
//! light, blur, noise, exposure, JPEG), so a few thousand seeds cover the space broadly;
//! `qr-scan-bench --differential` runs qr-scan and zxing-cpp on them and lists, per condition
//! bucket, the codes only one of them reads.
//!
//! Like the fixed sets, a sample is a pure function of its seed: tune on one range of seeds,
//! report on another that was never looked at.

use std::f64::consts::{FRAC_PI_2, TAU};

use image::GrayImage;
use qr_encode::{EcLevel, Symbol};

use super::{Canvas, Homography, Rng, camera_quad, jpeg_at};

/// One code of a random sample: its text and the condition buckets it falls in.
#[derive(Debug, Clone)]
pub struct RandomCode {
    /// The text it holds (distinct within the sample).
    pub text: String,
    /// The buckets ([`BUCKETS`]) of the conditions it was drawn under; `nominal` when none.
    pub buckets: Vec<&'static str>,
    /// What was drawn for it, one line, for reading a failure.
    pub description: String,
    /// The symbol's corners in image pixels (its quiet zone left out): top-left, top-right,
    /// bottom-right, bottom-left as the symbol is drawn. A benchmark of labelled photos counts
    /// a code as read when a returned code's centre lies inside these, so the differential
    /// checks the corners qr-scan returns against them. On a curved code the edges between
    /// them are still straight in the frame: the cylinder only bends the modules along one
    /// axis.
    pub corners: [[f64; 2]; 4],
}

/// A random photo-like image and the codes in it.
#[derive(Debug, Clone)]
pub struct RandomSample {
    /// The seed it is a pure function of.
    pub seed: u64,
    /// The image.
    pub image: GrayImage,
    /// The codes drawn in it.
    pub codes: Vec<RandomCode>,
    /// What was drawn for the whole frame, one line.
    pub description: String,
}

/// Changes whenever [`sample`] draws different pixels for a seed, so that tools caching
/// samples on disk (`qr-scan-bench --differential`) do not reuse stale ones.
pub const GENERATOR_VERSION: u32 = 1;

/// Every bucket a code can fall in, in report order. A code is in every bucket whose
/// condition it was drawn under (they are independent), or in `nominal` alone.
pub const BUCKETS: [&str; 27] = [
    "nominal",
    "tiny-modules",
    "small-modules",
    "high-version",
    "tilt-25-45",
    "perspective",
    "rotations",
    "curved",
    "defocus",
    "motion",
    "noisy",
    "jpeg-low",
    "dark",
    "bright",
    "uneven-light",
    "shadows",
    "glare",
    "low-contrast",
    "colour-print",
    "clutter",
    "small-quiet",
    "inverted",
    "design",
    "many-codes",
    "big-frame",
    "small-frame",
    "level-l",
];

/// Frame sizes (landscape; a third are turned to portrait) and their weights: mostly what
/// phones save or upload, from 0.1 to 12 Mpx.
const FRAMES: [((usize, usize), usize); 8] = [
    ((400, 300), 5),
    ((640, 480), 12),
    ((1024, 768), 18),
    ((1280, 960), 15),
    ((1600, 1200), 18),
    ((2048, 1536), 14),
    ((2560, 1920), 10),
    ((4032, 3024), 8),
];

/// Bytes a byte-mode payload of versions 1 to 15 holds at levels L, M, Q, H (ISO/IEC
/// 18004 table 7): a payload is drawn between two neighbours, so versions come out even.
const BYTE_CAPACITY: [[usize; 15]; 4] = [
    [
        17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520,
    ],
    [
        14, 26, 42, 62, 84, 106, 122, 152, 180, 213, 251, 287, 331, 362, 412,
    ],
    [
        11, 20, 32, 46, 60, 74, 86, 108, 130, 151, 177, 203, 241, 258, 292,
    ],
    [
        7, 14, 24, 34, 44, 58, 64, 84, 98, 119, 137, 155, 177, 194, 220,
    ],
];

/// The random sample of `seed`: the same pixels on every machine and every run.
pub fn sample(seed: u64) -> RandomSample {
    let mut rng = Rng::new("random", seed as usize);
    // The frame.
    let total: usize = FRAMES.iter().map(|f| f.1).sum();
    let mut pick = rng.below(total);
    let (mut w, mut h) = FRAMES
        .iter()
        .find(|f| {
            let hit = pick < f.1;
            pick = pick.saturating_sub(f.1);
            hit
        })
        .map_or((1024, 768), |f| f.0);
    if rng.below(3) == 0 {
        (w, h) = (h, w);
    }
    let mut frame_buckets = Vec::new();
    if w * h >= 8_000_000 {
        frame_buckets.push("big-frame");
    }
    if w * h < 500_000 {
        frame_buckets.push("small-frame");
    }
    let mut canvas = Canvas::new(w, h, rng.range(0.3, 0.8));
    let texture = rng.range(0.0, 0.08);
    canvas.texture(&mut rng, texture);
    let clutter = rng.below(10) < 4;
    if clutter {
        scatter_clutter(&mut canvas, &mut rng);
        frame_buckets.push("clutter");
    }
    // The codes: mostly one, sometimes a few, now and then a sheet.
    let count = match rng.below(20) {
        0..15 => 1,
        15..19 => 2 + rng.below(3),
        _ => 5 + rng.below(8),
    };
    if count > 1 {
        frame_buckets.push("many-codes");
    }
    let cols = ((count as f64 * w as f64 / h as f64).sqrt().round() as usize).clamp(1, count);
    let rows = count.div_ceil(cols);
    let (cell_w, cell_h) = (w as f64 / cols as f64, h as f64 / rows as f64);
    let mut codes = Vec::new();
    let mut centres = Vec::new();
    for k in 0..count {
        let (col, row) = ((k % cols) as f64, (k / cols) as f64);
        let limit = 0.85 * cell_w.min(cell_h);
        let centre = [
            cell_w * (col + 0.5 + rng.range(-0.15, 0.15)),
            cell_h * (row + 0.5 + rng.range(-0.15, 0.15)),
        ];
        let (code, module, size) = draw_code(&mut canvas, &mut rng, k, centre, limit);
        centres.push((centre, size));
        codes.push((code, module));
    }
    // Light on the scene: uneven, shadows, glare.
    let mut light = Vec::new();
    if rng.below(10) < 3 {
        let fall = rng.range(0.25, 0.8);
        canvas.gradient(&mut rng, fall);
        light.push(format!("gradient to {fall:.2}"));
        frame_buckets.push("uneven-light");
    }
    if rng.below(100) < 15 {
        let (centre, size) = centres[rng.below(centres.len())];
        let shadows = 1 + rng.below(2);
        for _ in 0..shadows {
            canvas.shadow(&mut rng, centre, size / 2.0);
        }
        light.push(format!("{shadows} shadows"));
        frame_buckets.push("shadows");
    }
    if rng.below(10) == 0 {
        let (centre, size) = centres[rng.below(centres.len())];
        let spots = 1 + rng.below(3);
        for _ in 0..spots {
            let at = [
                centre[0] + rng.range(-0.5, 0.5) * size,
                centre[1] + rng.range(-0.5, 0.5) * size,
            ];
            canvas.spot(at, rng.range(0.03, 0.15) * size, rng.range(0.4, 1.6));
        }
        light.push(format!("{spots} glare spots"));
        frame_buckets.push("glare");
    }
    // The camera: focus, shake, exposure, tone, noise, JPEG.
    let smallest = codes.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
    // Out of focus in one photo of five (0.25 to 0.5 of the smallest module); otherwise a
    // lens's ordinary softness, under a quarter of a module.
    let out_of_focus = rng.below(5) == 0;
    let defocus = if out_of_focus {
        rng.range(0.25, 0.5) * smallest
    } else {
        rng.range(0.3, 1.2).min(0.25 * smallest)
    };
    canvas.blur(defocus);
    let mut camera = vec![format!("defocus {defocus:.2} px")];
    let mut blur_buckets = Vec::new();
    if out_of_focus {
        blur_buckets.push("defocus");
    }
    if rng.below(10) == 0 {
        let length = rng.range(0.2, 0.7) * smallest;
        let angle = rng.range(0.0, TAU);
        canvas.motion_blur(length, angle);
        camera.push(format!(
            "motion {length:.1} px at {:.0}°",
            angle.to_degrees()
        ));
        blur_buckets.push("motion");
    }
    match rng.below(20) {
        0..3 => {
            let gain = (rng.range(0.01f64.ln(), 0.3f64.ln())).exp();
            canvas.expose(gain, rng.range(0.1, 0.5));
            canvas.shot_noise(&mut rng, 0.0004, 0.0015);
            camera.push(format!("under-exposed ×{gain:.3}"));
            frame_buckets.push("dark");
        }
        3..6 => {
            let lift = rng.range(0.0, 0.25);
            for p in &mut canvas.px {
                *p = lift + (1.0 - lift) * *p;
            }
            let gain = rng.range(1.3, 2.2);
            canvas.expose(gain, rng.range(0.1, 0.4));
            camera.push(format!("over-exposed ×{gain:.2}, blacks +{lift:.2}"));
            frame_buckets.push("bright");
        }
        _ => canvas.expose(rng.range(0.75, 1.25), rng.range(0.0, 0.35)),
    }
    let tone = rng.range(0.8, 1.25);
    for p in &mut canvas.px {
        *p = p.max(0.0).powf(tone);
    }
    let noise = (rng.range(0.003f64.ln(), 0.045f64.ln())).exp();
    canvas.noise(&mut rng, noise);
    camera.push(format!("tone ^{tone:.2}, noise {noise:.3}"));
    if noise > 0.025 {
        frame_buckets.push("noisy");
    }
    let image = if rng.below(100) < 85 {
        let quality = 30 + rng.below(66) as u8;
        camera.push(format!("JPEG q{quality}"));
        if quality < 50 {
            frame_buckets.push("jpeg-low");
        }
        jpeg_at(canvas, quality)
    } else {
        canvas.into_image()
    };
    let codes = codes
        .into_iter()
        .map(|(mut code, _)| {
            code.buckets.extend(&frame_buckets);
            code.buckets.extend(&blur_buckets);
            if code.buckets.is_empty() {
                code.buckets.push("nominal");
            }
            code.buckets
                .sort_by_key(|b| BUCKETS.iter().position(|x| x == b));
            code
        })
        .collect();
    RandomSample {
        seed,
        image,
        codes,
        description: format!(
            "{w}×{h}, {count} code(s){}; {}; {}",
            if clutter { ", clutter" } else { "" },
            if light.is_empty() {
                "even light".to_owned()
            } else {
                light.join(", ")
            },
            camera.join(", ")
        ),
    }
}

/// Draws code `k` centred on `centre`, at most `limit` pixels wide, with everything a code
/// draws for itself (version, level, module size, pose, curvature, quiet zone, print
/// contrast, inversion, design); returns it, its module size and its side in pixels.
fn draw_code(
    canvas: &mut Canvas,
    rng: &mut Rng,
    k: usize,
    centre: [f64; 2],
    limit: f64,
) -> (RandomCode, f64, f64) {
    let level = rng.below(4);
    let ec = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H][level];
    // Low versions are the common ones: half the codes are versions 1 to 6.
    let mut version = if rng.below(2) == 0 {
        1 + rng.below(6)
    } else {
        1 + rng.below(15)
    };
    let quiet = if rng.below(10) < 6 {
        4.0
    } else {
        rng.range(0.3, 3.0)
    };
    // Module size log-uniform over 1.5 to 3 pixels for a third of the codes and 3 to 12
    // for the rest; smaller where the code would not fit (a lower version is drawn instead
    // when that leaves under 1.5 pixels).
    let (lo, hi): (f64, f64) = if rng.below(3) == 0 {
        (1.5, 3.0)
    } else {
        (3.0, 12.0)
    };
    let wanted = (rng.range(lo.ln(), hi.ln())).exp();
    let module = loop {
        let modules = (17 + 4 * version) as f64 + 2.0 * quiet;
        let fit = limit / modules;
        if fit >= 1.5 || version == 1 {
            break wanted.min(fit);
        }
        version -= 1;
    };
    let capacity = &BYTE_CAPACITY[level];
    let low = if version == 1 {
        4
    } else {
        capacity[version - 2] + 1
    };
    let text = payload(rng, k, low, capacity[version - 1]);
    let symbol = qr_encode::encode(text.as_bytes(), ec).expect("sized to the level's capacity");
    let width = symbol.width();
    let version = (width - 17) / 4;
    let span = width as f64 + 2.0 * quiet;
    let size = module * span;
    let mut buckets = Vec::new();
    if module < 2.5 {
        buckets.push("tiny-modules");
    } else if module < 4.0 {
        buckets.push("small-modules");
    }
    if version >= 10 {
        buckets.push("high-version");
    }
    if ec == EcLevel::L {
        buckets.push("level-l");
    }
    // Pose: mostly near-frontal, one in five tilted far; half of them turned any way.
    let tilt = match rng.below(10) {
        0..5 => rng.range(0.0, 25.0),
        5..8 => rng.range(25.0, 45.0),
        _ => rng.range(45.0, 65.0),
    };
    if tilt >= 45.0 {
        buckets.push("perspective");
    } else if tilt >= 25.0 {
        buckets.push("tilt-25-45");
    }
    let roll = if rng.below(2) == 0 {
        rng.range(-15.0, 15.0)
    } else {
        rng.range(0.0, 360.0)
    };
    if !(-15.0..=15.0).contains(&roll) {
        buckets.push("rotations");
    }
    let quad = camera_quad(centre, size, tilt, rng.range(0.0, 360.0), roll);
    if quiet < 2.0 {
        buckets.push("small-quiet");
    }
    // Print: black on white, grey on grey, or a coloured ink seen in luma.
    let (mut light, mut dark) = match rng.below(20) {
        0..3 => {
            buckets.push("low-contrast");
            let light = rng.range(0.35, 0.9);
            (light, light * rng.range(0.4, 0.7))
        }
        3..5 => {
            buckets.push("colour-print");
            // Red, blue or green ink on white paper, in luma: 0.2 to 0.55 of white.
            let light = rng.range(0.7, 0.9);
            (light, light * rng.range(0.2, 0.55))
        }
        _ => (rng.range(0.65, 0.92), rng.range(0.02, 0.15)),
    };
    let inverted = rng.below(100) < 7;
    if inverted {
        buckets.push("inverted");
        (light, dark) = (dark, light);
    }
    // Curvature: a cylinder across one axis, up to 50° either side of the centre line.
    let arc = if rng.below(10) == 0 {
        buckets.push("curved");
        rng.range(20.0, 50.0).to_radians()
    } else {
        0.0
    };
    let across_u = rng.below(2) == 0;
    // Design: round dots and a centre logo (only where the level repairs the logo).
    let design = rng.below(100) < 8;
    let dot = if design && rng.below(2) == 0 {
        rng.range(0.55, 0.9)
    } else {
        1.0
    };
    let logo_half = if design && matches!(ec, EcLevel::Q | EcLevel::H) {
        let area = rng.range(0.04, if ec == EcLevel::H { 0.12 } else { 0.07 });
        area.sqrt() * width as f64 / 2.0
    } else {
        0.0
    };
    if dot < 1.0 || logo_half > 0.0 {
        buckets.push("design");
    }
    let print = Print {
        quiet,
        light,
        dark,
        arc,
        across_u,
        dot,
        logo_half,
    };
    draw(canvas, &symbol, &quad, print);
    let corners = symbol_corners(&quad, width, print);
    let description = format!(
        "v{version}-{ec:?}, {module:.2} px/module, tilt {tilt:.0}°, roll {roll:.0}°, quiet \
         {quiet:.1}, ink {dark:.2} on {light:.2}{}{}{}",
        if arc > 0.0 {
            format!(", curved ±{:.0}°", arc.to_degrees())
        } else {
            String::new()
        },
        if dot < 1.0 {
            format!(", dots {dot:.2}")
        } else {
            String::new()
        },
        if logo_half > 0.0 { ", logo" } else { "" },
    );
    (
        RandomCode {
            text,
            buckets,
            description,
            corners,
        },
        module,
        size,
    )
}

/// Where [`draw`] puts the symbol of `width` modules, without its quiet zone: the edges of
/// the printed square in the silhouette's coordinates (on a cylinder, the point at
/// `unrolled` along the bent axis is seen at `t`, the inverse of `draw`'s mapping), through
/// the quad's homography.
fn symbol_corners(quad: &[[f64; 2]; 4], width: usize, print: Print) -> [[f64; 2]; 4] {
    let q = print.quiet / (width as f64 + 2.0 * print.quiet);
    let seen = |unrolled: f64| {
        if print.arc > 0.0 {
            (((unrolled - 0.5) * 2.0 * print.arc).sin() / print.arc.sin() + 1.0) / 2.0
        } else {
            unrolled
        }
    };
    let (bent, flat) = ((seen(q), seen(1.0 - q)), (q, 1.0 - q));
    let ((u0, u1), (v0, v1)) = if print.across_u {
        (bent, flat)
    } else {
        (flat, bent)
    };
    let map = Homography::square_to_quad(quad);
    [[u0, v0], [u1, v0], [u1, v1], [u0, v1]].map(|[u, v]| map.apply(u, v))
}

/// How a code is printed.
#[derive(Debug, Clone, Copy)]
struct Print {
    quiet: f64,
    light: f64,
    dark: f64,
    /// Half the angle the code spans on a cylinder, radians (0: flat).
    arc: f64,
    /// The cylinder's axis runs along v (it bends the u direction), else along u.
    across_u: bool,
    /// Dot diameter in modules (1: square modules).
    dot: f64,
    /// Half the side of a centre logo, modules (0: none).
    logo_half: f64,
}

fn draw(canvas: &mut Canvas, symbol: &Symbol, quad: &[[f64; 2]; 4], print: Print) {
    let width = symbol.width();
    let span = width as f64 + 2.0 * print.quiet;
    let mid = width as f64 / 2.0;
    let finder = |x: usize, y: usize| (x < 7 || x >= width - 7) && y < 7 || x < 7 && y >= width - 7;
    let sin_arc = print.arc.sin();
    canvas.draw_in_quad(quad, |u, v| {
        // On a cylinder, a point seen at `t` of the silhouette lies at angle asin of it.
        let (mut shade, mut u, mut v) = (1.0, u, v);
        if print.arc > 0.0 {
            let t = if print.across_u { u } else { v };
            let angle = ((2.0 * t - 1.0) * sin_arc).clamp(-1.0, 1.0).asin();
            let unrolled = 0.5 + angle / (2.0 * print.arc);
            shade = 0.55 + 0.45 * (angle / print.arc * FRAC_PI_2 * 0.6).cos();
            if print.across_u {
                u = unrolled;
            } else {
                v = unrolled;
            }
        }
        let (mx, my) = (u * span - print.quiet, v * span - print.quiet);
        let inside = mx >= 0.0 && my >= 0.0 && mx < width as f64 && my < width as f64;
        let level = if !inside {
            print.light
        } else if (mx - mid).abs() < print.logo_half && (my - mid).abs() < print.logo_half {
            let (dx, dy) = (mx - mid, my - mid);
            let r = (dx * dx + dy * dy).sqrt() / print.logo_half;
            if (0.4..0.8).contains(&r) {
                print.dark
            } else {
                print.light
            }
        } else {
            let (x, y) = (mx as usize, my as usize);
            let (fx, fy) = (mx.fract() - 0.5, my.fract() - 0.5);
            let round =
                print.dot >= 1.0 || finder(x, y) || (fx * fx + fy * fy).sqrt() < print.dot / 2.0;
            if symbol.is_dark(x, y) && round {
                print.dark
            } else {
                print.light
            }
        };
        level * shade
    });
}

/// Text lines, boxes and rules over the frame, as on a poster, a page or a shelf.
fn scatter_clutter(canvas: &mut Canvas, rng: &mut Rng) {
    let (w, h) = (canvas.w as f64, canvas.h as f64);
    let items = 5 + rng.below(20);
    for _ in 0..items {
        let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
        let level = rng.range(0.02, 0.4);
        match rng.below(3) {
            // A line of words.
            0 => {
                let height = rng.range(0.005, 0.03) * h;
                let mut at = x;
                let end = x + rng.range(0.1, 0.6) * w;
                while at < end {
                    let len = rng.range(1.5, 8.0) * height;
                    let quad = [
                        [at, y],
                        [at + len, y],
                        [at + len, y + height],
                        [at, y + height],
                    ];
                    canvas.fill_quad(&quad, level);
                    at += len + rng.range(0.5, 1.5) * height;
                }
            }
            // A frame's rule.
            1 => {
                let thick = rng.range(1.0, 0.01 * w.min(h) + 1.0);
                let len = rng.range(0.1, 0.8) * w.max(h);
                let quad = if rng.below(2) == 0 {
                    [[x, y], [x + len, y], [x + len, y + thick], [x, y + thick]]
                } else {
                    [[x, y], [x + thick, y], [x + thick, y + len], [x, y + len]]
                };
                canvas.fill_quad(&quad, level);
            }
            // A dark box.
            _ => {
                let (bw, bh) = (rng.range(0.02, 0.2) * w, rng.range(0.02, 0.2) * h);
                canvas.fill_quad(&[[x, y], [x + bw, y], [x + bw, y + bh], [x, y + bh]], level);
            }
        }
    }
}

/// A distinct payload of `min` to `max` bytes in byte mode (lower-case letters, digits):
/// the index of the code first, so the texts of one sample differ.
fn payload(rng: &mut Rng, k: usize, min: usize, max: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-_/.";
    let len = min + rng.below(max - min + 1);
    let mut text = format!("{k}~");
    while text.len() < len {
        text.push(char::from(ALPHABET[rng.below(ALPHABET.len())]));
    }
    text
}

impl Canvas {
    /// Motion blur: each pixel the mean of the frame along a segment of `length` pixels at
    /// `angle` through it (a hand moving during the exposure).
    fn motion_blur(&mut self, length: f64, angle: f64) {
        let steps = length.ceil().max(1.0) as usize + 1;
        let (dx, dy) = (angle.cos() * length, angle.sin() * length);
        let source = self.clone();
        for y in 0..self.h {
            for x in 0..self.w {
                let (mut sum, mut n) = (0.0, 0);
                for s in 0..steps {
                    let t = s as f64 / (steps - 1) as f64 - 0.5;
                    if let Some(v) = source.sample(x as f64 + 0.5 + t * dx, y as f64 + 0.5 + t * dy)
                    {
                        sum += v;
                        n += 1;
                    }
                }
                if n > 0 {
                    self.px[y * self.w + x] = sum / n as f64;
                }
            }
        }
    }
}
