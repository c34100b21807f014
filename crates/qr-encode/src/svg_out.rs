//! SVG output: one `<path>` filling each horizontal run of dark modules.

use std::fmt::Write;

use crate::{Style, Symbol};

/// Renders `symbol` as a standalone SVG document.
///
/// Coordinates are in modules (the `viewBox`), so the drawing stays crisp at any size; `width`
/// and `height` are `scale` px per module. A run of dark modules is one `Mx yhNv1h-Nz`
/// sub-path of the single `<path>`: about 4 KB for the seed request, 110 KB for version 39.
/// (`qr-core`'s tests read this path format back.)
pub fn to_svg(symbol: &Symbol, style: &Style) -> String {
    let m = style.margin as usize;
    let (view_w, view_h) = (symbol.width() + 2 * m, symbol.height() + 2 * m);
    let (px_w, px_h) = style.size_px(symbol);
    let mut s = String::with_capacity(400 + symbol.width() * symbol.height());
    let _ = write!(
        s,
        r#"<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{px_w}" height="{px_h}" viewBox="0 0 {view_w} {view_h}" shape-rendering="crispEdges">"#
    );
    let _ = write!(s, r#"<rect width="{view_w}" height="{view_h}""#);
    paint(&mut s, "fill", style.light);
    s.push_str("/><path");
    paint(&mut s, "fill", style.dark);
    s.push_str(r#" d=""#);
    for y in 0..symbol.height() {
        let row = symbol.row(y);
        let mut x = 0;
        while x < row.len() {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < row.len() && row[x] {
                x += 1;
            }
            let n = x - start;
            s.push('M');
            push_num(&mut s, start + m);
            s.push(' ');
            push_num(&mut s, y + m);
            s.push('h');
            push_num(&mut s, n);
            s.push_str("v1h-");
            push_num(&mut s, n);
            s.push('z');
        }
    }
    s.push_str(r#""/></svg>"#);
    s
}

/// Appends a decimal number without going through `fmt` (a few hundred per symbol).
fn push_num(s: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        s.push(char::from(d));
    }
}

/// ` fill="#rrggbb"` (or another paint attribute), plus its opacity when translucent.
fn paint(s: &mut String, attr: &str, [r, g, b, a]: [u8; 4]) {
    let _ = write!(s, r##" {attr}="#{r:02x}{g:02x}{b:02x}""##);
    if a != 255 {
        let _ = write!(s, r#" {attr}-opacity="{:.3}""#, f32::from(a) / 255.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EcLevel, encode};

    #[test]
    fn svg_has_one_path_and_the_right_view_box() {
        let s = encode(b"hello", EcLevel::M).unwrap();
        let svg = to_svg(&s, &Style::default());
        assert_eq!(svg.matches("<path").count(), 1);
        assert!(svg.contains(r#"viewBox="0 0 29 29""#), "{svg}");
        assert!(svg.contains(r#"width="290""#));
    }

    #[test]
    fn each_run_of_dark_modules_is_one_sub_path() {
        let s = encode(b"hello", EcLevel::M).unwrap();
        let svg = to_svg(&s, &Style::default());
        // Row 0 of every symbol starts with the 7-module finder, 4 modules in.
        assert!(svg.contains(r#" d="M4 4h7v1h-7z"#), "{svg}");
        let runs: usize = (0..s.width())
            .map(|y| {
                let row = s.row(y);
                (0..row.len())
                    .filter(|&x| row[x] && (x == 0 || !row[x - 1]))
                    .count()
            })
            .sum();
        assert_eq!(svg.matches('M').count(), runs);
    }

    #[test]
    fn translucent_colours_get_an_opacity() {
        let mut s = String::new();
        paint(&mut s, "fill", [255, 0, 16, 128]);
        assert_eq!(s, r##" fill="#ff0010" fill-opacity="0.502""##);
        s.clear();
        paint(&mut s, "fill", [0, 0, 0, 255]);
        assert_eq!(s, r##" fill="#000000""##);
    }
}
