//! SVG output: one `<path>` made of horizontal runs of dark modules.

use std::fmt::Write;

use crate::{Style, Symbol};

/// Renders `symbol` as a standalone SVG document.
///
/// Coordinates are in modules (the `viewBox`), so the drawing stays crisp at any size; `width`
/// and `height` are `scale` px per module. A run of dark modules is one `M x y h n v1 h-n z`
/// sub-path, which keeps a version 40 symbol to a few tens of kilobytes.
pub fn to_svg(symbol: &Symbol, style: &Style) -> String {
    let m = style.margin as usize;
    let view = symbol.width() + 2 * m;
    let px = style.side_px(symbol.width());
    let mut s = String::with_capacity(256 + symbol.width() * symbol.width());
    let _ = write!(
        s,
        r#"<?xml version="1.0" encoding="UTF-8"?><svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{px}" height="{px}" viewBox="0 0 {view} {view}" shape-rendering="crispEdges">"#
    );
    let _ = write!(s, r#"<rect width="{view}" height="{view}"{}/>"#, fill(style.light));
    let _ = write!(s, r#"<path{} d=""#, fill(style.dark));
    for y in 0..symbol.width() {
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
            let _ = write!(s, "M{} {}h{n}v1h-{n}z", start + m, y + m);
        }
    }
    s.push_str(r#""/></svg>"#);
    s
}

/// `fill` (and `fill-opacity` when translucent) attributes for an RGBA colour.
fn fill([r, g, b, a]: [u8; 4]) -> String {
    let mut attr = format!(r##" fill="#{r:02x}{g:02x}{b:02x}""##);
    if a != 255 {
        let _ = write!(attr, r#" fill-opacity="{:.3}""#, f32::from(a) / 255.0);
    }
    attr
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
    fn translucent_colours_get_an_opacity() {
        assert_eq!(fill([255, 0, 16, 128]), r##" fill="#ff0010" fill-opacity="0.502""##);
        assert_eq!(fill([0, 0, 0, 255]), r##" fill="#000000""##);
    }
}
