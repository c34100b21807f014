//! Generation options: parsed from a JSON object or from query/form pairs, validated against
//! [`crate::limits`] before any work is done.

use serde_json::{Map, Value};

use crate::{EcLevel, Error, limits, payload};

/// Output image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `image/png`, 1 bit per pixel.
    Png,
    /// `image/svg+xml`, one path.
    Svg,
    /// `text/plain; charset=utf-8`: UTF-8 half blocks, two module rows per line, for a
    /// terminal (light modules are drawn, as `qrencode -t UTF8` does, so the code reads on the
    /// usual light-on-dark terminal).
    Text,
    /// `application/pdf`: one page, vector rectangles, sized `scale` points per module.
    Pdf,
    /// `application/postscript`: Encapsulated PostScript, vector, for print workflows.
    Eps,
}

impl Format {
    /// Every format by its option value.
    pub const ALL: [(&'static str, Format); 5] = [
        ("png", Format::Png),
        ("svg", Format::Svg),
        ("text", Format::Text),
        ("pdf", Format::Pdf),
        ("eps", Format::Eps),
    ];
}

impl Format {
    /// The file name extension of this format, as archive members are named.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Png => "png",
            Format::Svg => "svg",
            Format::Text => "txt",
            Format::Pdf => "pdf",
            Format::Eps => "eps",
        }
    }
}

/// An RGBA colour, parsed from `#rrggbb` or `#rrggbbaa` (the `#` may be left out, which
/// saves percent-encoding it in a query string).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    /// Opaque black.
    pub const BLACK: Rgba = Rgba([0, 0, 0, 255]);
    /// Opaque white.
    pub const WHITE: Rgba = Rgba([255, 255, 255, 255]);

    fn parse(s: &str) -> Option<Rgba> {
        let hex = s.strip_prefix('#').unwrap_or(s);
        if !(hex.len() == 6 || hex.len() == 8) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        let alpha = if hex.len() == 8 { byte(6)? } else { 255 };
        Some(Rgba([byte(0)?, byte(2)?, byte(4)?, alpha]))
    }
}

/// A logo to put in the centre of the symbol.
#[derive(Clone, PartialEq)]
pub struct Logo {
    /// The file: PNG, JPEG, or SVG (SVG only for SVG output).
    pub bytes: Vec<u8>,
    /// Side of the logo as a fraction of the symbol's side (quiet zone excluded),
    /// [`limits::MIN_LOGO_SIZE`]..=[`limits::MAX_LOGO_SIZE`].
    pub size: f64,
    /// Clear zone around the logo, in modules, 0..=[`limits::MAX_LOGO_MARGIN`].
    pub margin: u32,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logo")
            .field("bytes", &self.bytes.len())
            .field("size", &self.size)
            .field("margin", &self.margin)
            .finish()
    }
}

/// Foreground gradient kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gradient {
    /// From `fg` to `fg2` along `gradient_angle`.
    Linear,
    /// From `fg` at the centre to `fg2` at the corners.
    Radial,
}

/// Shapes, gradient and eye colours; the default is the plain standard look.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Look {
    /// Data module shape.
    pub module_shape: qr_encode::ModuleShape,
    /// Finder frame shape.
    pub eye_frame: qr_encode::EyeShape,
    /// Finder ball shape.
    pub eye_ball: qr_encode::EyeShape,
    /// Gradient from `fg` to the second colour, at an angle in degrees (linear only).
    pub gradient: Option<(Gradient, Rgba, f32)>,
    /// Colour of each eye: top-left, top-right, bottom-left.
    pub eye_colours: [Option<Rgba>; 3],
}

/// How many symbols a structured-append answer has (option `append`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Append {
    /// As few as hold the data at `max_version` (`append=auto`).
    Auto,
    /// Exactly this many, 1 to [`limits::MAX_APPEND_SYMBOLS`] (`append=N`).
    Symbols(usize),
}

/// A validated generation request.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateOptions {
    /// The payload, at most [`limits::MAX_DATA_BYTES`] bytes.
    pub data: String,
    /// PNG or SVG.
    pub format: Format,
    /// Pixels per module, [`limits::MIN_SCALE`]..=[`limits::MAX_SCALE`].
    pub scale: u32,
    /// Quiet zone in modules, 0..=[`limits::MAX_MARGIN`].
    pub margin: u32,
    /// Error-correction level.
    pub ec_level: EcLevel,
    /// Dark module colour.
    pub fg: Rgba,
    /// Light module and background colour.
    pub bg: Rgba,
    /// Shapes and paints beyond plain squares.
    pub look: Look,
    /// A centred logo.
    pub logo: Option<Logo>,
    /// A structured-append sequence instead of one symbol: a ZIP of images, or a PDF of one
    /// page per symbol.
    pub append: Option<Append>,
    /// The largest version a symbol may take, 1 to 40.
    pub max_version: u8,
}

impl GenerateOptions {
    /// The Python service's defaults (level H, 10 px, 4-module margin, black on white PNG)
    /// around `data`, so migrating clients get byte-for-byte the same symbol.
    pub fn new(data: impl Into<String>) -> Self {
        GenerateOptions {
            data: data.into(),
            format: Format::Png,
            scale: 10,
            margin: 4,
            ec_level: EcLevel::H,
            fg: Rgba::BLACK,
            bg: Rgba::WHITE,
            look: Look::default(),
            logo: None,
            append: None,
            max_version: MAX_VERSION,
        }
    }

    /// Whether the fast plain writers serve these options (no shapes, gradient, eye colours
    /// or logo).
    pub fn is_plain(&self) -> bool {
        self.look == Look::default() && self.logo.is_none()
    }

    /// Parses a JSON body: the Python service's `{"data", "size", "error_correction"}` plus
    /// this service's `format`, `scale`, `margin`, `ecc`, `fg` and `bg`. Numbers may be JSON
    /// numbers or numeric strings, as the Python service's `int(...)` allowed. Unknown fields
    /// are ignored, as they were there.
    ///
    /// Instead of `data`, the payload may be one of the [`crate::payload`] objects, e.g.
    /// `{"wifi": {"ssid": "…", "password": "…"}}`.
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| Error::InvalidJson(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(Error::InvalidJson("expected an object".into()));
        };
        let extended = map.keys().any(|k| !PLAIN_FIELDS.contains(&k.as_str()));
        Self::from_fields(
            |name| json_field(&map, name),
            |kind| map.get(kind).cloned(),
            None,
            extended,
        )
    }

    /// Parses `application/x-www-form-urlencoded` pairs, as in a query string. A payload
    /// object's fields are dotted: `wifi.ssid=…&wifi.password=…` (a field given twice, such
    /// as `vcard.phone`, becomes a list).
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Result<Self, Error> {
        Self::from_pairs_and_logo(pairs, None)
    }

    /// [`Self::from_pairs`] for a multipart body: the text fields as pairs, and the `logo`
    /// part's bytes if there is one.
    pub fn from_pairs_and_logo<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
        logo: Option<Vec<u8>>,
    ) -> Result<Self, Error> {
        let object = |kind: &str| {
            let mut map = Map::new();
            for (k, v) in pairs.clone() {
                let Some(field) = k.strip_prefix(kind).and_then(|f| f.strip_prefix('.')) else {
                    continue;
                };
                let v = Value::String(v.to_owned());
                match map.get_mut(field) {
                    None => {
                        map.insert(field.to_owned(), v);
                    }
                    Some(Value::Array(list)) => list.push(v),
                    Some(first) => *first = Value::Array(vec![first.take(), v]),
                }
            }
            (!map.is_empty()).then_some(Value::Object(map))
        };
        let field = |name: &str| {
            let mut found = pairs.clone().into_iter().filter(|(k, _)| *k == name);
            match (found.next(), found.next()) {
                (None, _) => Ok(None),
                (Some((_, v)), None) => Ok(Some(v.to_owned())),
                (Some(_), Some(_)) => Err(invalid(name, "is given more than once")),
            }
        };
        let extended = logo.is_some()
            || pairs
                .clone()
                .into_iter()
                .any(|(k, _)| !PLAIN_FIELDS.contains(&k));
        Self::from_fields(field, object, logo, extended)
    }

    /// Builds and validates options from a lookup of raw text values by field name and one
    /// of payload objects by kind.
    fn from_fields(
        field: impl Fn(&str) -> Result<Option<String>, Error>,
        object: impl Fn(&str) -> Option<Value>,
        logo_part: Option<Vec<u8>>,
        extended: bool,
    ) -> Result<Self, Error> {
        // Requests with only the plain fields (the seed's) skip every lookup of the others.
        let kinds = if extended {
            &payload::KINDS[..payload::KINDS.len() - 1]
        } else {
            &[]
        };
        let mut payloads = kinds.iter().filter_map(|kind| Some((*kind, object(kind)?)));
        let (data, ec_level) = match (field("data")?, payloads.next(), payloads.next()) {
            (_, Some((a, _)), Some((b, _))) => {
                return Err(invalid(a, &format!("and '{b}' are two payloads; give one")));
            }
            (Some(d), Some((kind, _)), None) if !d.is_empty() => {
                return Err(invalid(kind, "and 'data' are two payloads; give one"));
            }
            (_, Some((kind, fields)), None) => {
                let built = payload::build(kind, &fields)?;
                (built.text, built.ec_level)
            }
            (data, None, _) => (
                data.filter(|d| !d.is_empty()).ok_or(Error::MissingData)?,
                None,
            ),
        };
        let append = if extended { append(&field)? } else { None };
        if append.is_some() && data.len() > limits::MAX_APPEND_DATA_BYTES {
            return Err(Error::AppendDataTooLong { len: data.len() });
        }
        if append.is_none() && data.len() > limits::MAX_DATA_BYTES {
            return Err(Error::DataTooLong { len: data.len() });
        }
        let mut opts = GenerateOptions::new(data);
        opts.append = append;
        if let Some(ec) = ec_level {
            opts.ec_level = ec;
        }

        if let Some(f) = field("format")? {
            let f = f.to_ascii_lowercase();
            opts.format = Format::ALL
                .iter()
                .find(|(name, _)| *name == f)
                .map(|(_, format)| *format)
                .ok_or_else(|| invalid("format", "must be one of png, svg, text, pdf, eps"))?;
        }
        let scale = one_of(&field, "scale", "size")?;
        if let Some((name, v)) = scale {
            opts.scale = ranged(name, &v, limits::MIN_SCALE, limits::MAX_SCALE)?;
        }
        if let Some(v) = field("margin")? {
            opts.margin = ranged("margin", &v, 0, limits::MAX_MARGIN)?;
        }
        if let Some((name, v)) = one_of(&field, "ecc", "error_correction")? {
            opts.ec_level = EcLevel::from_letter(v.trim())
                .ok_or_else(|| invalid(name, "must be one of L, M, Q, H"))?;
        }
        for (name, slot) in [("fg", &mut opts.fg), ("bg", &mut opts.bg)] {
            if let Some(v) = field(name)? {
                *slot =
                    Rgba::parse(&v).ok_or_else(|| invalid(name, "must be #rrggbb or #rrggbbaa"))?;
            }
        }
        if !extended {
            return Ok(opts);
        }
        opts.look = look(&field)?;
        if let Some(v) = field("max_version")? {
            opts.max_version = ranged("max_version", &v, 1, u32::from(MAX_VERSION))? as u8;
        }
        let logo_size = match field("logo_size")? {
            None => None,
            Some(v) => Some(fraction(
                "logo_size",
                &v,
                limits::MIN_LOGO_SIZE,
                limits::MAX_LOGO_SIZE,
            )?),
        };
        let logo_margin = match field("logo_margin")? {
            None => None,
            Some(v) => Some(ranged("logo_margin", &v, 0, limits::MAX_LOGO_MARGIN)?),
        };
        let bytes = match (field("logo")?, logo_part) {
            (Some(_), Some(_)) => return Err(invalid("logo", "is given twice")),
            (Some(encoded), None) => Some(logo_base64(&encoded)?),
            (None, part) => part,
        };
        match bytes {
            Some(bytes) => {
                check_logo_bytes(&bytes)?;
                opts.logo = Some(Logo {
                    bytes,
                    size: logo_size.unwrap_or(DEFAULT_LOGO_SIZE),
                    margin: logo_margin.unwrap_or(DEFAULT_LOGO_MARGIN),
                });
            }
            None if logo_size.is_some() || logo_margin.is_some() => {
                return Err(invalid(
                    "logo",
                    "is missing: logo_size and logo_margin need one",
                ));
            }
            None => {}
        }
        Ok(opts)
    }

    /// Side of the PNG these options produce for a symbol `width` modules wide.
    pub fn side_px(&self, width: usize) -> u64 {
        (width as u64 + 2 * u64::from(self.margin)) * u64::from(self.scale)
    }
}

/// The fields of the plain contract (the Python service's and this service's first ones):
/// a request with only these needs no payload, style or logo parsing.
const PLAIN_FIELDS: [&str; 9] = [
    "data",
    "size",
    "error_correction",
    "format",
    "scale",
    "margin",
    "ecc",
    "fg",
    "bg",
];

/// The largest QR version: `max_version`'s default.
const MAX_VERSION: u8 = 40;

/// `append`: `auto`, or a symbol count.
fn append(field: &impl Fn(&str) -> Result<Option<String>, Error>) -> Result<Option<Append>, Error> {
    let Some(v) = field("append")? else {
        return Ok(None);
    };
    if v.trim().eq_ignore_ascii_case("auto") {
        return Ok(Some(Append::Auto));
    }
    let max = limits::MAX_APPEND_SYMBOLS as u32;
    ranged("append", &v, 1, max)
        .map(|n| Some(Append::Symbols(n as usize)))
        .map_err(|_| {
            invalid(
                "append",
                &format!("must be auto or an integer from 1 to {max} (MAX_APPEND_SYMBOLS)"),
            )
        })
}

/// A logo covers a fifth of the symbol's side unless asked otherwise: about 4% of its area,
/// which level H carries at every version.
pub const DEFAULT_LOGO_SIZE: f64 = 0.2;

/// One module of clear zone around the logo unless asked otherwise.
pub const DEFAULT_LOGO_MARGIN: u32 = 1;

/// The logo file's size limit, checked before anything looks inside it.
fn check_logo_bytes(bytes: &[u8]) -> Result<(), Error> {
    if bytes.len() > limits::MAX_LOGO_BYTES {
        return Err(Error::LogoTooLarge {
            what: format!("{} bytes", bytes.len()),
        });
    }
    if bytes.is_empty() {
        return Err(invalid("logo", "is empty"));
    }
    Ok(())
}

/// A logo in a JSON or form field: base64 (standard or URL-safe, padding optional), or a
/// `data:` URL carrying base64.
fn logo_base64(text: &str) -> Result<Vec<u8>, Error> {
    use base64::Engine;
    let text = text.trim();
    let text = match text.strip_prefix("data:") {
        Some(url) => url
            .split_once(";base64,")
            .map(|(_, b)| b)
            .ok_or_else(|| invalid("logo", "as a data: URL must be base64"))?,
        None => text,
    };
    // Decoding more than the limit's worth of base64 is wasted work.
    if text.len() > limits::MAX_LOGO_BYTES / 3 * 4 + 4 {
        return Err(Error::LogoTooLarge {
            what: format!("about {} bytes", text.len() / 4 * 3),
        });
    }
    let cleaned: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let config = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
    let standard = base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let url_safe = base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, config);
    standard
        .decode(&cleaned)
        .or_else(|_| url_safe.decode(&cleaned))
        .map_err(|_| invalid("logo", "must be base64 (or a data: URL)"))
}

/// Shapes, gradient and eye colours from their fields.
fn look(field: &impl Fn(&str) -> Result<Option<String>, Error>) -> Result<Look, Error> {
    use qr_encode::{EyeShape, ModuleShape};
    let mut look = Look::default();
    let pick = |name: &str, choices: &[&str]| -> Result<Option<usize>, Error> {
        let Some(v) = field(name)? else {
            return Ok(None);
        };
        let v = v.to_ascii_lowercase();
        choices
            .iter()
            .position(|c| *c == v)
            .map(Some)
            .ok_or_else(|| invalid(name, &format!("must be one of {}", choices.join(", "))))
    };
    if let Some(i) = pick("module_shape", &["square", "rounded", "dots", "connected"])? {
        look.module_shape = [
            ModuleShape::Square,
            ModuleShape::Rounded,
            ModuleShape::Dots,
            ModuleShape::Connected,
        ][i];
    }
    let eyes = [EyeShape::Square, EyeShape::Rounded, EyeShape::Circle];
    if let Some(i) = pick("eye_frame", &["square", "rounded", "circle"])? {
        look.eye_frame = eyes[i];
    }
    if let Some(i) = pick("eye_ball", &["square", "rounded", "circle"])? {
        look.eye_ball = eyes[i];
    }
    let kind = pick("gradient", &["none", "linear", "radial"])?;
    let fg2 = field("fg2")?
        .map(|v| Rgba::parse(&v).ok_or_else(|| invalid("fg2", "must be #rrggbb or #rrggbbaa")))
        .transpose()?;
    let angle = field("gradient_angle")?
        .map(|v| ranged("gradient_angle", &v, 0, 360))
        .transpose()?;
    look.gradient = match (kind, fg2) {
        (None | Some(0), None) if angle.is_none() => None,
        (Some(k @ (1 | 2)), Some(to)) => {
            let kind = if k == 1 {
                Gradient::Linear
            } else {
                Gradient::Radial
            };
            Some((kind, to, angle.unwrap_or(0) as f32))
        }
        (Some(1 | 2), None) => {
            return Err(invalid(
                "fg2",
                "is required with a gradient: the colour it runs to",
            ));
        }
        _ => {
            return Err(invalid(
                "gradient",
                "must be linear or radial when fg2 or gradient_angle is given",
            ));
        }
    };
    if let Some(v) = field("eye_color")? {
        let colours = v
            .split(',')
            .map(|c| Rgba::parse(c.trim()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                invalid(
                    "eye_color",
                    "must be a colour, or three comma-separated (top-left, top-right, bottom-left)",
                )
            })?;
        look.eye_colours = match colours[..] {
            [c] => [Some(c); 3],
            [a, b, c] => [Some(a), Some(b), Some(c)],
            _ => return Err(invalid("eye_color", "must be one colour or three")),
        };
    }
    Ok(look)
}

/// A decimal fraction within `min..=max`.
fn fraction(name: &str, text: &str, min: f64, max: f64) -> Result<f64, Error> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|f| (min..=max).contains(f))
        .ok_or_else(|| invalid(name, &format!("must be a number from {min} to {max}")))
}

/// Reads a field that has two accepted names (this service's and the Python service's).
fn one_of<'n>(
    field: &impl Fn(&str) -> Result<Option<String>, Error>,
    ours: &'n str,
    theirs: &'n str,
) -> Result<Option<(&'n str, String)>, Error> {
    match (field(ours)?, field(theirs)?) {
        (Some(_), Some(_)) => Err(invalid(
            ours,
            &format!("and '{theirs}' mean the same; give one"),
        )),
        (Some(v), None) => Ok(Some((ours, v))),
        (None, Some(v)) => Ok(Some((theirs, v))),
        (None, None) => Ok(None),
    }
}

/// A JSON field as text: strings as they are, numbers in their JSON spelling, `null` as absent.
fn json_field(map: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) if name == "data" => Err(Error::MissingData),
        Some(_) => Err(invalid(name, "must be a string or a number")),
    }
}

/// Parses an integer (a whole JSON number such as `10.0` counts) within `min..=max`.
fn ranged(name: &str, text: &str, min: u32, max: u32) -> Result<u32, Error> {
    let range = || invalid(name, &format!("must be an integer from {min} to {max}"));
    let text = text.trim();
    let n: i64 = match text.parse::<i64>() {
        Ok(n) => n,
        Err(_) => match text.parse::<f64>() {
            Ok(f) if f.fract() == 0.0 && f.abs() < 1e12 => f as i64,
            _ => return Err(range()),
        },
    };
    u32::try_from(n)
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(range)
}

/// The 400 `invalid-option` error for option `name` (as the client spelled it); the payload
/// builders use it too.
pub(crate) fn invalid(name: &str, reason: &str) -> Error {
    Error::InvalidOption {
        name: name.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_request_gets_the_python_defaults() {
        let o =
            GenerateOptions::from_json(br#"{"data":"https://example.com/product/123"}"#).unwrap();
        assert_eq!(o, GenerateOptions::new("https://example.com/product/123"));
        assert_eq!(
            (o.scale, o.margin, o.ec_level, o.format),
            (10, 4, EcLevel::H, Format::Png)
        );
    }

    #[test]
    fn python_field_names_and_numeric_strings_are_accepted() {
        let o = GenerateOptions::from_json(br#"{"data":"x","size":"7","error_correction":"m"}"#)
            .unwrap();
        assert_eq!((o.scale, o.ec_level), (7, EcLevel::M));
        let o = GenerateOptions::from_json(br#"{"data":"x","size":12.0}"#).unwrap();
        assert_eq!(o.scale, 12);
    }

    #[test]
    fn query_pairs_set_every_option() {
        let pairs = [
            ("data", "hi"),
            ("format", "SVG"),
            ("scale", "3"),
            ("margin", "0"),
            ("ecc", "Q"),
            ("fg", "112233"),
            ("bg", "#ffffff80"),
        ];
        let o = GenerateOptions::from_pairs(pairs).unwrap();
        assert_eq!(o.format, Format::Svg);
        assert_eq!((o.scale, o.margin, o.ec_level), (3, 0, EcLevel::Q));
        assert_eq!(o.fg, Rgba([0x11, 0x22, 0x33, 255]));
        assert_eq!(o.bg, Rgba([255, 255, 255, 0x80]));
    }

    #[test]
    fn scale_and_margin_are_checked_at_their_edges() {
        let at = |k: &str, v: &str| GenerateOptions::from_pairs([("data", "x"), (k, v)]);
        assert_eq!(at("scale", "1").unwrap().scale, 1);
        assert_eq!(at("scale", "50").unwrap().scale, 50);
        assert!(matches!(at("scale", "0"), Err(Error::InvalidOption { .. })));
        assert!(matches!(
            at("scale", "51"),
            Err(Error::InvalidOption { .. })
        ));
        assert!(matches!(
            at("scale", "2.5"),
            Err(Error::InvalidOption { .. })
        ));
        assert_eq!(at("margin", "0").unwrap().margin, 0);
        assert_eq!(at("margin", "64").unwrap().margin, 64);
        assert!(matches!(
            at("margin", "65"),
            Err(Error::InvalidOption { .. })
        ));
        assert!(matches!(
            at("margin", "-1"),
            Err(Error::InvalidOption { .. })
        ));
    }

    #[test]
    fn data_is_required_and_bounded() {
        assert_eq!(GenerateOptions::from_json(b"{}"), Err(Error::MissingData));
        assert_eq!(
            GenerateOptions::from_json(br#"{"data":""}"#),
            Err(Error::MissingData)
        );
        assert_eq!(
            GenerateOptions::from_json(br#"{"data":5}"#).unwrap().data,
            "5"
        );
        assert_eq!(
            GenerateOptions::from_json(br#"{"data":[1]}"#),
            Err(Error::MissingData)
        );
        let max = "7".repeat(limits::MAX_DATA_BYTES);
        assert!(GenerateOptions::from_pairs([("data", max.as_str())]).is_ok());
        let over = "7".repeat(limits::MAX_DATA_BYTES + 1);
        assert_eq!(
            GenerateOptions::from_pairs([("data", over.as_str())]),
            Err(Error::DataTooLong {
                len: limits::MAX_DATA_BYTES + 1
            })
        );
    }

    #[test]
    fn append_and_max_version_are_checked_at_their_edges() {
        let at = |k: &str, v: &str| GenerateOptions::from_pairs([("data", "x"), (k, v)]);
        assert_eq!(at("append", "AUTO").unwrap().append, Some(Append::Auto));
        assert_eq!(at("append", "1").unwrap().append, Some(Append::Symbols(1)));
        assert_eq!(
            at("append", "16").unwrap().append,
            Some(Append::Symbols(limits::MAX_APPEND_SYMBOLS))
        );
        for bad in ["0", "17", "two"] {
            let e = at("append", bad).unwrap_err();
            assert!(e.to_string().contains("MAX_APPEND_SYMBOLS"), "{e}");
        }
        assert_eq!(at("max_version", "1").unwrap().max_version, 1);
        assert_eq!(at("max_version", "40").unwrap().max_version, 40);
        assert!(at("max_version", "0").is_err() && at("max_version", "41").is_err());
        // With append, the data may be up to 16 times the single-symbol limit.
        let at_len = |n: usize| {
            let data = "7".repeat(n);
            GenerateOptions::from_pairs([("data", data.as_str()), ("append", "auto")])
        };
        assert!(at_len(limits::MAX_APPEND_DATA_BYTES).is_ok());
        assert_eq!(
            at_len(limits::MAX_APPEND_DATA_BYTES + 1),
            Err(Error::AppendDataTooLong {
                len: limits::MAX_APPEND_DATA_BYTES + 1
            })
        );
    }

    #[test]
    fn bad_values_name_the_field() {
        let e = GenerateOptions::from_json(br#"{"data":"x","error_correction":"Z"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "option 'error_correction' must be one of L, M, Q, H"
        );
        let e = GenerateOptions::from_pairs([("data", "x"), ("fg", "red")]).unwrap_err();
        assert_eq!(e.to_string(), "option 'fg' must be #rrggbb or #rrggbbaa");
        let e = GenerateOptions::from_pairs([("data", "x"), ("size", "3"), ("scale", "3")])
            .unwrap_err();
        assert!(matches!(e, Error::InvalidOption { .. }));
        let e = GenerateOptions::from_pairs([("data", "x"), ("data", "y")]).unwrap_err();
        assert!(matches!(e, Error::InvalidOption { .. }));
        assert!(matches!(
            GenerateOptions::from_json(b"[1]"),
            Err(Error::InvalidJson(_))
        ));
        assert!(matches!(
            GenerateOptions::from_json(b"{"),
            Err(Error::InvalidJson(_))
        ));
    }
}
