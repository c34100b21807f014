//! Spin's HTTP route semantics: exact routes and trailing wildcards, most specific wins.
//!
//! A route is either exact (`/health`) or a trailing wildcard (`/api/...`, also spelled
//! `/api/*`) that matches the prefix itself and everything below it, never `/apiary`. An exact
//! route beats any wildcard; among wildcards the longer prefix wins, so `/...` is the fallback.
//! A trailing slash is not significant, as in Spin. Unlike Spin, which warns and lets the last
//! duplicate win, qr-host refuses duplicates: a silently shadowed route is a deployment bug.

use std::fmt;

/// Why a route table cannot be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RouteError {
    #[error("route {0:?} must start with '/'")]
    NoLeadingSlash(String),
    #[error("route {0:?} uses a `:name` or inner `*` segment, which qr-host does not support")]
    Unsupported(String),
    #[error("route {0:?} is declared twice")]
    Duplicate(String),
    #[error("route {0:?} is under /.well-known/spin/, which the host reserves")]
    Reserved(String),
}

/// The prefix Spin reserves for host endpoints such as `/.well-known/spin/health`.
pub const WELL_KNOWN_PREFIX: &str = "/.well-known/spin/";

/// One parsed route pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// Matches exactly this path (stored without a trailing slash; `/` stays `/`).
    Exact(String),
    /// Matches this prefix and anything below it (stored without the `/...`; root is `""`).
    Wildcard(String),
}

impl Route {
    /// Parses a manifest `route` string.
    pub fn parse(raw: &str) -> Result<Self, RouteError> {
        if !raw.starts_with('/') {
            return Err(RouteError::NoLeadingSlash(raw.to_owned()));
        }
        if raw.starts_with(WELL_KNOWN_PREFIX) {
            return Err(RouteError::Reserved(raw.to_owned()));
        }
        let (body, wildcard) = match raw.strip_suffix("/...").or_else(|| raw.strip_suffix("/*")) {
            Some(prefix) => (prefix, true),
            None => (raw, false),
        };
        if body
            .split('/')
            .any(|s| s.starts_with(':') || s.contains('*') || s == "...")
        {
            return Err(RouteError::Unsupported(raw.to_owned()));
        }
        let body = trim_trailing_slash(body);
        Ok(if wildcard {
            Route::Wildcard(body.trim_end_matches('/').to_owned())
        } else {
            Route::Exact(body.to_owned())
        })
    }

    /// The part of `path` after this route's prefix, as Spin's `spin-path-info` header has it.
    fn matches<'p>(&self, path: &'p str) -> Option<&'p str> {
        match self {
            Route::Exact(exact) => (path == exact).then_some(""),
            Route::Wildcard(prefix) => {
                let rest = path.strip_prefix(prefix.as_str())?;
                (rest.is_empty() || rest.starts_with('/')).then_some(rest)
            }
        }
    }

    /// Orders candidates: exact first, then longer wildcard prefixes.
    fn specificity(&self) -> (bool, usize) {
        match self {
            Route::Exact(p) => (true, p.len()),
            Route::Wildcard(p) => (false, p.len()),
        }
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Exact(p) => f.write_str(p),
            Route::Wildcard(p) => write!(f, "{p}/..."),
        }
    }
}

/// A successful lookup: the target plus what Spin exposes about the match.
#[derive(Debug)]
pub struct RouteMatch<'r, 'p, T> {
    /// What the route points at (a component id in qr-host).
    pub target: &'r T,
    /// The route as declared in the manifest, normalised (`/generate`, `/...`). Metrics use it
    /// as the `route` label because it is bounded, unlike raw request paths.
    pub route: &'r Route,
    /// The rest of the path after a wildcard prefix (`spin-path-info`), empty for exact routes.
    pub path_info: &'p str,
}

/// A route table built once at startup.
#[derive(Debug)]
pub struct Router<T> {
    /// Sorted most specific first, so the first match is the best one.
    entries: Vec<(Route, T)>,
}

impl<T> Router<T> {
    /// Builds the table, refusing duplicate patterns (`/a` and `/a/` count as the same).
    pub fn new(routes: Vec<(Route, T)>) -> Result<Self, RouteError> {
        let mut entries = routes;
        entries.sort_by_key(|(route, _)| std::cmp::Reverse(route.specificity()));
        for pair in entries.windows(2) {
            if pair[0].0 == pair[1].0 {
                return Err(RouteError::Duplicate(pair[0].0.to_string()));
            }
        }
        Ok(Self { entries })
    }

    /// Finds the most specific route for a request path (without the query string).
    pub fn route<'r, 'p>(&'r self, path: &'p str) -> Option<RouteMatch<'r, 'p, T>> {
        let path = trim_trailing_slash(path);
        self.entries.iter().find_map(|(route, target)| {
            route.matches(path).map(|path_info| RouteMatch {
                target,
                route,
                path_info,
            })
        })
    }

    /// Every route and its target, most specific first.
    pub fn iter(&self) -> impl Iterator<Item = (&Route, &T)> {
        self.entries.iter().map(|(r, t)| (r, t))
    }
}

fn trim_trailing_slash(path: &str) -> &str {
    match path.strip_suffix('/') {
        Some(trimmed) if !trimmed.is_empty() => trimmed,
        _ => path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn router(routes: &[&str]) -> Router<String> {
        Router::new(
            routes
                .iter()
                .map(|r| (Route::parse(r).expect("valid route"), (*r).to_owned()))
                .collect(),
        )
        .expect("no duplicates")
    }

    fn target(router: &Router<String>, path: &str) -> Option<String> {
        router.route(path).map(|m| m.target.clone())
    }

    #[test]
    fn an_exact_route_beats_the_root_wildcard() {
        let r = router(&["/...", "/generate"]);
        assert_eq!(target(&r, "/generate").as_deref(), Some("/generate"));
        assert_eq!(target(&r, "/generate/x").as_deref(), Some("/..."));
        assert_eq!(target(&r, "/").as_deref(), Some("/..."));
    }

    #[test]
    fn the_longer_wildcard_prefix_wins() {
        let r = router(&["/api/...", "/api/v2/...", "/..."]);
        assert_eq!(target(&r, "/api/v2/x").as_deref(), Some("/api/v2/..."));
        assert_eq!(target(&r, "/api/v1").as_deref(), Some("/api/..."));
        assert_eq!(target(&r, "/apiary").as_deref(), Some("/..."));
    }

    #[test]
    fn a_wildcard_matches_its_own_prefix_and_reports_path_info() {
        let r = router(&["/hello/..."]);
        let m = r.route("/hello").expect("prefix itself matches");
        assert_eq!(m.path_info, "");
        assert_eq!(r.route("/hello/a/b").expect("below").path_info, "/a/b");
        assert!(r.route("/hellothere").is_none());
    }

    #[test]
    fn a_trailing_slash_is_not_significant() {
        let r = router(&["/health"]);
        assert_eq!(target(&r, "/health/").as_deref(), Some("/health"));
        let r = router(&["/health/"]);
        assert_eq!(target(&r, "/health").as_deref(), Some("/health/"));
    }

    #[test]
    fn no_route_means_no_match() {
        let r = router(&["/a"]);
        assert!(r.route("/b").is_none());
    }

    #[test]
    fn star_is_spelled_like_dots() {
        assert_eq!(Route::parse("/a/*"), Route::parse("/a/..."));
    }

    #[test]
    fn duplicates_are_refused_even_when_spelled_differently() {
        let err = Router::new(vec![
            (Route::parse("/a").expect("valid"), 1),
            (Route::parse("/a/").expect("valid"), 2),
        ])
        .expect_err("duplicate");
        assert_eq!(err, RouteError::Duplicate("/a".into()));
    }

    #[test]
    fn unsupported_and_reserved_patterns_are_refused() {
        assert!(matches!(
            Route::parse("a"),
            Err(RouteError::NoLeadingSlash(_))
        ));
        assert!(matches!(
            Route::parse("/users/:id"),
            Err(RouteError::Unsupported(_))
        ));
        assert!(matches!(
            Route::parse("/.well-known/spin/health"),
            Err(RouteError::Reserved(_))
        ));
    }
}
