//! Reads the parts of a Spin manifest (version 2) that a plain HTTP host needs.
//!
//! qr-host serves the same `spin.toml` that `spin up` serves, so there is one route table.
//! Only `[[trigger.http]]` (`route`, `component`) and `[component.<id>] source` (a local file)
//! are used; every other key is accepted, as Spin ignores keys meant for other tools. Keys that
//! would change what a component may do under Spin (outbound hosts, environment, files,
//! variables) are not silently dropped: [`App::warnings`] names each one, and the host logs
//! them at startup, since the component runs here without what they grant. Everything that
//! would make a request fail later is rejected here, before listening.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::routes::{Route, RouteError, Router};

/// Why a manifest cannot be served. Every variant names the file, so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read manifest {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("manifest {path} is not valid TOML for a Spin app: {source}")]
    Parse {
        path: PathBuf,
        source: Box<toml::de::Error>,
    },
    #[error("manifest {path}: spin_manifest_version must be 2, found {found}")]
    Version { path: PathBuf, found: String },
    #[error("manifest {path}: no [[trigger.http]] routes")]
    NoRoutes { path: PathBuf },
    #[error(
        "manifest {path}: route {route:?} names component {component:?}, which has no [component.{component}] table"
    )]
    UnknownComponent {
        path: PathBuf,
        route: String,
        component: String,
    },
    #[error(
        "manifest {path}: component {component:?} source must be a local .wasm path (URL and registry sources need Spin)"
    )]
    UnsupportedSource { path: PathBuf, component: String },
    #[error(
        "manifest {path}: component {component:?} source {source_path} does not exist (build it first: see [component.{component}.build])"
    )]
    MissingSource {
        path: PathBuf,
        component: String,
        source_path: PathBuf,
    },
    #[error("manifest {path}: {source}")]
    Route { path: PathBuf, source: RouteError },
}

/// A manifest reduced to what qr-host serves: a router whose targets are component ids, and
/// the absolute wasm path of every component some route uses.
#[derive(Debug)]
pub struct App {
    /// Route table; each entry's target is a component id.
    pub router: Router<String>,
    /// Component id -> absolute path of its `.wasm`, only for components that a route uses.
    pub components: BTreeMap<String, PathBuf>,
    /// Keys that grant a component something under Spin that qr-host does not give (one
    /// sentence each, naming the key), to be logged at startup.
    pub warnings: Vec<String>,
}

/// Read first, alone, so a version 1 manifest gets a version error, not a shape error.
#[derive(Deserialize)]
struct RawVersion {
    spin_manifest_version: toml::Value,
}

#[derive(Deserialize)]
struct RawManifest {
    #[serde(default)]
    variables: toml::Table,
    #[serde(default)]
    trigger: RawTriggers,
    #[serde(default)]
    component: BTreeMap<String, RawComponent>,
}

#[derive(Default, Deserialize)]
struct RawTriggers {
    #[serde(default)]
    http: Vec<RawHttpTrigger>,
}

#[derive(Deserialize)]
struct RawHttpTrigger {
    route: String,
    component: String,
}

#[derive(Deserialize)]
struct RawComponent {
    source: toml::Value,
    #[serde(default)]
    allowed_outbound_hosts: Vec<String>,
    #[serde(default)]
    environment: toml::Table,
    #[serde(default)]
    files: Vec<toml::Value>,
    #[serde(default)]
    variables: toml::Table,
}

impl RawComponent {
    /// The keys of this component that would grant it something qr-host does not give.
    fn ignored_grants(&self) -> Vec<&'static str> {
        [
            (
                "allowed_outbound_hosts",
                !self.allowed_outbound_hosts.is_empty(),
            ),
            ("environment", !self.environment.is_empty()),
            ("files", !self.files.is_empty()),
            ("variables", !self.variables.is_empty()),
        ]
        .into_iter()
        .filter_map(|(key, set)| set.then_some(key))
        .collect()
    }
}

/// Reads and checks the manifest at `path`; component sources resolve against its directory.
pub fn load(path: &Path) -> Result<App, ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
        path: path.to_owned(),
        source,
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    parse(&text, path, dir)
}

/// Checks manifest `text`; `path` only labels errors, `dir` is where relative sources start.
pub fn parse(text: &str, path: &Path, dir: &Path) -> Result<App, ManifestError> {
    let parse_error = |source: toml::de::Error| ManifestError::Parse {
        path: path.to_owned(),
        source: Box::new(source),
    };
    let version: RawVersion = toml::from_str(text).map_err(parse_error)?;
    if version.spin_manifest_version.as_integer() != Some(2) {
        return Err(ManifestError::Version {
            path: path.to_owned(),
            found: version.spin_manifest_version.to_string(),
        });
    }
    let raw: RawManifest = toml::from_str(text).map_err(parse_error)?;
    if raw.trigger.http.is_empty() {
        return Err(ManifestError::NoRoutes {
            path: path.to_owned(),
        });
    }

    let mut routes = Vec::with_capacity(raw.trigger.http.len());
    let mut components = BTreeMap::new();
    for trigger in raw.trigger.http {
        let Some(component) = raw.component.get(&trigger.component) else {
            return Err(ManifestError::UnknownComponent {
                path: path.to_owned(),
                route: trigger.route,
                component: trigger.component,
            });
        };
        if !components.contains_key(&trigger.component) {
            let wasm = local_source(&component.source, dir).ok_or_else(|| {
                ManifestError::UnsupportedSource {
                    path: path.to_owned(),
                    component: trigger.component.clone(),
                }
            })?;
            if !wasm.is_file() {
                return Err(ManifestError::MissingSource {
                    path: path.to_owned(),
                    component: trigger.component,
                    source_path: wasm,
                });
            }
            components.insert(trigger.component.clone(), wasm);
        }
        let route = Route::parse(&trigger.route).map_err(|source| ManifestError::Route {
            path: path.to_owned(),
            source,
        })?;
        routes.push((route, trigger.component));
    }
    let router = Router::new(routes).map_err(|source| ManifestError::Route {
        path: path.to_owned(),
        source,
    })?;
    let mut warnings = Vec::new();
    if !raw.variables.is_empty() {
        warnings.push(format!(
            "manifest {}: [variables] is ignored: qr-host has no variables provider",
            path.display()
        ));
    }
    for id in components.keys() {
        let ignored = raw.component[id].ignored_grants();
        if !ignored.is_empty() {
            warnings.push(format!(
                "manifest {}: component {id:?} sets {} which qr-host ignores: it gets no outbound HTTP, environment, files or variables",
                path.display(),
                ignored.join(", ")
            ));
        }
    }
    Ok(App {
        router,
        components,
        warnings,
    })
}

/// A `source = "path.wasm"` string, resolved against the manifest directory. Spin also allows
/// `{ url, digest }` and `{ registry, package, version }` tables; those need Spin's fetchers.
fn local_source(source: &toml::Value, dir: &Path) -> Option<PathBuf> {
    let path = Path::new(source.as_str()?);
    let joined = if path.is_absolute() {
        path.to_owned()
    } else {
        dir.join(path)
    };
    Some(std::path::absolute(&joined).unwrap_or(joined))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directory with an empty `a.wasm`, enough for the existence check.
    fn dir_with_wasm() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("a.wasm"), b"").expect("write wasm");
        dir
    }

    fn parse_in(dir: &Path, text: &str) -> Result<App, ManifestError> {
        parse(text, &dir.join("spin.toml"), dir)
    }

    const HEADER: &str = "spin_manifest_version = 2\n[application]\nname = \"t\"\n";

    #[test]
    fn a_valid_manifest_resolves_sources_against_its_directory() {
        let dir = dir_with_wasm();
        let app = parse_in(
            dir.path(),
            &format!(
                "{HEADER}[[trigger.http]]\nroute = \"/a\"\ncomponent = \"a\"\n\
                 [component.a]\nsource = \"a.wasm\"\n[component.a.build]\ncommand = \"x\"\n"
            ),
        )
        .expect("valid");
        assert_eq!(app.components["a"], dir.path().join("a.wasm"));
        assert_eq!(app.router.route("/a").map(|m| m.target.as_str()), Some("a"));
    }

    #[test]
    fn a_route_to_an_undeclared_component_is_rejected() {
        let dir = dir_with_wasm();
        let err = parse_in(
            dir.path(),
            &format!("{HEADER}[[trigger.http]]\nroute = \"/a\"\ncomponent = \"nope\"\n"),
        )
        .expect_err("unknown component");
        assert!(
            matches!(err, ManifestError::UnknownComponent { .. }),
            "{err}"
        );
    }

    #[test]
    fn a_missing_wasm_file_is_rejected_with_its_path() {
        let dir = dir_with_wasm();
        let err = parse_in(
            dir.path(),
            &format!(
                "{HEADER}[[trigger.http]]\nroute = \"/a\"\ncomponent = \"a\"\n\
                 [component.a]\nsource = \"missing.wasm\"\n"
            ),
        )
        .expect_err("missing file");
        assert!(err.to_string().contains("missing.wasm"), "{err}");
    }

    #[test]
    fn a_duplicate_route_is_rejected() {
        let dir = dir_with_wasm();
        let err = parse_in(
            dir.path(),
            &format!(
                "{HEADER}[[trigger.http]]\nroute = \"/a\"\ncomponent = \"a\"\n\
                 [[trigger.http]]\nroute = \"/a\"\ncomponent = \"a\"\n\
                 [component.a]\nsource = \"a.wasm\"\n"
            ),
        )
        .expect_err("duplicate");
        assert!(matches!(err, ManifestError::Route { .. }), "{err}");
    }

    #[test]
    fn manifest_version_one_is_rejected() {
        let dir = dir_with_wasm();
        let err = parse_in(dir.path(), "spin_manifest_version = \"1\"\n").expect_err("v1");
        assert!(matches!(err, ManifestError::Version { .. }), "{err}");
    }

    #[test]
    fn a_url_source_is_rejected_as_unsupported() {
        let dir = dir_with_wasm();
        let err = parse_in(
            dir.path(),
            &format!(
                "{HEADER}[[trigger.http]]\nroute = \"/a\"\ncomponent = \"a\"\n\
                 [component.a]\nsource = {{ url = \"https://x/a.wasm\", digest = \"sha256:0\" }}\n"
            ),
        )
        .expect_err("url source");
        assert!(
            matches!(err, ManifestError::UnsupportedSource { .. }),
            "{err}"
        );
    }

    #[test]
    fn keys_that_grant_what_qr_host_does_not_give_are_named_in_warnings() {
        let dir = dir_with_wasm();
        let app = parse_in(
            dir.path(),
            &format!(
                "{HEADER}[variables]\ntoken = {{ default = \"x\" }}\n\
                 [[trigger.http]]\nroute = \"/a\"\ncomponent = \"a\"\n\
                 [component.a]\nsource = \"a.wasm\"\nallowed_outbound_hosts = [\"https://example.com\"]\n\
                 files = [\"static/\"]\n[component.a.environment]\nKEY = \"v\"\n"
            ),
        )
        .expect("valid");
        assert_eq!(app.warnings.len(), 2, "{:?}", app.warnings);
        assert!(app.warnings[0].contains("[variables]"));
        assert!(
            app.warnings[1].contains("allowed_outbound_hosts, environment, files"),
            "{}",
            app.warnings[1]
        );
    }

    #[test]
    fn an_empty_outbound_list_is_no_warning() {
        let dir = dir_with_wasm();
        let app = parse_in(
            dir.path(),
            &format!(
                "{HEADER}[[trigger.http]]\nroute = \"/a\"\ncomponent = \"a\"\n\
                 [component.a]\nsource = \"a.wasm\"\nallowed_outbound_hosts = []\n"
            ),
        )
        .expect("valid");
        assert!(app.warnings.is_empty(), "{:?}", app.warnings);
    }

    #[test]
    fn the_repository_manifest_parses() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let text = std::fs::read_to_string(root.join("spin.toml")).expect("read spin.toml");
        // Sources may not be built in a unit-test run, so only the TOML shape is checked here.
        let raw: RawManifest = toml::from_str(&text).expect("spin.toml parses");
        for trigger in &raw.trigger.http {
            Route::parse(&trigger.route).expect("route parses");
            assert!(raw.component.contains_key(&trigger.component));
        }
    }
}
