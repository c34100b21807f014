//! Generation options: parsed from a JSON object or from query/form pairs, validated against
//! [`crate::limits`] before any work is done.

use serde_json::{Map, Value};

use crate::{EcLevel, Error, limits};

/// Output image format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `image/png`, 1 bit per pixel.
    Png,
    /// `image/svg+xml`, one path.
    Svg,
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

/// A validated generation request.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        }
    }

    /// Parses a JSON body: the Python service's `{"data", "size", "error_correction"}` plus
    /// this service's `format`, `scale`, `margin`, `ecc`, `fg` and `bg`. Numbers may be JSON
    /// numbers or numeric strings, as the Python service's `int(...)` allowed. Unknown fields
    /// are ignored, as they were there.
    pub fn from_json(body: &[u8]) -> Result<Self, Error> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| Error::InvalidJson(e.to_string()))?;
        let Value::Object(map) = value else {
            return Err(Error::InvalidJson("expected an object".into()));
        };
        Self::from_fields(|name| json_field(&map, name))
    }

    /// Parses `application/x-www-form-urlencoded` pairs, as in a query string.
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    ) -> Result<Self, Error> {
        Self::from_fields(|name| {
            let mut found = pairs.clone().into_iter().filter(|(k, _)| *k == name);
            match (found.next(), found.next()) {
                (None, _) => Ok(None),
                (Some((_, v)), None) => Ok(Some(v.to_owned())),
                (Some(_), Some(_)) => Err(invalid(name, "is given more than once")),
            }
        })
    }

    /// Builds and validates options from a lookup of raw text values by field name.
    fn from_fields(field: impl Fn(&str) -> Result<Option<String>, Error>) -> Result<Self, Error> {
        let data = field("data")?
            .filter(|d| !d.is_empty())
            .ok_or(Error::MissingData)?;
        if data.len() > limits::MAX_DATA_BYTES {
            return Err(Error::DataTooLong { len: data.len() });
        }
        let mut opts = GenerateOptions::new(data);

        if let Some(f) = field("format")? {
            opts.format = match f.to_ascii_lowercase().as_str() {
                "png" => Format::Png,
                "svg" => Format::Svg,
                _ => return Err(invalid("format", "must be 'png' or 'svg'")),
            };
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
        Ok(opts)
    }

    /// Side of the PNG these options produce for a symbol `width` modules wide.
    pub fn side_px(&self, width: usize) -> u64 {
        (width as u64 + 2 * u64::from(self.margin)) * u64::from(self.scale)
    }
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

fn invalid(name: &str, reason: &str) -> Error {
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
