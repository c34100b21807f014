//! `/generate`, `/health` and the catch-all, served by the generate component.

use qr_core::{Error, GenerateOptions};

use crate::{Problem, Reply, Request, media_type};

pub(crate) fn handle(req: &Request<'_>) -> Reply {
    match (req.path, req.method) {
        ("/generate", "GET") => respond(options_from_form(req.query.as_bytes()), true),
        ("/generate", "POST") => respond(options_from_body(req), false),
        ("/generate", _) => not_allowed(req, "GET, POST"),
        ("/health", "GET") => Reply::json(&serde_json::json!({
            "status": "ok",
            "service": "qr-workshop",
            "version": env!("CARGO_PKG_VERSION"),
        })),
        ("/health", _) => not_allowed(req, "GET"),
        (path, _) => Problem::not_found(path).into_reply(),
    }
}

/// A POST body is JSON (the Python service's contract) unless it says it is a form.
fn options_from_body(req: &Request<'_>) -> Result<GenerateOptions, Error> {
    if media_type(req.content_type).as_deref() == Some("application/x-www-form-urlencoded") {
        return options_from_form(req.body);
    }
    GenerateOptions::from_json(req.body)
}

/// Options from `application/x-www-form-urlencoded` bytes: a query string or a form body.
fn options_from_form(form: &[u8]) -> Result<GenerateOptions, Error> {
    let pairs: Vec<_> = form_urlencoded::parse(form).collect();
    GenerateOptions::from_pairs(pairs.iter().map(|(k, v)| (k.as_ref(), v.as_ref())))
}

fn respond(options: Result<GenerateOptions, Error>, cacheable: bool) -> Reply {
    match options.and_then(|o| qr_core::generate(&o)) {
        Ok(image) => {
            let mut reply = Reply::ok(image.content_type, image.bytes);
            reply
                .headers
                .push(("x-qr-version", image.version.to_string()));
            if cacheable {
                // The same query always yields the same bytes: let CDNs and browsers keep it.
                reply.headers.push((
                    "cache-control",
                    "public, max-age=31536000, immutable".into(),
                ));
            }
            reply
        }
        Err(e) => e.into(),
    }
}

pub(crate) fn not_allowed(req: &Request<'_>, allow: &str) -> Reply {
    let mut reply = Problem::method_not_allowed(req.method, req.path, allow).into_reply();
    reply.headers.push(("allow", allow.to_owned()));
    reply
}
