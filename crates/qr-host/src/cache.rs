//! Precompiled components on disk, so a restart skips Cranelift.
//!
//! An artifact's file name is `<sha256 of the .wasm>-<engine compatibility hash>.cwasm`: a
//! changed component, wasmtime version or engine setting (pool, epochs, target CPU) gives a
//! different name, so a stale artifact is never loaded, only left behind. Writes go to a temp
//! file and are renamed into place, so concurrent hosts sharing a directory never read a torn
//! file. Any cache failure falls back to compiling: the cache can make startup faster, never
//! make it fail.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where a component came from at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadSource {
    /// Deserialised from a precompiled artifact.
    Cache,
    /// Compiled with Cranelift (and written to the cache when there is one).
    Compiled,
}

impl LoadSource {
    pub fn as_str(self) -> &'static str {
        match self {
            LoadSource::Cache => "cache",
            LoadSource::Compiled => "compiled",
        }
    }
}

/// A directory of precompiled artifacts for one engine configuration.
#[derive(Debug)]
pub struct ArtifactCache {
    dir: PathBuf,
    engine: Engine,
    engine_hash: String,
}

impl ArtifactCache {
    pub fn new(dir: &Path, engine: &Engine) -> Self {
        // SipHash with fixed keys is deterministic across runs of the same binary, which is all
        // the key needs: a different qr-host build computes its own hash and misses.
        let mut hasher = std::hash::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Self {
            dir: dir.to_owned(),
            engine: engine.clone(),
            engine_hash: format!("{:016x}", hasher.finish()),
        }
    }

    /// The artifact path for a component's bytes.
    pub fn path_for(&self, wasm: &[u8]) -> PathBuf {
        let digest = Sha256::digest(wasm);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("{hex}-{}.cwasm", self.engine_hash))
    }

    /// The precompiled component for `wasm`, if a compatible artifact exists and loads.
    pub fn load(&self, wasm: &[u8]) -> Option<Component> {
        let path = self.path_for(wasm);
        if !path.is_file() {
            return None;
        }
        // SAFETY: `deserialize_file` trusts the file to be wasmtime output for this engine.
        // Only qr-host writes this directory (its own cache, created with the user's umask),
        // the name binds the file to the wasm digest and engine hash, and wasmtime itself
        // checks the version and configuration header before using the code.
        match unsafe { Component::deserialize_file(&self.engine, &path) } {
            Ok(component) => Some(component),
            Err(error) => {
                tracing::warn!(path = %path.display(), %error, "ignoring unusable precompiled artifact");
                None
            }
        }
    }

    /// Saves `component` for next time; failures are logged, never fatal.
    pub fn store(&self, wasm: &[u8], component: &Component) {
        let path = self.path_for(wasm);
        let result = component
            .serialize()
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|bytes| {
                std::fs::create_dir_all(&self.dir)?;
                let tmp = path.with_extension(format!("tmp{}", std::process::id()));
                std::fs::write(&tmp, bytes)?;
                std::fs::rename(&tmp, &path)
            });
        if let Err(error) = result {
            tracing::warn!(dir = %self.dir.display(), %error, "could not write precompiled artifact");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest component: no imports, no exports.
    const EMPTY_COMPONENT: &str = "(component)";

    #[test]
    fn a_stored_component_loads_back_from_the_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = Engine::default();
        let cache = ArtifactCache::new(dir.path(), &engine);
        let wasm = wat_bytes(EMPTY_COMPONENT);
        assert!(cache.load(&wasm).is_none(), "empty cache misses");
        let component = Component::new(&engine, &wasm).expect("compiles");
        cache.store(&wasm, &component);
        assert!(cache.load(&wasm).is_some(), "stored artifact hits");
    }

    #[test]
    fn a_different_engine_configuration_uses_a_different_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let wasm = wat_bytes(EMPTY_COMPONENT);
        let plain = ArtifactCache::new(dir.path(), &Engine::default());
        let mut config = wasmtime::Config::new();
        config.epoch_interruption(true);
        let epochs = ArtifactCache::new(dir.path(), &Engine::new(&config).expect("engine"));
        assert_ne!(plain.path_for(&wasm), epochs.path_for(&wasm));
    }

    #[test]
    fn a_corrupt_artifact_is_ignored_not_fatal() {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = Engine::default();
        let cache = ArtifactCache::new(dir.path(), &engine);
        let wasm = wat_bytes(EMPTY_COMPONENT);
        std::fs::write(cache.path_for(&wasm), b"not an artifact").expect("write");
        assert!(cache.load(&wasm).is_none());
    }

    /// wasmtime compiles the text format too, so the text itself serves as component bytes.
    fn wat_bytes(text: &str) -> Vec<u8> {
        text.as_bytes().to_vec()
    }
}
