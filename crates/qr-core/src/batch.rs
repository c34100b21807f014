//! Batch generation: many codes from one request, streamed back as a ZIP archive.
//!
//! The request is JSON lines (one `/generate` JSON object per line, plus an optional `name`)
//! or CSV (a header row naming the columns, `data`, `name` and any option). Every line is
//! parsed and validated before the first byte goes out, so a bad line is a 400 naming it.
//! Then [`ZipStream`] yields one chunk per code (the ZIP local header and the image) and the
//! central directory last: memory is one image plus a directory entry per item, whatever the
//! batch's size. A code that fails while rendering (too little contrast, a logo that covers
//! too much) becomes a `<name>.error.txt` entry rather than a broken archive.
//!
//! ZIP: PKWARE APPNOTE 6.3, entries stored (images are already compressed), UTF-8 names,
//! a fixed 1980-01-01 timestamp so the same batch always gives the same bytes.

use serde_json::Value;

use crate::{Error, GenerateOptions, generate, limits};

/// One code of a batch.
#[derive(Debug, Clone)]
pub struct BatchItem {
    /// File name in the archive, extension included.
    pub name: String,
    /// What to generate.
    pub options: GenerateOptions,
}

/// Parses a batch body: CSV when `csv`, else JSON lines. Blank lines are skipped.
pub fn parse(body: &[u8], csv: bool) -> Result<Vec<BatchItem>, Error> {
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
        return Err(Error::BatchTooLarge { items: rows.len() });
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
type Row = (Option<String>, Result<GenerateOptions, Error>);

fn json_rows(text: &str) -> Result<Vec<(usize, Row)>, Error> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if rows.len() == limits::MAX_BATCH_ITEMS {
            return Err(Error::BatchTooLarge {
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
        rows.push((i + 1, (name, GenerateOptions::from_json(line.as_bytes()))));
    }
    Ok(rows)
}

fn csv_rows(text: &str) -> Result<Vec<(usize, Row)>, Error> {
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
            return Err(Error::BatchTooLarge {
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
        rows.push((line, (name, GenerateOptions::from_pairs(pairs))));
    }
    Ok(rows)
}

/// RFC 4180 records with the line each starts on: commas, double-quoted fields with `""`
/// for a quote, CRLF or LF line ends.
fn csv_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, Error> {
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

fn bad_line(line: usize, reason: &str) -> Error {
    Error::InvalidBatch {
        line,
        reason: reason.to_owned(),
    }
}

/// The archive, one chunk per item and the central directory last.
#[derive(Debug)]
pub struct ZipStream {
    items: std::vec::IntoIter<BatchItem>,
    /// `None` once the directory is sent.
    zip: Option<ZipWriter>,
}

impl ZipStream {
    /// Streams `items` (at most [`limits::MAX_BATCH_ITEMS`], as [`parse`] ensures).
    pub fn new(items: Vec<BatchItem>) -> ZipStream {
        ZipStream {
            zip: Some(ZipWriter {
                directory: Vec::with_capacity(items.len() * 80),
                ..ZipWriter::default()
            }),
            items: items.into_iter(),
        }
    }
}

/// A stored ZIP archive written entry by entry: each [`ZipWriter::entry`] gives the bytes to
/// send next and keeps only its directory record, [`ZipWriter::finish`] the directory.
#[derive(Debug, Default)]
pub(crate) struct ZipWriter {
    directory: Vec<u8>,
    entries: u16,
    offset: u64,
}

impl ZipWriter {
    /// The local header and data of one stored entry; its directory record is kept.
    pub(crate) fn entry(&mut self, name: &str, data: &[u8]) -> Vec<u8> {
        let crc = qr_encode::crc32(data);
        let len = data.len() as u32;
        let name_len = name.len() as u16;
        let mut local = Vec::with_capacity(30 + name.len() + data.len());
        local.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        common_header(&mut local, crc, len, name_len);
        local.extend_from_slice(&0u16.to_le_bytes()); // extra field length
        local.extend_from_slice(name.as_bytes());
        local.extend_from_slice(data);

        let dir = &mut self.directory;
        dir.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        dir.extend_from_slice(&20u16.to_le_bytes()); // made by: 2.0
        common_header(dir, crc, len, name_len);
        dir.extend_from_slice(&[0; 2 + 2 + 2 + 2 + 4]); // extra, comment, disk, internal, external
        dir.extend_from_slice(&(self.offset as u32).to_le_bytes());
        dir.extend_from_slice(name.as_bytes());

        self.entries += 1;
        self.offset += local.len() as u64;
        local
    }

    /// The central directory and its end record: the archive's last bytes.
    pub(crate) fn finish(self) -> Vec<u8> {
        let mut end = self.directory;
        let size = end.len() as u32;
        end.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        end.extend_from_slice(&[0; 4]); // this disk, directory disk
        end.extend_from_slice(&self.entries.to_le_bytes());
        end.extend_from_slice(&self.entries.to_le_bytes());
        end.extend_from_slice(&size.to_le_bytes());
        end.extend_from_slice(&(self.offset as u32).to_le_bytes());
        end.extend_from_slice(&0u16.to_le_bytes());
        end
    }
}

/// Version needed, flags (UTF-8 names), method (stored), time, date, CRC, sizes, name length.
fn common_header(out: &mut Vec<u8>, crc: u32, len: u32, name_len: u16) {
    out.extend_from_slice(&20u16.to_le_bytes());
    out.extend_from_slice(&0x0800u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // 00:00:00
    out.extend_from_slice(&0x0021u16.to_le_bytes()); // 1980-01-01
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&name_len.to_le_bytes());
}

impl Iterator for ZipStream {
    type Item = Vec<u8>;

    fn next(&mut self) -> Option<Vec<u8>> {
        let zip = self.zip.as_mut()?;
        let Some(item) = self.items.next() else {
            return self.zip.take().map(ZipWriter::finish);
        };
        Some(match generate(&item.options) {
            Ok(image)
                if zip.offset + image.bytes.len() as u64 <= limits::MAX_BATCH_OUTPUT_BYTES =>
            {
                zip.entry(&item.name, &image.bytes)
            }
            Ok(_) => {
                // Past the archive limit: say so in the archive and end it here.
                self.items = Vec::new().into_iter();
                let why = format!(
                    "the archive stops before {}: it would pass MAX_BATCH_OUTPUT_BYTES ({} bytes)\n",
                    item.name,
                    limits::MAX_BATCH_OUTPUT_BYTES
                );
                zip.entry("TRUNCATED.txt", why.as_bytes())
            }
            Err(e) => zip.entry(
                &format!("{}.error.txt", item.name),
                format!("{e}\n").as_bytes(),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::Format;

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
        assert!(matches!(e, Error::InvalidBatch { line: 2, .. }), "{e}");
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
