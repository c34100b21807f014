//! Print formats: PDF and Encapsulated PostScript, both vector (one filled rectangle per run
//! of dark modules), and UTF-8 half blocks for a terminal.
//!
//! PDF and EPS put `scale` points (1/72 inch) per module: the default 10 is 3.5 mm a module,
//! and a print shop scales the vector art freely. Alpha is not expressible in plain PDF fill
//! colours or in PostScript, so translucent colours are painted opaque (documented in the
//! README).

use std::fmt::Write;

use crate::{Style, Symbol};

/// `(x, y, n)`: each horizontal run of `n` dark modules starting at column `x` of row `y`.
pub fn dark_runs(symbol: &Symbol) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
    (0..symbol.height()).flat_map(move |y| {
        let row = symbol.row(y);
        let mut x = 0;
        std::iter::from_fn(move || {
            while x < row.len() && !row[x] {
                x += 1;
            }
            if x == row.len() {
                return None;
            }
            let start = x;
            while x < row.len() && row[x] {
                x += 1;
            }
            Some((start, y, x - start))
        })
    })
}

/// The drawing both print formats share, in PostScript/PDF operators: a background rectangle
/// and one `re` per run, y flipped (both put the origin bottom left). `rect` spells one
/// rectangle, `fill` the fill that ends a colour's set.
fn paint_ops(symbol: &Symbol, style: &Style, rect: &str, colour: &str, fill: &str) -> String {
    let m = style.margin as usize;
    let s = style.scale as usize;
    let (px_w, px_h) = style.size_px(symbol);
    let rgb = |c: [u8; 4]| {
        let f = |v: u8| f32::from(v) / 255.0;
        format!("{:.3} {:.3} {:.3} {colour}", f(c[0]), f(c[1]), f(c[2]))
    };
    let mut out = String::with_capacity(64 + symbol.width() * symbol.height());
    let _ = writeln!(out, "{}\n0 0 {px_w} {px_h} {rect} {fill}", rgb(style.light));
    let _ = writeln!(out, "{}", rgb(style.dark));
    let top = symbol.height() + 2 * m;
    for (x, y, n) in dark_runs(symbol) {
        let _ = writeln!(
            out,
            "{} {} {} {s} {rect}",
            (x + m) * s,
            (top - 1 - (y + m)) * s,
            n * s
        );
    }
    out.push_str(fill);
    out.push('\n');
    out
}

/// Renders `symbol` as a one-page PDF 1.4 (ISO 32000 subset: catalog, pages, page, one
/// uncompressed content stream).
pub fn to_pdf(symbol: &Symbol, style: &Style) -> Vec<u8> {
    to_pdf_pages(std::slice::from_ref(symbol), style)
}

/// Renders each symbol on a page of its own (a structured-append sequence, in order), each
/// page as large as its symbol: catalog, pages, then a page and its content stream per symbol.
pub fn to_pdf_pages(symbols: &[Symbol], style: &Style) -> Vec<u8> {
    let kids: Vec<String> = (0..symbols.len())
        .map(|i| format!("{} 0 R", 3 + 2 * i))
        .collect();
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            symbols.len()
        ),
    ];
    for (i, symbol) in symbols.iter().enumerate() {
        let (px_w, px_h) = style.size_px(symbol);
        let content = paint_ops(symbol, style, "re", "rg", "f");
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {px_w} {px_h}] /Contents {} 0 R \
             /Resources << >> >>",
            4 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{content}endstream",
            content.len()
        ));
    }
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(tail, "{o:010} 00000 n ");
    }
    let _ = write!(
        tail,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    pdf.extend_from_slice(tail.as_bytes());
    pdf
}

/// Renders `symbol` as Encapsulated PostScript 3.0 (EPSF-3.0: a bounding box, no page
/// operators), with `rectfill` per run.
pub fn to_eps(symbol: &Symbol, style: &Style) -> String {
    let (px_w, px_h) = style.size_px(symbol);
    let mut eps = format!(
        "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 {px_w} {px_h}\n\
         %%Creator: qr-workshop\n%%Pages: 0\n%%EndComments\n"
    );
    // `rectfill` fills at once; collect nothing, so `fill` is a no-op.
    let ops = paint_ops(symbol, style, "rectfill", "setrgbcolor", "");
    eps.push_str(&ops);
    eps.push_str("%%EOF\n");
    eps
}

/// Renders `symbol` as UTF-8 text, two module rows per line: `█` both light, `▀` top light,
/// `▄` bottom light, space both dark. Light modules are the drawn ones, so on a terminal's
/// light-on-dark default the code comes out dark on light, as scanners expect. The quiet zone
/// is `style.margin` modules; colours and scale do not apply.
pub fn to_text(symbol: &Symbol, style: &Style) -> String {
    let m = style.margin as usize;
    let (w, h) = (symbol.width(), symbol.height());
    let (across, down) = (w + 2 * m, h + 2 * m);
    let dark = |x: usize, y: usize| {
        x >= m && y >= m && x < m + w && y < m + h && symbol.is_dark(x - m, y - m)
    };
    let mut s = String::with_capacity(down.div_ceil(2) * (across * 3 + 1));
    for y in (0..down).step_by(2) {
        for x in 0..across {
            // Below the last row (odd height) counts as dark: the terminal's own background.
            let (top, bottom) = (!dark(x, y), y + 1 < down && !dark(x, y + 1));
            s.push(match (top, bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EcLevel, encode};

    #[test]
    fn runs_cover_exactly_the_dark_modules() {
        let s = encode(b"runs", EcLevel::Q).unwrap();
        let mut seen = vec![false; s.width() * s.width()];
        for (x, y, n) in dark_runs(&s) {
            for i in x..x + n {
                assert!(s.is_dark(i, y));
                seen[y * s.width() + i] = true;
            }
        }
        for y in 0..s.width() {
            for x in 0..s.width() {
                assert_eq!(seen[y * s.width() + x], s.is_dark(x, y));
            }
        }
    }

    #[test]
    fn the_pdf_cross_reference_table_points_at_each_object() {
        let s = encode(b"pdf", EcLevel::M).unwrap();
        let pdf = to_pdf(&s, &Style::default());
        let text = String::from_utf8_lossy(&pdf);
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // Offsets count bytes: look at the bytes, not the lossy text.
        let tail = String::from_utf8(pdf[xref_at..].to_vec()).unwrap();
        assert!(tail.starts_with("xref\n0 5\n"), "{tail}");
        for (i, line) in tail.lines().skip(3).take(4).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(
                pdf[offset..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "{line}"
            );
        }
        assert!(text.contains("/MediaBox [0 0 290 290]"));
    }

    #[test]
    fn a_sequence_is_one_page_per_symbol_in_order() {
        let symbols = crate::encode_append(&[b'q'; 60], EcLevel::H, 2, None).unwrap();
        assert!(symbols.len() > 1);
        let pdf = to_pdf_pages(&symbols, &Style::default());
        let text = String::from_utf8_lossy(&pdf);
        let n = symbols.len();
        assert!(text.contains(&format!("/Count {n} >>")), "{text}");
        assert_eq!(text.matches("/Type /Page ").count(), n);
        assert!(text.contains(&format!("xref\n0 {}\n", 3 + 2 * n)));
        // One page is byte for byte the single-symbol PDF.
        assert_eq!(
            to_pdf_pages(&symbols[..1], &Style::default()),
            to_pdf(&symbols[0], &Style::default())
        );
    }

    #[test]
    fn text_is_half_as_many_lines_as_module_rows() {
        let s = encode(b"hi", EcLevel::L).unwrap();
        let t = to_text(&s, &Style::default());
        // 21 modules + 8 quiet: 29 rows in 15 lines of 29 characters.
        assert_eq!(t.lines().count(), 15);
        assert!(t.lines().all(|l| l.chars().count() == 29));
        assert!(t.starts_with(&"█".repeat(29)));
    }
}
