//! Payload builders: structured fields in, the exact text each format's specification asks
//! for out, with that format's escaping.
//!
//! A client that sends `{"wifi": {"ssid": "Café;1", "password": "p:w"}}` should not need to
//! know that Wi-Fi codes escape `;` and `:` with a backslash while vCard escapes `,` too and
//! `mailto:` percent-encodes: each builder below cites its specification and the tests compare
//! its output with examples written from that specification.
//!
//! Every builder takes its fields as a JSON object (`qr-api` makes one from a request's
//! `wifi` object or its dotted `wifi.ssid=…` pairs) and returns the payload text, or
//! [`Error::InvalidOption`] naming the field (`wifi.ssid`) and what is wrong with it.

use std::fmt::Write;

use serde_json::{Map, Value};

use crate::{EcLevel, Error};

/// The payload kinds, by the JSON field that carries each one.
pub const KINDS: [&str; 10] = [
    "wifi", "vcard", "mecard", "geo", "tel", "sms", "mailto", "event", "epc", "data",
];

/// A built payload and the error-correction level its specification asks for, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The text to encode.
    pub text: String,
    /// EPC069-12 requires level M; the other formats leave it to the caller.
    pub ec_level: Option<EcLevel>,
}

/// Builds the payload of kind `kind` (one of [`KINDS`] but `data`) from its fields.
pub fn build(kind: &str, fields: &Value) -> Result<Built, Error> {
    let Value::Object(map) = fields else {
        return Err(Error::invalid_option(kind, "must be an object of fields"));
    };
    let f = Fields { kind, map };
    let text = match kind {
        "wifi" => wifi(&f)?,
        "vcard" => vcard(&f)?,
        "mecard" => mecard(&f)?,
        "geo" => geo(&f)?,
        "tel" => tel(&f)?,
        "sms" => sms(&f)?,
        "mailto" => mailto(&f)?,
        "event" => event(&f)?,
        "epc" => {
            return Ok(Built {
                text: epc(&f)?,
                ec_level: Some(EcLevel::M),
            });
        }
        _ => return Err(Error::invalid_option(kind, "is not a payload kind")),
    };
    Ok(Built {
        text,
        ec_level: None,
    })
}

/// The fields of one payload object, with errors named `kind.field`.
struct Fields<'a> {
    kind: &'a str,
    map: &'a Map<String, Value>,
}

impl Fields<'_> {
    fn err(&self, field: &str, reason: &str) -> Error {
        Error::invalid_option(&format!("{}.{field}", self.kind), reason)
    }

    /// A text field; numbers are taken in their JSON spelling, empty strings count as absent.
    fn text(&self, field: &str) -> Result<Option<String>, Error> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(self.err(field, "must be a string")),
        }
    }

    fn required(&self, field: &str) -> Result<String, Error> {
        self.text(field)?
            .ok_or_else(|| self.err(field, "is required"))
    }

    /// A list of text values: a JSON array, or one string (a query gives one value).
    fn list(&self, field: &str) -> Result<Vec<String>, Error> {
        match self.map.get(field) {
            Some(Value::Array(items)) => items
                .iter()
                .filter(|v| !v.is_null())
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(self.err(field, "must be a list of strings")),
                })
                .filter(|s| s.as_ref().map_or(true, |s| !s.is_empty()))
                .collect(),
            _ => Ok(self.text(field)?.into_iter().collect()),
        }
    }

    fn flag(&self, field: &str) -> Result<bool, Error> {
        match self.map.get(field) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => Ok(true),
                "false" | "0" | "no" | "off" | "" => Ok(false),
                _ => Err(self.err(field, "must be true or false")),
            },
            Some(_) => Err(self.err(field, "must be true or false")),
        }
    }

    /// A number within `min..=max`, as a JSON number or a numeric string, kept in the
    /// spelling it came in (`48.1000` stays so) once it parses.
    fn coordinate(&self, field: &str, min: f64, max: f64) -> Result<String, Error> {
        let text = self.required(field)?;
        let text = text.trim().to_owned();
        let ok = !text.contains(['e', 'E', 'x', 'X', 'i', 'I', 'n', 'N', '+'])
            && text.parse::<f64>().is_ok_and(|v| (min..=max).contains(&v));
        if ok {
            Ok(text)
        } else {
            Err(self.err(
                field,
                &format!("must be a decimal number from {min} to {max}"),
            ))
        }
    }
}

/// Wi-Fi network (the `WIFI:` scheme of ZXing's and Android's readers, also read by iOS):
/// `WIFI:T:WPA;S:<ssid>;P:<password>;H:true;;`. In `S` and `P`, `\ ; , : "` are escaped with
/// a backslash. `security` is `WPA` (WPA/WPA2/WPA3 personal), `WEP` or `nopass`; it
/// defaults to `WPA` with a password and `nopass` without.
fn wifi(f: &Fields<'_>) -> Result<String, Error> {
    let ssid = f.required("ssid")?;
    let password = f.text("password")?;
    let security = match f.text("security")? {
        None if password.is_some() => "WPA",
        None => "nopass",
        Some(s) => match s.to_ascii_uppercase().as_str() {
            "WPA" | "WPA2" | "WPA3" => "WPA",
            "WEP" => "WEP",
            "NOPASS" | "NONE" | "OPEN" => "nopass",
            _ => return Err(f.err("security", "must be WPA, WEP or nopass")),
        },
    };
    let mut s = format!(
        "WIFI:T:{security};S:{};",
        escape_backslash(&ssid, ";,:\"\\")
    );
    match (security, password) {
        ("nopass", Some(_)) => {
            return Err(f.err("password", "must be absent when security is nopass"));
        }
        ("nopass", None) => {}
        (_, None) => return Err(f.err("password", "is required for WPA and WEP")),
        (_, Some(p)) => {
            let _ = write!(s, "P:{};", escape_backslash(&p, ";,:\"\\"));
        }
    }
    if f.flag("hidden")? {
        s.push_str("H:true;");
    }
    s.push(';');
    Ok(s)
}

/// Contact as a vCard (RFC 2426 for `version` 3, the default; RFC 6350 for 4). Text values
/// escape `\`, `,`, `;` and newlines (`\n`); lines end in CRLF and are folded at 75 octets.
fn vcard(f: &Fields<'_>) -> Result<String, Error> {
    let version = match f.text("version")?.as_deref() {
        None | Some("3" | "3.0") => "3.0",
        Some("4" | "4.0") => "4.0",
        Some(_) => return Err(f.err("version", "must be 3 or 4")),
    };
    let contact = Contact::read(f)?;
    let mut lines = vec!["BEGIN:VCARD".to_owned(), format!("VERSION:{version}")];
    let n = [&contact.last, &contact.first]
        .map(|p| vtext(p.as_deref().unwrap_or("")))
        .join(";");
    lines.push(format!("N:{n};;;"));
    lines.push(format!("FN:{}", vtext(&contact.full_name())));
    let text_line =
        |prop: &str, value: &Option<String>| value.as_ref().map(|v| format!("{prop}:{}", vtext(v)));
    lines.extend(text_line("ORG", &contact.org));
    lines.extend(text_line("TITLE", &contact.title));
    for tel in &contact.phones {
        lines.push(format!("TEL;TYPE=voice:{}", vtext(tel)));
    }
    for email in &contact.emails {
        lines.push(format!("EMAIL:{}", vtext(email)));
    }
    // URL is a URI value, not text: its commas and semicolons are not escaped.
    if let Some(url) = &contact.url {
        lines.push(format!("URL:{url}"));
    }
    if let Some(adr) = &contact.address {
        lines.push(format!("ADR:;;{};;;;", vtext(adr)));
    }
    lines.extend(text_line("NOTE", &contact.note));
    lines.push("END:VCARD".into());
    Ok(lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n"))
}

/// Contact as a MeCard (NTT DoCoMo's format, read by most phone cameras):
/// `MECARD:N:<last>,<first>;TEL:…;EMAIL:…;;`. Values escape `\ ; : , "` with a backslash.
fn mecard(f: &Fields<'_>) -> Result<String, Error> {
    let c = Contact::read(f)?;
    let esc = |v: &str| escape_backslash(v, "\\;:,\"");
    let name = match (&c.last, &c.first) {
        (Some(l), Some(fi)) => format!("{},{}", esc(l), esc(fi)),
        _ => esc(&c.full_name()),
    };
    let mut s = format!("MECARD:N:{name};");
    for (prop, v) in [("ORG", &c.org), ("TITLE", &c.title)] {
        if let Some(v) = v {
            let _ = write!(s, "{prop}:{};", esc(v));
        }
    }
    for tel in &c.phones {
        let _ = write!(s, "TEL:{};", esc(tel));
    }
    for email in &c.emails {
        let _ = write!(s, "EMAIL:{};", esc(email));
    }
    for (prop, v) in [("URL", &c.url), ("ADR", &c.address), ("NOTE", &c.note)] {
        if let Some(v) = v {
            let _ = write!(s, "{prop}:{};", esc(v));
        }
    }
    s.push(';');
    Ok(s)
}

/// The fields vCard and MeCard share.
struct Contact {
    first: Option<String>,
    last: Option<String>,
    name: Option<String>,
    org: Option<String>,
    title: Option<String>,
    phones: Vec<String>,
    emails: Vec<String>,
    url: Option<String>,
    address: Option<String>,
    note: Option<String>,
}

impl Contact {
    fn read(f: &Fields<'_>) -> Result<Contact, Error> {
        let c = Contact {
            first: f.text("first_name")?,
            last: f.text("last_name")?,
            name: f.text("name")?,
            org: f.text("org")?,
            title: f.text("title")?,
            phones: f.list("phone")?,
            emails: f.list("email")?,
            url: f.text("url")?,
            address: f.text("address")?,
            note: f.text("note")?,
        };
        if c.first.is_none() && c.last.is_none() && c.name.is_none() {
            return Err(f.err("name", "or first_name or last_name is required"));
        }
        Ok(c)
    }

    /// `name` as given, else "first last".
    fn full_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            [&self.first, &self.last]
                .into_iter()
                .flatten()
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        })
    }
}

/// A point on Earth (RFC 5870): `geo:<lat>,<lon>` or `geo:<lat>,<lon>,<altitude>`.
fn geo(f: &Fields<'_>) -> Result<String, Error> {
    let lat = f.coordinate("lat", -90.0, 90.0)?;
    let lon = f.coordinate("lon", -180.0, 180.0)?;
    let mut s = format!("geo:{lat},{lon}");
    if f.text("alt")?.is_some() {
        let _ = write!(s, ",{}", f.coordinate("alt", -1e7, 1e7)?);
    }
    Ok(s)
}

/// A phone number as RFC 3966 allows it: an optional leading `+`, digits and the visual
/// separators `-.()`, which readers ignore; spaces are dropped.
fn phone(f: &Fields<'_>, field: &str) -> Result<String, Error> {
    let raw = f.required(field)?;
    let number: String = raw.chars().filter(|c| *c != ' ').collect();
    let digits = number.strip_prefix('+').unwrap_or(&number);
    let ok = digits.chars().any(|c| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || "-.()".contains(c));
    if ok {
        Ok(number)
    } else {
        Err(f.err(
            field,
            "must be digits with an optional leading + (and - . ( ) spaces)",
        ))
    }
}

/// A phone call (RFC 3966): `tel:+15551234567`.
fn tel(f: &Fields<'_>) -> Result<String, Error> {
    Ok(format!("tel:{}", phone(f, "number")?))
}

/// A text message (RFC 5724): `sms:<number>?body=<percent-encoded text>`.
fn sms(f: &Fields<'_>) -> Result<String, Error> {
    let mut s = format!("sms:{}", phone(f, "number")?);
    if let Some(body) = f.text("body")? {
        let _ = write!(s, "?body={}", percent(&body, b""));
    }
    Ok(s)
}

/// An e-mail (RFC 6068): `mailto:<to>?subject=…&body=…&cc=…&bcc=…`. Header values are
/// percent-encoded (line breaks as `%0D%0A`); several addresses are comma-separated.
fn mailto(f: &Fields<'_>) -> Result<String, Error> {
    let to = f.list("to")?;
    let address = |field: &str, a: &str| {
        let ok = a.contains('@') && !a.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            // `@` stays; `%`, `?`, `#`, `&`, `,` and the like would end or split the field.
            Ok(percent(a, b"@!$'()*+;=-._~"))
        } else {
            Err(f.err(field, "must be e-mail addresses"))
        }
    };
    let addrs = |field: &str, list: &[String]| -> Result<String, Error> {
        Ok(list
            .iter()
            .map(|a| address(field, a))
            .collect::<Result<Vec<_>, _>>()?
            .join(","))
    };
    let mut s = format!("mailto:{}", addrs("to", &to)?);
    let mut sep = '?';
    for field in ["cc", "bcc"] {
        let list = f.list(field)?;
        if !list.is_empty() {
            let _ = write!(s, "{sep}{field}={}", addrs(field, &list)?);
            sep = '&';
        }
    }
    for field in ["subject", "body"] {
        if let Some(v) = f.text(field)? {
            let v = v.replace("\r\n", "\n").replace('\n', "\r\n");
            let _ = write!(s, "{sep}{field}={}", percent(&v, b""));
            sep = '&';
        }
    }
    if s == "mailto:" {
        return Err(f.err("to", "or another field is required"));
    }
    Ok(s)
}

/// A calendar event: an RFC 5545 `VEVENT` as ZXing's and phone readers take it (no
/// `VCALENDAR` around it). TEXT values escape `\`, `;`, `,` and newlines; times are
/// `YYYY-MM-DD` (an all-day event), or `YYYY-MM-DDTHH:MM[:SS]` with an optional `Z` (UTC).
fn event(f: &Fields<'_>) -> Result<String, Error> {
    let mut lines = vec!["BEGIN:VEVENT".to_owned()];
    lines.push(format!("SUMMARY:{}", vtext(&f.required("summary")?)));
    let start = ical_time(f, "start")?.ok_or_else(|| f.err("start", "is required"))?;
    lines.push(format!("DTSTART{start}"));
    if let Some(end) = ical_time(f, "end")? {
        if end.starts_with(';') != start.starts_with(';') {
            return Err(f.err("end", "must be a date if start is, a date-time if start is"));
        }
        lines.push(format!("DTEND{end}"));
    }
    for (prop, field) in [("LOCATION", "location"), ("DESCRIPTION", "description")] {
        if let Some(v) = f.text(field)? {
            lines.push(format!("{prop}:{}", vtext(&v)));
        }
    }
    lines.push("END:VEVENT".into());
    Ok(lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n"))
}

/// `:20261130T090000Z` from `2026-11-30T09:00Z`, `;VALUE=DATE:20261130` from `2026-11-30`.
fn ical_time(f: &Fields<'_>, field: &str) -> Result<Option<String>, Error> {
    let Some(t) = f.text(field)? else {
        return Ok(None);
    };
    let bad = || f.err(field, "must be YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]");
    let (date, time) = match t.split_once(['T', 't', ' ']) {
        Some((d, t)) => (d, Some(t)),
        None => (t.as_str(), None),
    };
    let d: Vec<&str> = date.split('-').collect();
    let num = |s: &str, len: usize, max: u32| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
            .filter(|n| *n <= max)
    };
    let [y, m, day] = d[..] else {
        return Err(bad());
    };
    let (Some(_), Some(1..), Some(1..)) = (num(y, 4, 9999), num(m, 2, 12), num(day, 2, 31)) else {
        return Err(bad());
    };
    let ymd = format!("{y}{m}{day}");
    let Some(time) = time else {
        return Ok(Some(format!(";VALUE=DATE:{ymd}")));
    };
    let (time, utc) = match time.strip_suffix(['Z', 'z']) {
        Some(t) => (t, "Z"),
        None => (time, ""),
    };
    let hms: Vec<&str> = time.split(':').collect();
    let (h, mi, s) = match hms[..] {
        [h, mi] => (h, mi, "00"),
        [h, mi, s] => (h, mi, s),
        _ => return Err(bad()),
    };
    if num(h, 2, 23).is_none() || num(mi, 2, 59).is_none() || num(s, 2, 60).is_none() {
        return Err(bad());
    }
    Ok(Some(format!(":{ymd}T{h}{mi}{s}{utc}")))
}

/// A SEPA credit transfer (European Payments Council EPC069-12, "Quick Response Code:
/// guidelines to enable data capture for the initiation of a SEPA credit transfer", version
/// 002, UTF-8): twelve LF-separated lines, trailing empty ones left out.
///
/// `name` up to 70 characters, `iban` checked (ISO 13616 mod 97), `bic` optional (8 or 11),
/// `amount` in euro from 0.01 to 999999999.99, `purpose` a 4-letter code, then either a
/// structured `reference` (up to 35) or a free `text` (up to 140), and `information` (up to
/// 70). The whole payload is at most 331 bytes, and the guidelines ask for level M.
fn epc(f: &Fields<'_>) -> Result<String, Error> {
    let bounded = |field: &str, max: usize, required: bool| -> Result<String, Error> {
        let v = if required {
            f.required(field)?
        } else {
            f.text(field)?.unwrap_or_default()
        };
        if v.chars().count() > max {
            return Err(f.err(field, &format!("must be at most {max} characters")));
        }
        if v.contains(['\n', '\r']) {
            return Err(f.err(field, "must be one line"));
        }
        Ok(v)
    };
    let name = bounded("name", 70, true)?;
    let iban: String = f
        .required("iban")?
        .chars()
        .filter(|c| *c != ' ')
        .collect::<String>()
        .to_ascii_uppercase();
    if !iban_valid(&iban) {
        return Err(f.err("iban", "is not a valid IBAN (ISO 13616 check digits)"));
    }
    let bic = bounded("bic", 11, false)?.to_ascii_uppercase();
    if !(bic.is_empty()
        || (bic.len() == 8 || bic.len() == 11) && bic.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Err(f.err("bic", "must be 8 or 11 letters and digits"));
    }
    let amount = match f.text("amount")? {
        None => String::new(),
        Some(a) => format!(
            "EUR{}",
            euro(&a).ok_or_else(|| {
                f.err(
                    "amount",
                    "must be euro from 0.01 to 999999999.99, at most 2 decimals",
                )
            })?
        ),
    };
    let purpose = bounded("purpose", 4, false)?.to_ascii_uppercase();
    if !(purpose.is_empty()
        || purpose.len() == 4 && purpose.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        return Err(f.err("purpose", "must be a 4-letter ISO 20022 purpose code"));
    }
    let reference = bounded("reference", 35, false)?;
    let text = bounded("text", 140, false)?;
    if !reference.is_empty() && !text.is_empty() {
        return Err(f.err("text", "and reference are exclusive: give one"));
    }
    let info = bounded("information", 70, false)?;
    let lines = [
        "BCD", "002", "1", "SCT", &bic, &name, &iban, &amount, &purpose, &reference, &text, &info,
    ];
    let last = lines.iter().rposition(|l| !l.is_empty()).unwrap_or(0);
    let s = lines[..=last].join("\n");
    if s.len() > 331 {
        return Err(f.err(
            "text",
            "makes the payload longer than EPC069-12's 331 bytes",
        ));
    }
    Ok(s)
}

/// `12.5` → `12.5`, `0.01` → `0.01`; `None` out of range or with more than 2 decimals.
fn euro(a: &str) -> Option<String> {
    let a = a.trim();
    let (int, frac) = a.split_once('.').unwrap_or((a, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 9 || frac.len() > 2 || !digits(int) || !digits(frac) {
        return None;
    }
    let cents = int.parse::<u64>().ok()? * 100 + format!("{frac:0<2}").parse::<u64>().ok()?;
    if cents == 0 {
        return None;
    }
    let (e, c) = (cents / 100, cents % 100);
    Some(match c {
        0 => format!("{e}"),
        c if c % 10 == 0 => format!("{e}.{}", c / 10),
        c => format!("{e}.{c:02}"),
    })
}

/// ISO 13616: two letters, two check digits, up to 30 alphanumerics; moving the first four
/// characters to the end and reading letters as 10 to 35 gives a number ≡ 1 (mod 97).
fn iban_valid(iban: &str) -> bool {
    let b = iban.as_bytes();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b.iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    let mut rem = 0u32;
    for &c in b[4..].iter().chain(&b[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    rem == 1
}

/// `value` with each of `special` preceded by a backslash.
fn escape_backslash(value: &str, special: &str) -> String {
    let mut s = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        if special.contains(c) {
            s.push('\\');
        }
        s.push(c);
    }
    s
}

/// A vCard / iCalendar TEXT value: `\` `,` `;` escaped, line breaks as `\n`.
fn vtext(value: &str) -> String {
    escape_backslash(&value.replace("\r\n", "\n"), "\\,;").replace('\n', "\\n")
}

/// Folds a content line at 75 octets (RFC 6350 §3.2, RFC 5545 §3.1): CRLF and one space,
/// never inside a UTF-8 character.
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out
}

/// Percent-encodes (RFC 3986) every byte but the unreserved ones and `keep`.
fn percent(value: &str, keep: &[u8]) -> String {
    let mut s = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "%{b:02X}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(kind: &str, fields: Value) -> String {
        build(kind, &fields).unwrap().text
    }

    fn err(kind: &str, fields: Value) -> String {
        build(kind, &fields).unwrap_err().to_string()
    }

    #[test]
    fn wifi_escapes_the_five_special_characters_in_ssid_and_password() {
        assert_eq!(
            text("wifi", json!({"ssid": "Café;1", "password": r#"p:w,"x"\"#})),
            r#"WIFI:T:WPA;S:Café\;1;P:p\:w\,\"x\"\\;;"#
        );
        assert_eq!(
            text("wifi", json!({"ssid": "guest", "hidden": true})),
            "WIFI:T:nopass;S:guest;H:true;;"
        );
        assert_eq!(
            text(
                "wifi",
                json!({"ssid": "old", "password": "12345", "security": "wep", "hidden": "false"})
            ),
            "WIFI:T:WEP;S:old;P:12345;;"
        );
        assert!(err("wifi", json!({"password": "x"})).contains("'wifi.ssid' is required"));
        assert!(err("wifi", json!({"ssid": "a", "security": "WPA"})).contains("wifi.password"));
        assert!(err("wifi", json!({"ssid": "a", "security": "EAP"})).contains("wifi.security"));
        assert!(err("wifi", json!({"ssid": "a", "hidden": "maybe"})).contains("wifi.hidden"));
        assert!(err("wifi", json!("x")).contains("'wifi' must be an object"));
    }

    #[test]
    fn vcard_3_escapes_text_values_and_ends_lines_in_crlf() {
        let v = text(
            "vcard",
            json!({
                "first_name": "Ann", "last_name": "O'Neil; Jr",
                "org": "Acme, Inc.", "phone": ["+1 555 0100", "+44 20 7946 0000"],
                "email": "ann@example.com", "url": "https://example.com/a,b",
                "address": "1 Main St\nSpringfield", "note": "back\\slash"
            }),
        );
        assert_eq!(
            v,
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:O'Neil\\; Jr;Ann;;;\r\nFN:Ann O'Neil\\; Jr\r\n\
             ORG:Acme\\, Inc.\r\nTEL;TYPE=voice:+1 555 0100\r\nTEL;TYPE=voice:+44 20 7946 0000\r\n\
             EMAIL:ann@example.com\r\nURL:https://example.com/a,b\r\n\
             ADR:;;1 Main St\\nSpringfield;;;;\r\nNOTE:back\\\\slash\r\nEND:VCARD"
        );
        let v4 = text("vcard", json!({"name": "Bob", "version": 4}));
        assert_eq!(
            v4,
            "BEGIN:VCARD\r\nVERSION:4.0\r\nN:;;;;\r\nFN:Bob\r\nEND:VCARD"
        );
        assert!(err("vcard", json!({"org": "x"})).contains("vcard.name"));
        assert!(err("vcard", json!({"name": "x", "version": "2.1"})).contains("vcard.version"));
    }

    #[test]
    fn long_vcard_lines_fold_at_75_octets_without_splitting_a_character() {
        let note = "é".repeat(60);
        let v = text("vcard", json!({"name": "X", "note": note}));
        for line in v.split("\r\n") {
            assert!(line.len() <= 75, "{line:?}");
        }
        let unfolded = v.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("NOTE:{note}\r\n")), "{v}");
    }

    #[test]
    fn mecard_escapes_backslash_semicolon_colon_comma_and_quote() {
        assert_eq!(
            text(
                "mecard",
                json!({"first_name": "Ann", "last_name": "Lee", "phone": "+15550100",
                       "email": "a@b.c", "note": r#"a;b:c,d"e\"#})
            ),
            r#"MECARD:N:Lee,Ann;TEL:+15550100;EMAIL:a@b.c;NOTE:a\;b\:c\,d\"e\\;;"#
        );
        assert_eq!(text("mecard", json!({"name": "Bob"})), "MECARD:N:Bob;;");
    }

    #[test]
    fn geo_tel_and_sms_follow_their_rfcs() {
        assert_eq!(
            text("geo", json!({"lat": 48.2082, "lon": "16.3738"})),
            "geo:48.2082,16.3738"
        );
        assert_eq!(
            text(
                "geo",
                json!({"lat": "-33.8688", "lon": 151.2093, "alt": 58})
            ),
            "geo:-33.8688,151.2093,58"
        );
        assert!(err("geo", json!({"lat": 91, "lon": 0})).contains("geo.lat"));
        assert!(err("geo", json!({"lat": 0, "lon": "1e2"})).contains("geo.lon"));
        assert_eq!(
            text("tel", json!({"number": "+1 (555) 010-0100"})),
            "tel:+1(555)010-0100"
        );
        assert!(err("tel", json!({"number": "call me"})).contains("tel.number"));
        assert_eq!(
            text(
                "sms",
                json!({"number": "+15550100", "body": "Hi & bye? 100%"})
            ),
            "sms:+15550100?body=Hi%20%26%20bye%3F%20100%25"
        );
    }

    #[test]
    fn mailto_percent_encodes_header_values_as_rfc_6068_asks() {
        assert_eq!(
            text(
                "mailto",
                json!({"to": ["a@example.com", "b@example.com"], "cc": "c@example.com",
                       "subject": "Order #12 & more", "body": "Line 1\nLine 2"})
            ),
            "mailto:a@example.com,b@example.com?cc=c@example.com&subject=Order%20%2312%20%26%20more\
             &body=Line%201%0D%0ALine%202"
        );
        assert_eq!(
            text("mailto", json!({"to": "x%y@ex.com"})),
            "mailto:x%25y@ex.com"
        );
        assert!(err("mailto", json!({"to": "not an address"})).contains("mailto.to"));
        assert!(err("mailto", json!({})).contains("mailto.to"));
    }

    #[test]
    fn events_escape_text_and_write_basic_format_times() {
        assert_eq!(
            text(
                "event",
                json!({"summary": "Launch; v2, final", "start": "2026-12-01T09:30Z",
                       "end": "2026-12-01T10:00:15Z", "location": "Room 1\nFloor 2"})
            ),
            "BEGIN:VEVENT\r\nSUMMARY:Launch\\; v2\\, final\r\nDTSTART:20261201T093000Z\r\n\
             DTEND:20261201T100015Z\r\nLOCATION:Room 1\\nFloor 2\r\nEND:VEVENT"
        );
        assert_eq!(
            text(
                "event",
                json!({"summary": "Holiday", "start": "2026-12-24"})
            ),
            "BEGIN:VEVENT\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20261224\r\nEND:VEVENT"
        );
        assert!(
            err("event", json!({"summary": "x", "start": "2026-13-01"})).contains("event.start")
        );
        assert!(err("event", json!({"summary": "x"})).contains("event.start"));
        assert!(
            err(
                "event",
                json!({"summary": "x", "start": "2026-12-01", "end": "2026-12-01T10:00"})
            )
            .contains("event.end")
        );
    }

    #[test]
    fn epc_writes_the_twelve_lines_of_version_002_and_asks_for_level_m() {
        let b = build(
            "epc",
            &json!({"name": "Red Cross", "iban": "BE72 0000 0000 1616", "bic": "bpotbeb1",
                    "amount": "12.5", "text": "Donation"}),
        )
        .unwrap();
        assert_eq!(
            b.text,
            "BCD\n002\n1\nSCT\nBPOTBEB1\nRed Cross\nBE72000000001616\nEUR12.5\n\n\nDonation"
        );
        assert_eq!(b.ec_level, Some(EcLevel::M));
        assert_eq!(
            text(
                "epc",
                json!({"name": "A", "iban": "DE89370400440532013000"})
            ),
            "BCD\n002\n1\nSCT\n\nA\nDE89370400440532013000"
        );
        let e = |fields: Value| err("epc", fields);
        assert!(e(json!({"name": "A", "iban": "DE89370400440532013001"})).contains("epc.iban"));
        assert!(
            e(json!({"name": "A", "iban": "DE89370400440532013000", "amount": "0"}))
                .contains("epc.amount")
        );
        assert!(
            e(json!({"name": "A", "iban": "DE89370400440532013000", "amount": "1.234"}))
                .contains("epc.amount")
        );
        assert!(
            e(json!({"name": "A", "iban": "DE89370400440532013000", "amount": "1000000000"}))
                .contains("epc.amount")
        );
        assert_eq!(euro("999999999.99").as_deref(), Some("999999999.99"));
        assert_eq!(euro("0.01").as_deref(), Some("0.01"));
        assert!(
            e(json!({"name": "x".repeat(71), "iban": "DE89370400440532013000"}))
                .contains("epc.name")
        );
        assert!(e(json!({"name": "A", "iban": "DE89370400440532013000", "reference": "R", "text": "T"})).contains("epc.text"));
    }
}
