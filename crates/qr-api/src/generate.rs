//! `/generate`, `/health` and the catch-all, served by the generate component.

use qr_core::GenerateOptions;

use crate::{ApiError, Problem, Reply, Request, Streamed, media_type, options};

pub(crate) fn handle(req: &Request<'_>) -> Reply {
    match (req.path, req.method) {
        ("/generate", "GET") => {
            let reply = respond(options_from_form(req.query.as_bytes()), true);
            not_modified(reply, req.if_none_match)
        }
        ("/generate", "POST") => respond(options_from_body(req), false),
        ("/generate", _) => Reply::not_allowed(req, "GET, POST"),
        ("/generate/batch", _) => match stream(req) {
            Some(Ok(streamed)) => streamed.collect(),
            Some(Err(reply)) => reply,
            None => Problem::not_found(req.path).into_reply(),
        },
        ("/health", "GET") => Reply::json(&serde_json::json!({
            "status": "ok",
            "service": "qr-workshop",
            "version": env!("CARGO_PKG_VERSION"),
        })),
        ("/health", _) => Reply::not_allowed(req, "GET"),
        (path, _) => Problem::not_found(path).into_reply(),
    }
}

/// `POST /generate/batch`: JSON lines, or CSV when the content type says `text/csv`; every
/// line is checked before the ZIP starts (see [`crate::batch`]).
pub(crate) fn stream(req: &Request<'_>) -> Option<Result<Streamed, Reply>> {
    if req.path != "/generate/batch" {
        return None;
    }
    if req.method != "POST" {
        return Some(Err(Reply::not_allowed(req, "POST")));
    }
    let csv = media_type(req.content_type).as_deref() == Some("text/csv");
    Some(match crate::batch::parse(req.body, csv) {
        Ok(items) => Ok(Streamed {
            headers: vec![
                ("content-type", "application/zip".into()),
                (
                    "content-disposition",
                    "attachment; filename=\"qr-codes.zip\"".into(),
                ),
                ("x-qr-items", items.len().to_string()),
            ],
            chunks: Box::new(qr_core::batch::ZipStream::new(items)),
        }),
        Err(e) => Err(e.into()),
    })
}

/// A POST body is JSON (the Python service's contract) unless it says it is a form or
/// multipart (whose `logo` part is the logo file, the other parts option fields).
fn options_from_body(req: &Request<'_>) -> Result<GenerateOptions, ApiError> {
    match media_type(req.content_type).as_deref() {
        Some("application/x-www-form-urlencoded") => options_from_form(req.body),
        Some("multipart/form-data") => {
            let parts = crate::multipart::parts(req.content_type.unwrap_or(""), req.body)?;
            let mut logo = None;
            let mut pairs = Vec::with_capacity(parts.len());
            for (name, content) in parts {
                if name == "logo" {
                    if logo.replace(content.to_vec()).is_some() {
                        return Err(ApiError::invalid("logo", "is given twice"));
                    }
                    continue;
                }
                let text = std::str::from_utf8(content).map_err(|_| {
                    ApiError::InvalidMultipart(format!("field '{name}' is not UTF-8 text"))
                })?;
                pairs.push((name, text));
            }
            options::from_pairs_and_logo(pairs.iter().map(|(k, v)| (k.as_str(), *v)), logo)
        }
        _ => options::from_json(req.body),
    }
}

/// Options from `application/x-www-form-urlencoded` bytes: a query string or a form body.
fn options_from_form(form: &[u8]) -> Result<GenerateOptions, ApiError> {
    let pairs: Vec<_> = form_urlencoded::parse(form).collect();
    options::from_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
}

fn respond(options: Result<GenerateOptions, ApiError>, cacheable: bool) -> Reply {
    match options.and_then(|o| Ok(qr_core::generate(&o)?)) {
        Ok(image) => {
            let mut reply = Reply::ok(image.content_type, image.bytes);
            reply
                .headers
                .push(("x-qr-version", image.version.to_string()));
            if let Some(n) = image.symbols {
                // A structured-append sequence: a ZIP of its symbols or a PDF of its pages.
                reply.headers.push(("x-qr-symbols", n.to_string()));
            }
            if cacheable {
                // The same query always yields the same bytes: let CDNs and browsers keep it.
                reply.headers.push((
                    "cache-control",
                    "public, max-age=31536000, immutable".into(),
                ));
                let tag = etag(&reply.body);
                reply.headers.push(("etag", tag));
            }
            reply
        }
        Err(e) => e.into(),
    }
}

/// A strong entity tag for `body`: a 64-bit hash of the bytes and their length, so equal
/// tags mean equal bytes (to the odds of a 64-bit collision) whichever build or host made
/// them. Eight bytes per multiply (FxHash's step, then MurmurHash3's finaliser), not FNV-1a's
/// one: on the seed request's ~680-byte PNG in wasm that was a measurable share of the call.
fn etag(body: &[u8]) -> String {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let step = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut words = body.chunks_exact(8);
    let mut h = body.len() as u64;
    for w in &mut words {
        h = step(h, u64::from_le_bytes(w.try_into().unwrap_or_default()));
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = step(h, u64::from_le_bytes(last));
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    format!("\"{h:016x}\"")
}

/// RFC 9110 §13.1.2: a 200 whose tag matches `If-None-Match` (`*`, or one of a comma-separated
/// list, compared weakly) becomes a 304 with the same validators and no body.
fn not_modified(mut reply: Reply, if_none_match: Option<&str>) -> Reply {
    let (Some(tag), Some(header)) = (reply.header("etag"), if_none_match) else {
        return reply;
    };
    let matches = header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == tag);
    if reply.status == 200 && matches {
        reply.status = 304;
        reply.body.clear();
        // A 304 repeats the validators and caching headers, not the representation's type.
        reply.headers.retain(|(k, _)| *k != "content-type");
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_bytes_share_a_tag_and_different_bytes_do_not() {
        assert_eq!(etag(b"abc"), etag(b"abc"));
        assert_ne!(etag(b"abc"), etag(b"abd"));
        assert_eq!(etag(b"").len(), 18);
        // The length is hashed: trailing zeros are not the same bytes.
        assert_ne!(etag(b"abc"), etag(b"abc\0"));
        assert_ne!(etag(b""), etag(b"\0"));
        // Every byte of a whole word and of the tail counts.
        let base = [7u8; 21];
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(etag(&base)));
        for i in 0..base.len() {
            let mut b = base;
            b[i] ^= 1;
            assert!(seen.insert(etag(&b)), "byte {i}");
        }
    }

    #[test]
    fn if_none_match_accepts_lists_weak_tags_and_the_star() {
        let reply = || {
            let mut r = Reply::ok("image/png", vec![1, 2, 3]);
            r.headers.push(("etag", etag(&[1, 2, 3])));
            r
        };
        let tag = etag(&[1, 2, 3]);
        for header in [tag.clone(), format!("\"x\", W/{tag}"), "*".into()] {
            let r = not_modified(reply(), Some(&header));
            assert_eq!((r.status, r.body.len()), (304, 0), "{header}");
            assert_eq!(r.header("etag"), Some(tag.as_str()));
            assert_eq!(r.header("content-type"), None);
        }
        assert_eq!(not_modified(reply(), Some("\"other\"")).status, 200);
        assert_eq!(not_modified(reply(), None).status, 200);
    }
}
