//! Styled rendering: module and finder-eye shapes, gradients, per-eye colours and a centred
//! logo, to SVG and to RGBA PNG.
//!
//! One geometry serves both outputs: each shape is defined once as a test "is this point of
//! the cell inked?" ([`Art::ink`]) which the PNG rasteriser samples at pixel centres, and the
//! SVG writer emits the same outlines as paths. Plain requests never come here: the 1-bit PNG
//! and run-length SVG writers stay the fast path.
//!
//! Shapes keep what readers need: modules stay centred in their cells and at least 0.8 of a
//! module wide, and finder eyes keep their 1:1:3:1:1 proportions through the centre.

use std::fmt::Write;

use crate::{Style, Symbol};

/// Shape of each dark data module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ModuleShape {
    /// Full square cells (the standard look).
    #[default]
    Square,
    /// Squares with rounded corners (radius 0.3 module).
    Rounded,
    /// Circles 0.9 module across.
    Dots,
    /// Squares joined to their dark neighbours, corners rounded only where nothing joins.
    Connected,
}

/// Shape of a finder eye's 7×7 frame or its 3×3 ball.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EyeShape {
    /// Square, as the standard draws it.
    #[default]
    Square,
    /// Rounded corners.
    Rounded,
    /// A ring (frame) or a disc (ball).
    Circle,
}

/// How dark modules are painted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fill {
    /// One colour (RGBA).
    Solid([u8; 4]),
    /// From `from` to `to` along a line at `angle` degrees (0: left to right, 90: top to
    /// bottom) across the symbol.
    Linear {
        /// Colour at the start.
        from: [u8; 4],
        /// Colour at the end.
        to: [u8; 4],
        /// Direction in degrees, clockwise from pointing right.
        angle: f32,
    },
    /// From `from` at the centre to `to` at the corners.
    Radial {
        /// Colour at the centre.
        from: [u8; 4],
        /// Colour at the corners.
        to: [u8; 4],
    },
}

/// Everything beyond plain squares. `Art::default()` draws what the plain writers draw.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Art {
    /// Data module shape.
    pub modules: ModuleShape,
    /// Finder frame shape.
    pub eye_frame: EyeShape,
    /// Finder ball shape.
    pub eye_ball: EyeShape,
    /// Paint of dark modules (and of eyes without their own colour).
    pub fill: Fill,
    /// Colour of each eye (top-left, top-right, bottom-left), or the fill.
    pub eye_colours: [Option<[u8; 4]>; 3],
    /// Modules left blank for a logo: the square of `len` modules from (`start`, `start`).
    pub clear: Option<(usize, usize)>,
}

impl Default for Art {
    fn default() -> Self {
        Art {
            modules: ModuleShape::Square,
            eye_frame: EyeShape::Square,
            eye_ball: EyeShape::Square,
            fill: Fill::Solid([0, 0, 0, 255]),
            eye_colours: [None; 3],
            clear: None,
        }
    }
}

/// A decoded logo to draw over the cleared centre: RGBA pixels, `width` × `height`.
#[derive(Debug, Clone, Copy)]
pub struct RasterLogo<'a> {
    /// Row-major RGBA, 4 bytes a pixel.
    pub rgba: &'a [u8],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Side of the square it is fitted into (aspect kept), in modules, centred.
    pub side_modules: f32,
}

/// A logo file to embed in SVG output as an `<image>`.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedLogo<'a> {
    /// `image/png`, `image/jpeg` or `image/svg+xml`.
    pub mime: &'a str,
    /// The file.
    pub bytes: &'a [u8],
    /// Side of the square it is fitted into (aspect kept), in modules, centred.
    pub side_modules: f32,
}

/// Which finder eye (0 top-left, 1 top-right, 2 bottom-left) holds module (`x`, `y`), and the
/// eye's top-left module.
fn eye_at(width: usize, x: usize, y: usize) -> Option<(usize, usize, usize)> {
    let far = width - 7;
    match (x < 7, y < 7, x >= far, y >= far) {
        (true, true, _, _) => Some((0, 0, 0)),
        (_, true, true, _) => Some((1, far, 0)),
        (true, _, _, true) => Some((2, 0, far)),
        _ => None,
    }
}

/// Whether point (`u`, `v`) of the rectangle `w` × `h` lies inside it with corners of radius
/// `r` (top-left, top-right, bottom-right, bottom-left).
fn in_rounded(u: f32, v: f32, w: f32, h: f32, r: [f32; 4]) -> bool {
    if u < 0.0 || v < 0.0 || u > w || v > h {
        return false;
    }
    let corners = [
        (r[0], r[0], r[0]),
        (w - r[1], r[1], r[1]),
        (w - r[2], h - r[2], r[2]),
        (r[3], h - r[3], r[3]),
    ];
    for (i, (cx, cy, rad)) in corners.into_iter().enumerate() {
        let outside_x = if i == 0 || i == 3 { u < cx } else { u > cx };
        let outside_y = if i < 2 { v < cy } else { v > cy };
        if rad > 0.0 && outside_x && outside_y && (u - cx).powi(2) + (v - cy).powi(2) > rad * rad {
            return false;
        }
    }
    true
}

impl Art {
    /// Whether the point (`fx`, `fy`), in modules from the symbol's top-left corner, is inked,
    /// and with which eye's colour (`Some(eye)`) or the fill (`None`).
    pub fn ink(&self, symbol: &Symbol, fx: f32, fy: f32) -> Option<Option<usize>> {
        let w = symbol.width();
        if fx < 0.0 || fy < 0.0 || fx >= w as f32 || fy >= w as f32 {
            return None;
        }
        let (x, y) = (fx as usize, fy as usize);
        if let Some((eye, ex, ey)) = eye_at(w, x, y) {
            let (u, v) = (fx - ex as f32, fy - ey as f32);
            let frame = match self.eye_frame {
                EyeShape::Square => {
                    in_rounded(u, v, 7.0, 7.0, [0.0; 4])
                        && !in_rounded(u - 1.0, v - 1.0, 5.0, 5.0, [0.0; 4])
                }
                EyeShape::Rounded => {
                    in_rounded(u, v, 7.0, 7.0, [2.0; 4])
                        && !in_rounded(u - 1.0, v - 1.0, 5.0, 5.0, [1.0; 4])
                }
                EyeShape::Circle => {
                    let d2 = (u - 3.5).powi(2) + (v - 3.5).powi(2);
                    d2 <= 3.5 * 3.5 && d2 > 2.5 * 2.5
                }
            };
            let ball = match self.eye_ball {
                EyeShape::Square => in_rounded(u - 2.0, v - 2.0, 3.0, 3.0, [0.0; 4]),
                EyeShape::Rounded => in_rounded(u - 2.0, v - 2.0, 3.0, 3.0, [0.9; 4]),
                EyeShape::Circle => (u - 3.5).powi(2) + (v - 3.5).powi(2) <= 1.5 * 1.5,
            };
            return (frame || ball).then_some(Some(eye));
        }
        if self.cleared(x, y) || !symbol.is_dark(x, y) {
            return None;
        }
        let (u, v) = (fx - x as f32, fy - y as f32);
        let inked = match self.modules {
            ModuleShape::Square => true,
            ModuleShape::Rounded => in_rounded(u, v, 1.0, 1.0, [0.3; 4]),
            ModuleShape::Dots => (u - 0.5).powi(2) + (v - 0.5).powi(2) <= 0.45 * 0.45,
            ModuleShape::Connected => {
                in_rounded(u, v, 1.0, 1.0, self.connected_radii(symbol, x, y))
            }
        };
        inked.then_some(None)
    }

    /// Whether module (`x`, `y`) is under the logo's cleared square.
    fn cleared(&self, x: usize, y: usize) -> bool {
        self.clear
            .is_some_and(|(s, n)| (s..s + n).contains(&x) && (s..s + n).contains(&y))
    }

    /// A dark data module drawn here (not an eye, not cleared)?
    fn drawn(&self, symbol: &Symbol, x: isize, y: isize) -> bool {
        let w = symbol.width() as isize;
        if x < 0 || y < 0 || x >= w || y >= w {
            return false;
        }
        let (x, y) = (x as usize, y as usize);
        symbol.is_dark(x, y) && eye_at(symbol.width(), x, y).is_none() && !self.cleared(x, y)
    }

    /// Corner radii of a connected module: 0.5 where neither side neighbour is drawn.
    fn connected_radii(&self, symbol: &Symbol, x: usize, y: usize) -> [f32; 4] {
        let (x, y) = (x as isize, y as isize);
        let n = |dx, dy| self.drawn(symbol, x + dx, y + dy);
        let (l, r, u, d) = (n(-1, 0), n(1, 0), n(0, -1), n(0, 1));
        let round = |a: bool, b: bool| if a || b { 0.0 } else { 0.5 };
        [round(l, u), round(r, u), round(r, d), round(l, d)]
    }

    /// The fill colour at (`fx`, `fy`) in modules, on a symbol `w` modules wide.
    fn paint(&self, fx: f32, fy: f32, w: f32) -> [u8; 4] {
        let (from, to, t) = match self.fill {
            Fill::Solid(c) => return c,
            Fill::Linear { from, to, angle } => {
                let (s, c) = angle.to_radians().sin_cos();
                // Project onto the direction; the symbol's extent along it maps to 0..1.
                let half = 0.5 * w * (s.abs() + c.abs());
                let p = (fx - w / 2.0) * c + (fy - w / 2.0) * s;
                (from, to, (p + half) / (2.0 * half))
            }
            Fill::Radial { from, to } => {
                let d = ((fx - w / 2.0).powi(2) + (fy - w / 2.0).powi(2)).sqrt();
                (from, to, d / (w / std::f32::consts::SQRT_2))
            }
        };
        mix(from, to, t)
    }

    /// All colours that may end up on a dark module: for the contrast check.
    pub fn inks(&self) -> Vec<[u8; 4]> {
        let mut v = match self.fill {
            Fill::Solid(c) => vec![c],
            Fill::Linear { from, to, .. } | Fill::Radial { from, to } => vec![from, to],
        };
        v.extend(self.eye_colours.iter().flatten());
        v
    }
}

/// Linear interpolation between two RGBA colours, `t` clamped to 0..1.
fn mix(a: [u8; 4], b: [u8; 4], t: f32) -> [u8; 4] {
    let t = t.clamp(0.0, 1.0);
    std::array::from_fn(|i| {
        (f32::from(a[i]) + (f32::from(b[i]) - f32::from(a[i])) * t).round() as u8
    })
}

/// Renders a styled symbol as an 8-bit RGBA PNG, one scanline at a time: memory is a few
/// rows plus the compressed output, whatever the side.
pub fn to_png_art(
    symbol: &Symbol,
    style: &Style,
    art: &Art,
    logo: Option<&RasterLogo<'_>>,
) -> Vec<u8> {
    let mut out = Vec::new();
    // `png` fails only when its writer does, and writing into a Vec does not.
    let _ = write_png_art(&mut out, symbol, style, art, logo);
    out
}

fn write_png_art(
    out: &mut Vec<u8>,
    symbol: &Symbol,
    style: &Style,
    art: &Art,
    logo: Option<&RasterLogo<'_>>,
) -> Result<(), png::EncodingError> {
    let side = style.side_px(symbol.width()) as u32;
    let scale = style.scale as f32;
    let margin = style.margin as f32;
    let w = symbol.width() as f32;
    let mut encoder = png::Encoder::new(out, side, side);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    let mut stream = writer.stream_writer()?;
    // The logo's box in pixels, and the nearest-neighbour step through its pixels.
    let logo_box = logo.map(|l| {
        let box_px = l.side_modules * scale;
        let fit = box_px / l.width.max(l.height) as f32;
        let (lw, lh) = (l.width as f32 * fit, l.height as f32 * fit);
        let x0 = (margin + w / 2.0) * scale - lw / 2.0;
        let y0 = (margin + w / 2.0) * scale - lh / 2.0;
        (l, x0, y0, lw, lh, fit)
    });
    let mut row = vec![0u8; side as usize * 4];
    for py in 0..side {
        let fy = (py as f32 + 0.5) / scale - margin;
        for px in 0..side {
            let fx = (px as f32 + 0.5) / scale - margin;
            let mut c = match art.ink(symbol, fx, fy) {
                None => style.light,
                Some(Some(eye)) => art.eye_colours[eye].unwrap_or_else(|| art.paint(fx, fy, w)),
                Some(None) => art.paint(fx, fy, w),
            };
            if let Some((l, x0, y0, lw, lh, fit)) = logo_box {
                let (lx, ly) = (px as f32 + 0.5 - x0, py as f32 + 0.5 - y0);
                if lx >= 0.0 && ly >= 0.0 && lx < lw && ly < lh {
                    let sx = ((lx / fit) as u32).min(l.width - 1);
                    let sy = ((ly / fit) as u32).min(l.height - 1);
                    let i = (sy * l.width + sx) as usize * 4;
                    c = over(&l.rgba[i..i + 4], c);
                }
            }
            row[px as usize * 4..px as usize * 4 + 4].copy_from_slice(&c);
        }
        std::io::Write::write_all(&mut stream, &row)?;
    }
    stream.finish()
}

/// `top` composited over `bottom` (straight alpha).
fn over(top: &[u8], bottom: [u8; 4]) -> [u8; 4] {
    let a = f32::from(top[3]) / 255.0;
    if a >= 1.0 {
        return [top[0], top[1], top[2], 255];
    }
    let ba = f32::from(bottom[3]) / 255.0;
    let oa = a + ba * (1.0 - a);
    if oa <= 0.0 {
        return [0; 4];
    }
    let ch = |i: usize| {
        ((f32::from(top[i]) * a + f32::from(bottom[i]) * ba * (1.0 - a)) / oa).round() as u8
    };
    [ch(0), ch(1), ch(2), (oa * 255.0).round() as u8]
}

/// Renders a styled symbol as SVG: data modules as one path (or one per eye colour), eyes as
/// even-odd paths, gradients as `<defs>`, the logo as a base64 `<image>`.
pub fn to_svg_art(
    symbol: &Symbol,
    style: &Style,
    art: &Art,
    logo: Option<&EmbeddedLogo<'_>>,
) -> String {
    let m = style.margin as f32;
    let w = symbol.width();
    let view = w as f32 + 2.0 * m;
    let px = style.side_px(w);
    let mut s = String::with_capacity(2000 + w * w * 12);
    let _ = write!(
        s,
        r#"<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{px}" height="{px}" viewBox="0 0 {view} {view}">"#
    );
    let fill_ref = match art.fill {
        Fill::Solid(c) => colour_attr("fill", c),
        Fill::Linear { from, to, angle } => {
            let (sn, cs) = angle.to_radians().sin_cos();
            let half = 0.5 * w as f32 * (sn.abs() + cs.abs());
            let c = m + w as f32 / 2.0;
            let _ = write!(
                s,
                r#"<defs><linearGradient id="g" gradientUnits="userSpaceOnUse" x1="{:.3}" y1="{:.3}" x2="{:.3}" y2="{:.3}">{}{}</linearGradient></defs>"#,
                c - cs * half,
                c - sn * half,
                c + cs * half,
                c + sn * half,
                stop(0.0, from),
                stop(1.0, to)
            );
            r#" fill="url(#g)""#.to_owned()
        }
        Fill::Radial { from, to } => {
            let c = m + w as f32 / 2.0;
            let r = w as f32 / std::f32::consts::SQRT_2;
            let _ = write!(
                s,
                r#"<defs><radialGradient id="g" gradientUnits="userSpaceOnUse" cx="{c}" cy="{c}" r="{r:.3}">{}{}</radialGradient></defs>"#,
                stop(0.0, from),
                stop(1.0, to)
            );
            r#" fill="url(#g)""#.to_owned()
        }
    };
    let _ = write!(
        s,
        r#"<rect width="{view}" height="{view}"{}/>"#,
        colour_attr("fill", style.light)
    );
    // Data modules.
    let _ = write!(s, r#"<path{fill_ref} d=""#);
    for y in 0..w {
        for x in 0..w {
            if !art.drawn(symbol, x as isize, y as isize) {
                continue;
            }
            let (fx, fy) = (x as f32 + m, y as f32 + m);
            match art.modules {
                ModuleShape::Square => {
                    let _ = write!(s, "M{fx} {fy}h1v1h-1z");
                }
                ModuleShape::Rounded => rounded_path(&mut s, fx, fy, 1.0, 1.0, [0.3; 4]),
                ModuleShape::Dots => circle_path(&mut s, fx + 0.5, fy + 0.5, 0.45),
                ModuleShape::Connected => {
                    rounded_path(&mut s, fx, fy, 1.0, 1.0, art.connected_radii(symbol, x, y))
                }
            }
        }
    }
    s.push_str(r#""/>"#);
    // Eyes.
    for (eye, (ex, ey)) in [(0, 0), (w - 7, 0), (0, w - 7)].into_iter().enumerate() {
        let (ox, oy) = (ex as f32 + m, ey as f32 + m);
        let paint =
            art.eye_colours[eye].map_or_else(|| fill_ref.clone(), |c| colour_attr("fill", c));
        let _ = write!(s, r#"<path{paint} fill-rule="evenodd" d=""#);
        match art.eye_frame {
            EyeShape::Square => {
                rounded_path(&mut s, ox, oy, 7.0, 7.0, [0.0; 4]);
                rounded_path(&mut s, ox + 1.0, oy + 1.0, 5.0, 5.0, [0.0; 4]);
            }
            EyeShape::Rounded => {
                rounded_path(&mut s, ox, oy, 7.0, 7.0, [2.0; 4]);
                rounded_path(&mut s, ox + 1.0, oy + 1.0, 5.0, 5.0, [1.0; 4]);
            }
            EyeShape::Circle => {
                circle_path(&mut s, ox + 3.5, oy + 3.5, 3.5);
                circle_path(&mut s, ox + 3.5, oy + 3.5, 2.5);
            }
        }
        match art.eye_ball {
            EyeShape::Square => rounded_path(&mut s, ox + 2.0, oy + 2.0, 3.0, 3.0, [0.0; 4]),
            EyeShape::Rounded => rounded_path(&mut s, ox + 2.0, oy + 2.0, 3.0, 3.0, [0.9; 4]),
            EyeShape::Circle => circle_path(&mut s, ox + 3.5, oy + 3.5, 1.5),
        }
        s.push_str(r#""/>"#);
    }
    if let Some(l) = logo {
        let side = l.side_modules;
        let at = m + w as f32 / 2.0 - side / 2.0;
        let _ = write!(
            s,
            r#"<image x="{at:.3}" y="{at:.3}" width="{side:.3}" height="{side:.3}" preserveAspectRatio="xMidYMid meet" href="data:{};base64,"#,
            l.mime
        );
        base64_into(&mut s, l.bytes);
        s.push_str(r#""/>"#);
    }
    s.push_str("</svg>");
    s
}

/// ` fill="#rrggbb"` plus its opacity when translucent.
fn colour_attr(attr: &str, [r, g, b, a]: [u8; 4]) -> String {
    let mut s = format!(r##" {attr}="#{r:02x}{g:02x}{b:02x}""##);
    if a != 255 {
        let _ = write!(s, r#" {attr}-opacity="{:.3}""#, f32::from(a) / 255.0);
    }
    s
}

fn stop(offset: f32, [r, g, b, a]: [u8; 4]) -> String {
    format!(
        r##"<stop offset="{offset}" stop-color="#{r:02x}{g:02x}{b:02x}" stop-opacity="{:.3}"/>"##,
        f32::from(a) / 255.0
    )
}

/// A closed sub-path: rectangle at (`x`, `y`), `w` × `h`, corner radii clockwise from
/// top-left (0 for a sharp corner).
fn rounded_path(s: &mut String, x: f32, y: f32, w: f32, h: f32, r: [f32; 4]) {
    let _ = write!(s, "M{} {y}", x + r[0]);
    let _ = write!(s, "H{}", x + w - r[1]);
    if r[1] > 0.0 {
        let _ = write!(s, "a{0} {0} 0 0 1 {0} {0}", r[1]);
    }
    let _ = write!(s, "V{}", y + h - r[2]);
    if r[2] > 0.0 {
        let _ = write!(s, "a{0} {0} 0 0 1 -{0} {0}", r[2]);
    }
    let _ = write!(s, "H{}", x + r[3]);
    if r[3] > 0.0 {
        let _ = write!(s, "a{0} {0} 0 0 1 -{0} -{0}", r[3]);
    }
    let _ = write!(s, "V{}", y + r[0]);
    if r[0] > 0.0 {
        let _ = write!(s, "a{0} {0} 0 0 1 {0} -{0}", r[0]);
    }
    s.push('z');
}

/// A closed circular sub-path of radius `r` around (`cx`, `cy`): two half arcs.
fn circle_path(s: &mut String, cx: f32, cy: f32, r: f32) {
    let _ = write!(
        s,
        "M{} {cy}a{r} {r} 0 1 0 {} 0a{r} {r} 0 1 0 -{} 0z",
        cx - r,
        2.0 * r,
        2.0 * r
    );
}

/// Standard base64 (RFC 4648, padded), appended to `s`.
fn base64_into(s: &mut String, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                s.push('=');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EcLevel, encode};

    #[test]
    fn base64_matches_rfc_4648_test_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut s = String::new();
            base64_into(&mut s, raw.as_bytes());
            assert_eq!(s, enc);
        }
    }

    #[test]
    fn the_default_art_inks_exactly_the_dark_modules() {
        let s = encode(b"art", EcLevel::M).unwrap();
        let art = Art::default();
        for y in 0..s.width() {
            for x in 0..s.width() {
                let inked = art.ink(&s, x as f32 + 0.5, y as f32 + 0.5).is_some();
                assert_eq!(inked, s.is_dark(x, y), "({x}, {y})");
            }
        }
    }

    #[test]
    fn gradients_run_from_their_first_colour_to_their_second() {
        let art = Art {
            fill: Fill::Linear {
                from: [0, 0, 0, 255],
                to: [200, 0, 0, 255],
                angle: 0.0,
            },
            ..Art::default()
        };
        assert_eq!(art.paint(0.0, 10.0, 21.0)[0], 0);
        assert_eq!(art.paint(21.0, 10.0, 21.0)[0], 200);
        let radial = Art {
            fill: Fill::Radial {
                from: [0, 0, 0, 255],
                to: [0, 0, 200, 255],
            },
            ..Art::default()
        };
        assert_eq!(radial.paint(10.5, 10.5, 21.0)[2], 0);
        assert_eq!(radial.paint(0.0, 0.0, 21.0)[2], 200);
    }

    #[test]
    fn compositing_keeps_opaque_tops_and_blends_translucent_ones() {
        assert_eq!(over(&[10, 20, 30, 255], [0, 0, 0, 255]), [10, 20, 30, 255]);
        assert_eq!(over(&[0, 0, 0, 0], [50, 60, 70, 255]), [50, 60, 70, 255]);
        assert_eq!(over(&[255, 255, 255, 128], [0, 0, 0, 255])[0], 128);
    }
}
