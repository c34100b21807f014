//! Where the benchmark finds its inputs (built components, the Python peer, the corpus) and
//! where it may write (the target directory; `results/` only for full runs).

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

pub use qr_tests::{target_dir, workspace_root};

/// Scratch space for artifacts, manifests and quick-run results.
pub fn scratch() -> Result<PathBuf> {
    let dir = target_dir().join("host-bench");
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Committed results of full runs.
pub fn results_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("results")
}

/// A component built by `scripts/build`, e.g. `qr_generate`.
pub fn component(name: &str) -> Result<PathBuf> {
    let path = target_dir()
        .join("wasm32-wasip2/release")
        .join(format!("{name}.wasm"));
    if !path.is_file() {
        bail!(
            "{} is missing; build it with `cargo build --target wasm32-wasip2 --release \
             -p qr-generate -p qr-decode -p fixture-hello`",
            path.display()
        );
    }
    Ok(path)
}

/// The Python service this product replaces, with its request fixtures.
pub fn python_seed() -> PathBuf {
    workspace_root().join("../shared/peers/python-seed")
}

/// The shared QR photo corpus.
pub fn corpus() -> PathBuf {
    workspace_root().join("../shared/qr-corpus")
}

/// A release binary of this workspace, e.g. `qr-host`.
pub fn release_binary(name: &str) -> Result<PathBuf> {
    let path = target_dir().join("release").join(name);
    if !path.is_file() {
        bail!(
            "{} is missing; build it with `cargo build --release -p {name}`",
            path.display()
        );
    }
    Ok(path)
}

/// A Spin manifest serving only the component at `wasm` on every path (`/...`), written into
/// the scratch dir as `<id>.spin.toml`: one component, one route, for the sections that load
/// one build of one component.
pub fn single_component_manifest(id: &str, wasm: &Path) -> Result<PathBuf> {
    let path = scratch()?.join(format!("{id}.spin.toml"));
    let text = format!(
        "# Written by host-bench: {id} alone on every path.\n\
         spin_manifest_version = 2\n\n[application]\nname = \"host-bench-{id}\"\n\n\
         [[trigger.http]]\nroute = \"/...\"\ncomponent = \"{id}\"\n\n\
         [component.{id}]\nsource = {:?}\n",
        wasm.display().to_string()
    );
    std::fs::write(&path, text)?;
    Ok(path)
}
