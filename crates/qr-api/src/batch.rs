//! `POST /generate/batch`'s body: JSON lines (one `/generate` JSON object per line, plus an
//! optional `name`) or CSV (a header row naming the columns, `data`, `name` and any option),
//! read into [`BatchItem`]s for qr-core's ZIP stream. Every line is parsed and validated
//! before the first byte goes out, so a bad line is a 400 naming it.

use serde_json::Value;

use crate::{ApiError, options};
use qr_core::batch::BatchItem;
use qr_core::{GenerateOptions, limits};

/// Parses a batch body: CSV when `csv`, else JSON lines. Blank lines are skipped.
pub fn parse(body: &[u8], csv: bool) -> Result<Vec<BatchItem>, ApiError> {
    let text = std::str::from_utf8(body).map_err(|e| bad_line(0, &format!("not UTF-8: {e}")))?;
    let rows: Vec<(usize, Row)> = if csv {
        csv_rows(text)?
    } else {
        json_rows(text)?
    };
    if rows.is_empty() {
        return Err(bad_line(0, "no items"));
    }
    if rows.len() > limits::MAX_BATCH_ITEMS {
        return Err(ApiError::BatchTooLarge { items: rows.len() });
    }
    let mut names = std::collections::HashSet::with_capacity(rows.len());
    let mut items = Vec::with_capacity(rows.len());
    for (line, (name, options)) in rows {
        let options = options.map_err(|e| bad_line(line, &e.to_string()))?;
        if options.append.is_some() {
            return Err(bad_line(
                line,
                "'append' makes an archive of its own: send it to /generate",
            ));
        }
        let name = file_name(name.as_deref(), line, options.format.extension())
            .map_err(|reason| bad_line(line, &reason))?;
        if !names.insert(name.clone()) {
            return Err(bad_line(line, &format!("file name '{name}' is used twice")));
        }
        items.push(BatchItem { name, options });
    }
    Ok(items)
}

/// A parsed line: its `name` column, and its options or why they are wrong.
type Row = (Option<String>, Result<GenerateOptions, ApiError>);

fn json_rows(text: &str) -> Result<Vec<(usize, Row)>, ApiError> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if rows.len() == limits::MAX_BATCH_ITEMS {
            return Err(ApiError::BatchTooLarge {
                items: rows.len()
                    + 1
                    + text
                        .lines()
                        .skip(i + 1)
                        .filter(|l| !l.trim().is_empty())
                        .count(),
            });
        }
        let name = match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(map)) => match map.get("name") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => return Err(bad_line(i + 1, "'name' must be a string")),
            },
            _ => return Err(bad_line(i + 1, "must be a JSON object")),
        };
        rows.push((i + 1, (name, options::from_json(line.as_bytes()))));
    }
    Ok(rows)
}

fn csv_rows(text: &str) -> Result<Vec<(usize, Row)>, ApiError> {
    let records = csv_records(text)?;
    let mut records = records.into_iter();
    let Some((_, header)) = records.next() else {
        return Ok(Vec::new());
    };
    let header: Vec<String> = header.into_iter().map(|h| h.trim().to_owned()).collect();
    if !header.iter().any(|h| h == "data" || h.contains('.')) {
        return Err(bad_line(
            1,
            "the header row must name the columns: data, name, options",
        ));
    }
    let mut rows = Vec::new();
    for (line, record) in records {
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if rows.len() == limits::MAX_BATCH_ITEMS {
            return Err(ApiError::BatchTooLarge {
                items: rows.len() + 1,
            });
        }
        if record.len() > header.len() {
            return Err(bad_line(
                line,
                &format!(
                    "has {} fields; the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        let pairs: Vec<(&str, &str)> = header
            .iter()
            .zip(&record)
            .filter(|(k, v)| k.as_str() != "name" && !v.is_empty())
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let name = header
            .iter()
            .zip(&record)
            .find(|(k, v)| k.as_str() == "name" && !v.is_empty())
            .map(|(_, v)| v.clone());
        rows.push((line, (name, options::from_pairs(pairs))));
    }
    Ok(rows)
}

/// RFC 4180 records with the line each starts on: commas, double-quoted fields with `""`
/// for a quote, CRLF or LF line ends.
fn csv_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, ApiError> {
    let mut records = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let (mut line, mut start) = (1, 1);
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => fields.push(std::mem::take(&mut field)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                fields.push(std::mem::take(&mut field));
                records.push((start, std::mem::take(&mut fields)));
                line += 1;
                start = line;
            }
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(bad_line(start, "a quoted field does not end"));
    }
    if !field.is_empty() || !fields.is_empty() {
        fields.push(field);
        records.push((start, fields));
    }
    Ok(records)
}

/// A safe archive member name: the client's (letters, digits, `._-` and spaces kept, the rest
/// `_`, no directories, at most 100 bytes) with the format's extension, or the line number.
fn file_name(name: Option<&str>, line: usize, extension: &str) -> Result<String, String> {
    let Some(name) = name else {
        return Ok(format!("{line:06}.{extension}"));
    };
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_owned();
    if clean.is_empty() || clean.len() > 100 {
        return Err(
            "'name' must be 1 to 100 bytes of letters, digits, '.', '_', '-' or spaces".into(),
        );
    }
    let suffix = format!(".{extension}");
    Ok(if clean.to_ascii_lowercase().ends_with(&suffix) {
        clean
    } else {
        clean + &suffix
    })
}

fn bad_line(line: usize, reason: &str) -> ApiError {
    ApiError::InvalidBatch {
        line,
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use qr_core::Format;

    #[test]
    fn json_lines_and_csv_give_the_same_items() {
        let json = parse(
            b"{\"data\":\"a\",\"name\":\"first\"}\n\n{\"data\":\"b\",\"format\":\"svg\"}\n",
            false,
        )
        .unwrap();
        let csv = parse(b"data,name,format\r\na,first,\r\nb,,svg\r\n", true).unwrap();
        for items in [json, csv] {
            let names: Vec<_> = items.iter().map(|i| i.name.as_str()).collect();
            assert!(
                names[0] == "first.png" && names[1].ends_with(".svg"),
                "{names:?}"
            );
            assert_eq!(items[1].options.format, Format::Svg);
        }
    }

    #[test]
    fn csv_quotes_hold_commas_quotes_and_newlines() {
        let r = csv_records("data,name\n\"a,b \"\"c\"\"\nd\",x\n").unwrap();
        assert_eq!(r[1], (2, vec!["a,b \"c\"\nd".to_owned(), "x".to_owned()]));
        assert!(csv_records("data\n\"open").is_err());
    }

    #[test]
    fn bad_lines_are_named_and_names_are_made_safe() {
        let e = parse(b"{\"data\":\"a\"}\n{\"data\":\"\"}\n", false).unwrap_err();
        assert!(matches!(e, ApiError::InvalidBatch { line: 2, .. }), "{e}");
        let e = parse(
            b"{\"data\":\"a\",\"name\":\"x\"}\n{\"data\":\"b\",\"name\":\"x.png\"}\n",
            false,
        )
        .unwrap_err();
        assert!(e.to_string().contains("twice"), "{e}");
        assert_eq!(
            file_name(Some("../etc/passwd"), 1, "png").unwrap(),
            "_etc_passwd.png"
        );
        assert_eq!(file_name(None, 7, "svg").unwrap(), "000007.svg");
        assert!(file_name(Some("..."), 1, "png").is_err());
    }
}
