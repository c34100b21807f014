//! Every output format back to pixels, for decoders nobody here wrote: PNG decoded, SVG
//! rasterised by resvg, PDF and EPS by filling the rectangles their own operators (`re f`,
//! `rectfill`) describe (no PDF renderer is packaged for this machine, so that part reads our
//! files literally, operator by operator), text by drawing each half block.

// Each test file that includes this module uses a part of it.
#![allow(dead_code)]

use qr_core::Format;

/// An RGBA image, width and height.
pub struct Rgba {
    pub pixels: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Rgba {
    /// The image as one luma byte a pixel, translucent pixels composited over white.
    pub fn luma(&self) -> Vec<u8> {
        self.pixels
            .chunks_exact(4)
            .map(|p| {
                let a = f32::from(p[3]) / 255.0;
                let c = |v: u8| f32::from(v) * a + 255.0 * (1.0 - a);
                (0.299 * c(p[0]) + 0.587 * c(p[1]) + 0.114 * c(p[2])).round() as u8
            })
            .collect()
    }
}

/// The pixels of a file in `format`.
pub fn rasterise(format: Format, bytes: &[u8]) -> Rgba {
    match format {
        Format::Png => png(bytes),
        Format::Svg => svg(bytes),
        Format::Text => text(std::str::from_utf8(bytes).unwrap()),
        Format::Pdf => vector(bytes, "re"),
        Format::Eps => vector(bytes, "rectfill"),
    }
}

pub fn png(png: &[u8]) -> Rgba {
    let img = image::load_from_memory(png).unwrap().to_rgba8();
    Rgba {
        width: img.width(),
        height: img.height(),
        pixels: img.into_raw(),
    }
}

pub fn svg(svg: &[u8]) -> Rgba {
    let tree = resvg::usvg::Tree::from_data(svg, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    // tiny-skia keeps premultiplied alpha; demultiply for the compositing in `luma`.
    let pixels = pixmap
        .pixels()
        .iter()
        .flat_map(|p| {
            let c = p.demultiply();
            [c.red(), c.green(), c.blue(), c.alpha()]
        })
        .collect();
    Rgba {
        pixels,
        width: size.width(),
        height: size.height(),
    }
}

/// Our PDF content stream or EPS body: a page-filling rectangle in the light colour, then
/// rectangles in the dark one (y up, as both formats have it).
pub fn vector(file: &[u8], rect_op: &str) -> Rgba {
    let text = String::from_utf8_lossy(file);
    let mut page = None;
    let mut rects = Vec::new();
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [x, y, w, h, op, ..] = words[..]
            && op == rect_op
        {
            let n: Vec<usize> = [x, y, w, h].iter().map(|v| v.parse().unwrap()).collect();
            match page {
                None => page = Some((n[2], n[3])), // the background
                Some(_) => rects.push(n),
            }
        }
    }
    let (width, height) = page.unwrap_or_else(|| panic!("no background rectangle in {text}"));
    let mut pixels = vec![255u8; width * height * 4];
    for r in rects {
        for py in r[1]..r[1] + r[3] {
            let row = height - 1 - py;
            for px in r[0]..r[0] + r[2] {
                pixels[(row * width + px) * 4..][..3].fill(0);
            }
        }
    }
    Rgba {
        pixels,
        width: width as u32,
        height: height as u32,
    }
}

/// Text output back to pixels: each character is one module wide and two tall.
pub fn text(text: &str) -> Rgba {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let (w, h) = (lines[0].len(), lines.len() * 2);
    let scale = 4;
    let mut pixels = vec![0u8; w * h * scale * scale * 4];
    for (ly, line) in lines.iter().enumerate() {
        for (x, c) in line.iter().enumerate() {
            let (top, bottom) = match c {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                _ => (false, false),
            };
            for (dy, light) in [(0, top), (1, bottom)] {
                let v = if light { 255 } else { 0 };
                for sy in 0..scale {
                    for sx in 0..scale {
                        let (px, py) = (x * scale + sx, (ly * 2 + dy) * scale + sy);
                        pixels[(py * w * scale + px) * 4..][..4].copy_from_slice(&[v, v, v, 255]);
                    }
                }
            }
        }
    }
    Rgba {
        pixels,
        width: (w * scale) as u32,
        height: (h * scale) as u32,
    }
}
