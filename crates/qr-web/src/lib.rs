//! QR Workshop's web face: the page at `/`, the API page at `/docs`, the OpenAPI 3.1 document
//! at `/openapi.json` and their static files under `/ui/`, all embedded at build time.
//!
//! The files live in `assets/` as plain HTML, CSS, JavaScript and JSON, with no build step and
//! no third-party request: the page works offline, behind a strict Content-Security-Policy
//! (no inline script or style), from any host that serves the `ui` component. The OpenAPI
//! document is the one description of the HTTP API: `/docs` renders it, the page builds its
//! generation form from it, and the schemathesis run in `scripts/test` checks the live service
//! against it.

#![forbid(unsafe_code)]

use qr_api::{Endpoint, Problem, Reply, Request};

/// The ui only answers `GET` and `HEAD`, which have no body. This small allowance lets a stray
/// `POST` with a form still get its 405 (with `allow`) rather than a 413.
pub const MAX_UI_BODY_BYTES: usize = 1024;

/// `/`, `/docs`, `/openapi.json` and `/ui/*`, served by the ui component.
pub const UI: Endpoint = Endpoint {
    max_body_bytes: MAX_UI_BODY_BYTES,
    handle,
    // Every file is small and embedded: nothing to stream.
    stream: |_| None,
};

/// One embedded file and the path it is served at.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    /// Request path, e.g. `/ui/app.js`.
    pub path: &'static str,
    /// `content-type` header value.
    pub content_type: &'static str,
    /// The file's bytes, as committed.
    pub body: &'static [u8],
}

/// Every file the ui serves. The HTML pages reference the others by these paths.
pub const ASSETS: &[Asset] = &[
    Asset {
        path: "/",
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("../assets/index.html"),
    },
    Asset {
        path: "/docs",
        content_type: "text/html; charset=utf-8",
        body: include_bytes!("../assets/docs.html"),
    },
    Asset {
        path: "/openapi.json",
        content_type: "application/json",
        body: OPENAPI_JSON.as_bytes(),
    },
    Asset {
        path: "/ui/app.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../assets/app.css"),
    },
    Asset {
        path: "/ui/app.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/app.js"),
    },
    Asset {
        path: "/ui/docs.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../assets/docs.js"),
    },
    Asset {
        path: "/ui/icon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("../assets/icon.svg"),
    },
];

/// The OpenAPI 3.1 document for the whole service (every route, option, response and problem
/// type), served at `/openapi.json`: `assets/openapi.json` as compact JSON (see `build.rs`).
pub const OPENAPI_JSON: &str = include_str!(concat!(env!("OUT_DIR"), "/openapi.json"));

/// Scripts and styles only from this origin, nothing inline; images from this origin and the
/// `blob:` URLs the page makes for previews and photos; the camera's stream in `<video>`;
/// requests only to this origin. `frame-ancestors` keeps the page out of other sites' frames.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob: mediastream:; \
     connect-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

/// HTML is revalidated on each visit so a new deployment shows at once; the other files may be
/// kept for a few minutes (they are small and change only with a deployment).
const HTML_CACHE: &str = "no-cache";
const ASSET_CACHE: &str = "public, max-age=300";

fn handle(req: &Request<'_>) -> Reply {
    let Some(asset) = ASSETS.iter().find(|a| a.path == req.path) else {
        return Problem::not_found(req.path).into_reply();
    };
    if !matches!(req.method, "GET" | "HEAD") {
        let mut reply = Problem::method_not_allowed(req.method, req.path, "GET, HEAD").into_reply();
        reply.headers.push(("allow", "GET, HEAD".to_owned()));
        return reply;
    }
    let cache = if asset.content_type.starts_with("text/html") {
        HTML_CACHE
    } else {
        ASSET_CACHE
    };
    Reply {
        status: 200,
        headers: vec![
            ("content-type", asset.content_type.to_owned()),
            ("cache-control", cache.to_owned()),
            (
                "content-security-policy",
                CONTENT_SECURITY_POLICY.to_owned(),
            ),
            ("x-content-type-options", "nosniff".to_owned()),
            ("referrer-policy", "no-referrer".to_owned()),
            (
                "permissions-policy",
                "camera=(self), microphone=()".to_owned(),
            ),
        ],
        body: asset.body.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Reply {
        (UI.handle)(&Request {
            method: "GET",
            path,
            query: "",
            content_type: None,
            if_none_match: None,
            body: b"",
        })
    }

    #[test]
    fn every_asset_is_served_with_its_type_and_the_csp() {
        for asset in ASSETS {
            let reply = get(asset.path);
            assert_eq!(reply.status, 200, "{}", asset.path);
            assert_eq!(reply.header("content-type"), Some(asset.content_type));
            assert_eq!(
                reply.header("content-security-policy"),
                Some(CONTENT_SECURITY_POLICY)
            );
            assert!(!reply.body.is_empty());
        }
    }

    #[test]
    fn an_unknown_path_is_a_problem_404() {
        let reply = get("/ui/nope.js");
        assert_eq!(reply.status, 404);
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
    }

    #[test]
    fn other_methods_get_405_with_allow() {
        let reply = (UI.handle)(&Request {
            method: "POST",
            path: "/",
            query: "",
            content_type: None,
            if_none_match: None,
            body: b"x",
        });
        assert_eq!(reply.status, 405);
        assert_eq!(reply.header("allow"), Some("GET, HEAD"));
    }

    #[test]
    fn the_pages_reference_only_embedded_files_and_nothing_inline() {
        let mut linkable: Vec<&str> = ASSETS.iter().map(|a| a.path).collect();
        // The download links' initial target; the script fills in the query.
        linkable.push("/generate");
        for page in ["/", "/docs"] {
            let html = String::from_utf8(get(page).body).expect("utf-8");
            for attr in ["src=\"", "href=\""] {
                for rest in html.split(attr).skip(1) {
                    let url = rest.split('"').next().unwrap_or("");
                    let url = url.split('#').next().unwrap_or("");
                    assert!(
                        url.is_empty() || linkable.contains(&url),
                        "{page} references {url}"
                    );
                }
            }
            assert!(!html.contains("<script>"), "{page} has an inline script");
            assert!(!html.contains("<style"), "{page} has an inline style");
            assert!(!html.contains(" style=\""), "{page} has a style attribute");
            assert!(
                !has_event_handler_attribute(&html),
                "{page} has an onX= handler"
            );
        }
    }

    /// True if `html` has an attribute such as ` onclick=` (blocked by the CSP, so a bug).
    fn has_event_handler_attribute(html: &str) -> bool {
        html.match_indices(" on").any(|(i, _)| {
            let rest = &html[i + 3..];
            let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
            name_len > 0 && rest[name_len..].starts_with('=')
        })
    }

    #[test]
    fn an_inline_handler_would_be_caught() {
        assert!(has_event_handler_attribute("<a onclick=\"x()\">"));
        assert!(!has_event_handler_attribute("<p>one = two</p>"));
    }

    #[test]
    fn the_openapi_document_is_3_1_and_covers_every_served_path() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).expect("valid JSON");
        assert!(
            doc["openapi"]
                .as_str()
                .is_some_and(|v| v.starts_with("3.1"))
        );
        let paths = doc["paths"].as_object().expect("paths");
        for route in [
            "/generate",
            "/decode",
            "/health",
            "/",
            "/docs",
            "/openapi.json",
        ] {
            assert!(paths.contains_key(route), "{route} missing");
        }
        assert!(paths.contains_key("/ui/{file}"));
    }

    #[test]
    fn the_served_document_is_the_committed_one_compacted() {
        let committed: serde_json::Value =
            serde_json::from_str(include_str!("../assets/openapi.json")).expect("valid JSON");
        let served: serde_json::Value = serde_json::from_str(OPENAPI_JSON).expect("valid JSON");
        assert_eq!(served, committed);
        assert!(
            !OPENAPI_JSON.contains('\n'),
            "the served document is not compact"
        );
    }

    #[test]
    fn the_page_weight_stays_under_100_kb() {
        // Everything a first visit to `/` downloads (the API itself aside).
        let total: usize = [
            "/",
            "/ui/app.css",
            "/ui/app.js",
            "/ui/icon.svg",
            "/openapi.json",
        ]
        .iter()
        .map(|p| get(p).body.len())
        .sum();
        assert!(total < 100 * 1024, "{total} bytes");
    }
}
