//! Where the benchmark finds its inputs (built components, the Python peer, the corpus) and
//! where it may write (the target directory; `results/` only for full runs).

use std::path::{Path, PathBuf};

use anyhow::Result;

/// A component built by `scripts/build` (`qr_generate`), and the release `qr-host`: where the
/// tests find them, with the build command in the panic when one is missing.
pub use qr_tests::{host_binary, target_dir, wasm as component, workspace_root};

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

/// The Python service this product replaces, with its request fixtures.
pub fn python_seed() -> PathBuf {
    workspace_root().join("../shared/peers/python-seed")
}

/// The shared QR photo corpus.
pub fn corpus() -> PathBuf {
    workspace_root().join("../shared/qr-corpus")
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
