//! Just enough `multipart/form-data` (RFC 7578) to take one file field out of a body that is
//! already in memory, without copying it.

use crate::ApiError;

/// Returns the content of the part named `field` in a `multipart/form-data` body (`/decode`'s
/// `file`).
#[cfg(feature = "decode")]
pub fn field<'b>(content_type: &str, body: &'b [u8], field: &str) -> Result<&'b [u8], ApiError> {
    let mut found = None;
    walk(content_type, body, |name, content| {
        if name == Some(field) && found.is_none() {
            found = Some(content);
        }
        found.is_some()
    })?;
    found.ok_or_else(|| ApiError::InvalidMultipart(format!("no field '{field}'")))
}

/// Every named part of a `multipart/form-data` body, in order (`/generate`'s fields and logo).
#[cfg(feature = "generate")]
pub fn parts<'b>(content_type: &str, body: &'b [u8]) -> Result<Vec<(String, &'b [u8])>, ApiError> {
    let mut all = Vec::new();
    walk(content_type, body, |name, content| {
        if let Some(name) = name {
            all.push((name.to_owned(), content));
        }
        false
    })?;
    Ok(all)
}

/// Calls `visit(name, content)` for each part until it returns true or the parts end.
fn walk<'b>(
    content_type: &str,
    body: &'b [u8],
    mut visit: impl FnMut(Option<&str>, &'b [u8]) -> bool,
) -> Result<(), ApiError> {
    let bad = |why: &str| ApiError::InvalidMultipart(why.to_owned());
    let boundary = boundary(content_type).ok_or_else(|| bad("no boundary in the content type"))?;
    let delimiter = [b"--", boundary.as_bytes()].concat();
    let mut rest = body;
    // Skip the preamble up to and including the first delimiter line.
    let start = find(rest, &delimiter).ok_or_else(|| bad("no part in the body"))?;
    rest = &rest[start + delimiter.len()..];
    let separator = [b"\r\n--", boundary.as_bytes()].concat();
    loop {
        if rest.starts_with(b"--") {
            return Ok(());
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or_else(|| bad("malformed delimiter line"))?;
        let head_end = find(rest, b"\r\n\r\n").ok_or_else(|| bad("part headers do not end"))?;
        let head = &rest[..head_end];
        let content_start = head_end + 4;
        let content_len = find(&rest[content_start..], &separator)
            .ok_or_else(|| bad("the closing boundary is missing"))?;
        let content = &rest[content_start..content_start + content_len];
        if visit(part_name(head).as_deref(), content) {
            return Ok(());
        }
        rest = &rest[content_start + content_len + separator.len()..];
    }
}

/// The `boundary` parameter, unquoted.
fn boundary(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"'))
            .filter(|b| !b.is_empty())
    })
}

/// The `name` parameter of a part's `Content-Disposition: form-data` header.
fn part_name(head: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(head);
    let disposition = head.split("\r\n").find(|line| {
        line.to_ascii_lowercase()
            .starts_with("content-disposition:")
    })?;
    disposition.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        (k.trim() == "name").then(|| v.trim().trim_matches('"').to_owned())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=\"XyZ\"";

    fn body(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = b"preamble\r\n".to_vec();
        for (name, content) in parts {
            b.extend_from_slice(b"--XyZ\r\n");
            b.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n")
                    .as_bytes(),
            );
            b.extend_from_slice(content);
            b.extend_from_slice(b"\r\n");
        }
        b.extend_from_slice(b"--XyZ--\r\n");
        b
    }

    #[test]
    fn the_named_part_is_returned_whole_even_with_crlf_inside() {
        let b = body(&[("other", b"zzz"), ("file", b"\x89PNG\r\n\x1a\n--Xy")]);
        assert_eq!(field(CT, &b, "file").unwrap(), b"\x89PNG\r\n\x1a\n--Xy");
    }

    #[test]
    fn parts_lists_every_named_part_in_order() {
        let b = body(&[("data", b"hi"), ("logo", b"\x89PNG")]);
        let all = parts(CT, &b).unwrap();
        assert_eq!(
            all,
            vec![
                ("data".to_owned(), &b"hi"[..]),
                ("logo".to_owned(), &b"\x89PNG"[..])
            ]
        );
    }

    #[test]
    fn a_missing_field_or_boundary_is_an_error() {
        let b = body(&[("other", b"zzz")]);
        assert_eq!(
            field(CT, &b, "file"),
            Err(ApiError::InvalidMultipart("no field 'file'".into()))
        );
        assert!(field("multipart/form-data", &b, "file").is_err());
        let mut cut = body(&[("file", b"abc")]);
        cut.truncate(cut.len() - 12);
        assert!(field(CT, &cut, "file").is_err());
        assert!(field(CT, b"", "file").is_err());
    }
}
