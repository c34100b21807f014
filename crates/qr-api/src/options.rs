//! Generation options off the wire: a JSON body (the Python service's contract and this
//! service's fields), query or form pairs, and multipart text fields with a logo part, all
//! read into qr-core's typed [`GenerateOptions`] with each error naming the field as the client
//! spelled it (`size` or `scale`).

use serde_json::{Map, Value};

use crate::ApiError;
use qr_core::{
    Append, DEFAULT_LOGO_MARGIN, DEFAULT_LOGO_SIZE, EcLevel, Format, GenerateOptions, Gradient,
    Logo, Look, MAX_VERSION, Rgba, limits,
};

/// Parses a JSON body: the Python service's `{"data", "size", "error_correction"}` plus
/// this service's `format`, `scale`, `margin`, `ecc`, `fg` and `bg`. Numbers may be JSON
/// numbers or numeric strings, as the Python service's `int(...)` allowed. Unknown fields
/// are ignored, as they were there.
///
/// Instead of `data`, the payload may be one of the [`qr_core::payload`] objects, e.g.
/// `{"wifi": {"ssid": "…", "password": "…"}}`.
pub fn from_json(body: &[u8]) -> Result<GenerateOptions, ApiError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::InvalidJson(e.to_string()))?;
    let Value::Object(map) = value else {
        return Err(ApiError::InvalidJson("expected an object".into()));
    };
    let extended = map.keys().any(|k| !PLAIN_FIELDS.contains(&k.as_str()));
    from_fields(
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
) -> Result<GenerateOptions, ApiError> {
    from_pairs_and_logo(pairs, None)
}

/// [`from_pairs`] for a multipart body: the text fields as pairs, and the `logo`
/// part's bytes if there is one.
pub fn from_pairs_and_logo<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
    logo: Option<Vec<u8>>,
) -> Result<GenerateOptions, ApiError> {
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
            (Some(_), Some(_)) => Err(ApiError::invalid(name, "is given more than once")),
        }
    };
    let extended = logo.is_some()
        || pairs
            .clone()
            .into_iter()
            .any(|(k, _)| !PLAIN_FIELDS.contains(&k));
    from_fields(field, object, logo, extended)
}

/// Builds and validates options from a lookup of raw text values by field name and one
/// of payload objects by kind.
fn from_fields(
    field: impl Fn(&str) -> Result<Option<String>, ApiError>,
    object: impl Fn(&str) -> Option<Value>,
    logo_part: Option<Vec<u8>>,
    extended: bool,
) -> Result<GenerateOptions, ApiError> {
    // Requests with only the plain fields (the seed's) skip every lookup of the others.
    let kinds = if extended {
        &qr_core::payload::KINDS[..qr_core::payload::KINDS.len() - 1]
    } else {
        &[]
    };
    let mut payloads = kinds.iter().filter_map(|kind| Some((*kind, object(kind)?)));
    let (data, ec_level) = match (field("data")?, payloads.next(), payloads.next()) {
        (_, Some((a, _)), Some((b, _))) => {
            return Err(ApiError::invalid(
                a,
                &format!("and '{b}' are two payloads; give one"),
            ));
        }
        (Some(d), Some((kind, _)), None) if !d.is_empty() => {
            return Err(ApiError::invalid(
                kind,
                "and 'data' are two payloads; give one",
            ));
        }
        (_, Some((kind, fields)), None) => {
            let built = qr_core::payload::build(kind, &fields)?;
            (built.text, built.ec_level)
        }
        (data, None, _) => (
            data.filter(|d| !d.is_empty())
                .ok_or(qr_core::Error::MissingData)?,
            None,
        ),
    };
    let append = if extended { append(&field)? } else { None };
    if append.is_some() && data.len() > limits::MAX_APPEND_DATA_BYTES {
        return Err(qr_core::Error::AppendDataTooLong { len: data.len() }.into());
    }
    if append.is_none() && data.len() > limits::MAX_DATA_BYTES {
        return Err(qr_core::Error::DataTooLong { len: data.len() }.into());
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
            .ok_or_else(|| {
                ApiError::invalid("format", "must be one of png, svg, text, pdf, eps")
            })?;
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
            .ok_or_else(|| ApiError::invalid(name, "must be one of L, M, Q, H"))?;
    }
    for (name, slot) in [("fg", &mut opts.fg), ("bg", &mut opts.bg)] {
        if let Some(v) = field(name)? {
            *slot = Rgba::parse(&v)
                .ok_or_else(|| ApiError::invalid(name, "must be #rrggbb or #rrggbbaa"))?;
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
        (Some(_), Some(_)) => return Err(ApiError::invalid("logo", "is given twice")),
        (Some(encoded), None) => Some(logo_base64(&encoded)?),
        (None, part) => part,
    };
    match bytes {
        Some(bytes) => {
            qr_core::check_logo_bytes(&bytes)?;
            opts.logo = Some(Logo {
                bytes,
                size: logo_size.unwrap_or(DEFAULT_LOGO_SIZE),
                margin: logo_margin.unwrap_or(DEFAULT_LOGO_MARGIN),
            });
        }
        None if logo_size.is_some() || logo_margin.is_some() => {
            return Err(ApiError::invalid(
                "logo",
                "is missing: logo_size and logo_margin need one",
            ));
        }
        None => {}
    }
    let defaults = (
        ec_level.is_none() && one_of(&field, "ecc", "error_correction")?.is_none(),
        field("margin")?.is_none(),
    );
    symbology(&field, &mut opts, defaults)?;
    Ok(opts)
}

/// `symbology` and `version` (checked against each other, the level and the other options by
/// `GenerateOptions::validate`). Micro QR's default level is L and rMQR's M (QR's H is not
/// offered by either), and both default to the 2-module quiet zone their standards ask for;
/// `defaults` says whether the level and the margin were left unset.
fn symbology(
    field: &impl Fn(&str) -> Result<Option<String>, ApiError>,
    opts: &mut GenerateOptions,
    (default_level, default_margin): (bool, bool),
) -> Result<(), ApiError> {
    use qr_core::qr_encode::{Symbology, Version};
    if let Some(v) = field("symbology")? {
        let v = v.trim().to_ascii_lowercase();
        opts.symbology = Symbology::ALL
            .iter()
            .find(|(name, _)| *name == v)
            .map(|(_, s)| *s)
            .ok_or_else(|| ApiError::invalid("symbology", "must be one of qr, micro_qr, rmqr"))?;
    }
    if let Some(v) = field("version")? {
        opts.version = Some(Version::parse(&v).ok_or_else(|| {
            ApiError::invalid(
                "version",
                "must be a Micro QR size (M1 to M4) or an rMQR size (R7x43 … R17x139)",
            )
        })?);
    }
    if opts.symbology != Symbology::Qr {
        if default_level {
            opts.ec_level = if opts.symbology == Symbology::MicroQr {
                EcLevel::L
            } else {
                EcLevel::M
            };
        }
        if default_margin {
            opts.margin = opts.symbology.quiet_zone();
        }
    }
    Ok(())
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

/// `append`: `auto`, or a symbol count.
fn append(
    field: &impl Fn(&str) -> Result<Option<String>, ApiError>,
) -> Result<Option<Append>, ApiError> {
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
            ApiError::invalid(
                "append",
                &format!("must be auto or an integer from 1 to {max} (MAX_APPEND_SYMBOLS)"),
            )
        })
}

/// A logo in a JSON or form field: base64 (standard or URL-safe, padding optional), or a
/// `data:` URL carrying base64.
fn logo_base64(text: &str) -> Result<Vec<u8>, ApiError> {
    use base64::Engine;
    let text = text.trim();
    let text = match text.strip_prefix("data:") {
        Some(url) => url
            .split_once(";base64,")
            .map(|(_, b)| b)
            .ok_or_else(|| ApiError::invalid("logo", "as a data: URL must be base64"))?,
        None => text,
    };
    // Decoding more than the limit's worth of base64 is wasted work.
    if text.len() > limits::MAX_LOGO_BYTES / 3 * 4 + 4 {
        return Err(qr_core::Error::LogoTooLarge {
            what: format!("about {} bytes", text.len() / 4 * 3),
        }
        .into());
    }
    let cleaned: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let config = base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent);
    let standard = base64::engine::GeneralPurpose::new(&base64::alphabet::STANDARD, config);
    let url_safe = base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, config);
    standard
        .decode(&cleaned)
        .or_else(|_| url_safe.decode(&cleaned))
        .map_err(|_| ApiError::invalid("logo", "must be base64 (or a data: URL)"))
}

/// Shapes, gradient and eye colours from their fields.
fn look(field: &impl Fn(&str) -> Result<Option<String>, ApiError>) -> Result<Look, ApiError> {
    use qr_core::{EyeShape, ModuleShape};
    let mut look = Look::default();
    let pick = |name: &str, choices: &[&str]| -> Result<Option<usize>, ApiError> {
        let Some(v) = field(name)? else {
            return Ok(None);
        };
        let v = v.to_ascii_lowercase();
        choices
            .iter()
            .position(|c| *c == v)
            .map(Some)
            .ok_or_else(|| {
                ApiError::invalid(name, &format!("must be one of {}", choices.join(", ")))
            })
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
        .map(|v| {
            Rgba::parse(&v).ok_or_else(|| ApiError::invalid("fg2", "must be #rrggbb or #rrggbbaa"))
        })
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
            return Err(ApiError::invalid(
                "fg2",
                "is required with a gradient: the colour it runs to",
            ));
        }
        _ => {
            return Err(ApiError::invalid(
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
                ApiError::invalid(
                    "eye_color",
                    "must be a colour, or three comma-separated (top-left, top-right, bottom-left)",
                )
            })?;
        look.eye_colours = match colours[..] {
            [c] => [Some(c); 3],
            [a, b, c] => [Some(a), Some(b), Some(c)],
            _ => {
                return Err(ApiError::invalid(
                    "eye_color",
                    "must be one colour or three",
                ));
            }
        };
    }
    Ok(look)
}

/// A decimal fraction within `min..=max`.
fn fraction(name: &str, text: &str, min: f64, max: f64) -> Result<f64, ApiError> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|f| (min..=max).contains(f))
        .ok_or_else(|| ApiError::invalid(name, &format!("must be a number from {min} to {max}")))
}

/// Reads a field that has two accepted names (this service's and the Python service's).
fn one_of<'n>(
    field: &impl Fn(&str) -> Result<Option<String>, ApiError>,
    ours: &'n str,
    theirs: &'n str,
) -> Result<Option<(&'n str, String)>, ApiError> {
    match (field(ours)?, field(theirs)?) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            ours,
            &format!("and '{theirs}' mean the same; give one"),
        )),
        (Some(v), None) => Ok(Some((ours, v))),
        (None, Some(v)) => Ok(Some((theirs, v))),
        (None, None) => Ok(None),
    }
}

/// A JSON field as text: strings as they are, numbers in their JSON spelling, `null` as absent.
fn json_field(map: &Map<String, Value>, name: &str) -> Result<Option<String>, ApiError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) if name == "data" => Err(qr_core::Error::MissingData.into()),
        Some(_) => Err(ApiError::invalid(name, "must be a string or a number")),
    }
}

/// Parses an integer (a whole JSON number such as `10.0` counts) within `min..=max`.
fn ranged(name: &str, text: &str, min: u32, max: u32) -> Result<u32, ApiError> {
    let text = text.trim();
    // Not a whole number: out of every range, reported as in_range reports it.
    let n: i64 = text
        .parse::<i64>()
        .unwrap_or_else(|_| match text.parse::<f64>() {
            Ok(f) if f.fract() == 0.0 && f.abs() < 1e12 => f as i64,
            _ => -1,
        });
    Ok(qr_core::in_range(name, n, min, max)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use qr_core::Error;

    #[test]
    fn the_seed_request_gets_the_python_defaults() {
        let o = from_json(br#"{"data":"https://example.com/product/123"}"#).unwrap();
        assert_eq!(o, GenerateOptions::new("https://example.com/product/123"));
        assert_eq!(
            (o.scale, o.margin, o.ec_level, o.format),
            (10, 4, EcLevel::H, Format::Png)
        );
    }

    #[test]
    fn python_field_names_and_numeric_strings_are_accepted() {
        let o = from_json(br#"{"data":"x","size":"7","error_correction":"m"}"#).unwrap();
        assert_eq!((o.scale, o.ec_level), (7, EcLevel::M));
        let o = from_json(br#"{"data":"x","size":12.0}"#).unwrap();
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
        let o = from_pairs(pairs).unwrap();
        assert_eq!(o.format, Format::Svg);
        assert_eq!((o.scale, o.margin, o.ec_level), (3, 0, EcLevel::Q));
        assert_eq!(o.fg, Rgba([0x11, 0x22, 0x33, 255]));
        assert_eq!(o.bg, Rgba([255, 255, 255, 0x80]));
    }

    #[test]
    fn scale_and_margin_are_checked_at_their_edges() {
        let at = |k: &str, v: &str| from_pairs([("data", "x"), (k, v)]);
        assert_eq!(at("scale", "1").unwrap().scale, 1);
        assert_eq!(at("scale", "50").unwrap().scale, 50);
        assert!(matches!(
            at("scale", "0"),
            Err(ApiError::Core(Error::InvalidOption { .. }))
        ));
        assert!(matches!(
            at("scale", "51"),
            Err(ApiError::Core(Error::InvalidOption { .. }))
        ));
        assert!(matches!(
            at("scale", "2.5"),
            Err(ApiError::Core(Error::InvalidOption { .. }))
        ));
        assert_eq!(at("margin", "0").unwrap().margin, 0);
        assert_eq!(at("margin", "64").unwrap().margin, 64);
        assert!(matches!(
            at("margin", "65"),
            Err(ApiError::Core(Error::InvalidOption { .. }))
        ));
        assert!(matches!(
            at("margin", "-1"),
            Err(ApiError::Core(Error::InvalidOption { .. }))
        ));
    }

    #[test]
    fn data_is_required_and_bounded() {
        assert_eq!(from_json(b"{}"), Err(ApiError::Core(Error::MissingData)));
        assert_eq!(
            from_json(br#"{"data":""}"#),
            Err(ApiError::Core(Error::MissingData))
        );
        assert_eq!(from_json(br#"{"data":5}"#).unwrap().data, "5");
        assert_eq!(
            from_json(br#"{"data":[1]}"#),
            Err(ApiError::Core(Error::MissingData))
        );
        let max = "7".repeat(limits::MAX_DATA_BYTES);
        assert!(from_pairs([("data", max.as_str())]).is_ok());
        let over = "7".repeat(limits::MAX_DATA_BYTES + 1);
        assert_eq!(
            from_pairs([("data", over.as_str())]),
            Err(ApiError::Core(Error::DataTooLong {
                len: limits::MAX_DATA_BYTES + 1
            }))
        );
    }

    #[test]
    fn bad_values_name_the_field() {
        let e = from_json(br#"{"data":"x","error_correction":"Z"}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "option 'error_correction' must be one of L, M, Q, H"
        );
        let e = from_pairs([("data", "x"), ("fg", "red")]).unwrap_err();
        assert_eq!(e.to_string(), "option 'fg' must be #rrggbb or #rrggbbaa");
        let e = from_pairs([("data", "x"), ("size", "3"), ("scale", "3")]).unwrap_err();
        assert!(matches!(e, ApiError::Core(Error::InvalidOption { .. })));
        let e = from_pairs([("data", "x"), ("data", "y")]).unwrap_err();
        assert!(matches!(e, ApiError::Core(Error::InvalidOption { .. })));
        assert!(matches!(from_json(b"[1]"), Err(ApiError::InvalidJson(_))));
        assert!(matches!(from_json(b"{"), Err(ApiError::InvalidJson(_))));
    }

    #[test]
    fn a_payload_object_and_data_together_are_refused() {
        let e = from_json(br#"{"data":"x","tel":{"number":"1"}}"#).unwrap_err();
        assert!(
            matches!(
                e,
                ApiError::Core(Error::InvalidOption { ref name, .. }) if name == "tel"
            ),
            "{e}"
        );
        let e = from_json(br#"{"geo":{"lat":1,"lon":2},"tel":{"number":"1"}}"#).unwrap_err();
        assert!(
            matches!(e, ApiError::Core(Error::InvalidOption { .. })),
            "{e}"
        );
        // Dotted query fields make the same objects; a repeated field becomes a list.
        let o = from_pairs([
            ("vcard.name", "Ann"),
            ("vcard.phone", "1"),
            ("vcard.phone", "2"),
        ])
        .unwrap();
        assert!(
            o.data.contains("TEL;TYPE=voice:1\r\nTEL;TYPE=voice:2"),
            "{}",
            o.data
        );
    }

    #[test]
    fn append_and_max_version_are_checked_at_their_edges() {
        let at = |k: &str, v: &str| from_pairs([("data", "x"), (k, v)]);
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
            from_pairs([("data", data.as_str()), ("append", "auto")])
        };
        assert!(at_len(limits::MAX_APPEND_DATA_BYTES).is_ok());
        assert_eq!(
            at_len(limits::MAX_APPEND_DATA_BYTES + 1),
            Err(ApiError::Core(Error::AppendDataTooLong {
                len: limits::MAX_APPEND_DATA_BYTES + 1
            }))
        );
    }

    #[test]
    fn symbology_sets_its_own_level_and_quiet_zone_unless_given() {
        use qr_core::qr_encode::{Symbology, Version};
        let o = from_pairs([("data", "1"), ("symbology", "micro_qr")]).unwrap();
        assert_eq!(
            (o.symbology, o.ec_level, o.margin, o.version),
            (Symbology::MicroQr, EcLevel::L, 2, None)
        );
        let o =
            from_json(br#"{"data":"1","symbology":"RMQR","version":"r7x43","ecc":"H","margin":0}"#)
                .unwrap();
        assert_eq!(
            (o.symbology, o.ec_level, o.margin),
            (Symbology::Rmqr, EcLevel::H, 0)
        );
        assert_eq!(
            o.version,
            Some(Version::Rmqr {
                height: 7,
                width: 43
            })
        );
        assert!(from_pairs([("data", "1"), ("symbology", "aztec")]).is_err());
        assert!(from_pairs([("data", "1"), ("version", "R14x77")]).is_err());
        // Combinations are the typed options' to check.
        let mixed = from_pairs([("data", "1"), ("symbology", "rmqr"), ("version", "M2")]).unwrap();
        assert!(matches!(
            mixed.validate(),
            Err(qr_core::Error::InvalidOption { .. })
        ));
        let styled = from_pairs([
            ("data", "1"),
            ("symbology", "micro_qr"),
            ("eye_frame", "circle"),
        ])
        .unwrap();
        assert!(matches!(
            styled.validate(),
            Err(qr_core::Error::NotWithSymbology(_))
        ));
    }
}
