//! Precompiled components on disk, so a restart skips Cranelift.
//!
//! An artifact's file name is `<sha256 of the .wasm>-<engine compatibility hash>.cwasm`: a
//! changed component, wasmtime version or engine setting (pool, epochs, target CPU) gives a
//! different name, so a stale artifact is never loaded, only left behind.
//!
//! An artifact is native code the host will run, so whoever can write the directory can run
//! code as the host. The directory is therefore created 0700 and refused (the host compiles
//! instead) when it is a symbolic link, is owned by another user, or is writable by group or
//! others; an artifact is opened without following links and refused unless it is a regular
//! file of ours that only we can write. Writes go to a fresh temp file (random name, created
//! exclusively, mode 0600) that is synced and renamed into place, so concurrent hosts sharing a
//! directory never read a torn file and nobody can pre-create the temp name. Any cache failure
//! falls back to compiling: the cache can make startup faster, never make it fail.

use sha2::{Digest, Sha256};
use std::fs::{File, Metadata};
use std::hash::{Hash, Hasher};
use std::io::{Read as _, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
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

/// Why a cache directory or artifact is not used.
#[derive(Debug, thiserror::Error)]
pub enum Untrusted {
    #[error("it is a symbolic link")]
    Symlink,
    #[error("it is not a {0}")]
    WrongType(&'static str),
    #[error("it is owned by uid {owner}, not by this process's uid {euid}")]
    Owner { owner: u32, euid: u32 },
    #[error("it is writable by group or others (mode {0:o})")]
    Writable(u32),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Mode bits that let someone other than the owner write.
const GROUP_OTHER_WRITE: u32 = 0o022;

/// Checks that `meta` describes something only this process's user can change.
fn trusted(meta: &Metadata, kind: &'static str, is_kind: bool) -> Result<(), Untrusted> {
    if meta.file_type().is_symlink() {
        return Err(Untrusted::Symlink);
    }
    if !is_kind {
        return Err(Untrusted::WrongType(kind));
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    let euid = unsafe { libc::geteuid() };
    if meta.uid() != euid {
        return Err(Untrusted::Owner {
            owner: meta.uid(),
            euid,
        });
    }
    if meta.mode() & GROUP_OTHER_WRITE != 0 {
        return Err(Untrusted::Writable(meta.mode() & 0o7777));
    }
    Ok(())
}

/// Creates `dir` (and missing parents) 0700 and checks it without following a link.
fn prepare_dir(dir: &Path) -> Result<(), Untrusted> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    let meta = std::fs::symlink_metadata(dir)?;
    trusted(&meta, "directory", meta.is_dir())
}

impl ArtifactCache {
    /// The cache in `dir`, created 0700 if missing; `None` (with a warning naming the reason)
    /// when the directory cannot be trusted with native code, and the host then compiles.
    pub fn open(dir: &Path, engine: &Engine) -> Option<Self> {
        match prepare_dir(dir) {
            Ok(()) => Some(Self::new(dir, engine)),
            Err(reason) => {
                tracing::warn!(
                    dir = %dir.display(),
                    %reason,
                    "not using the precompiled cache: only this user may be able to write it; compiling instead"
                );
                None
            }
        }
    }

    fn new(dir: &Path, engine: &Engine) -> Self {
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
        let bytes = match read_trusted(&path) {
            Ok(bytes) => bytes,
            Err(Untrusted::Io(error)) if error.kind() == std::io::ErrorKind::NotFound => {
                return None;
            }
            Err(reason) => {
                tracing::warn!(path = %path.display(), %reason, "ignoring precompiled artifact");
                return None;
            }
        };
        // SAFETY: `deserialize` trusts the bytes to be wasmtime output for this engine. They
        // come from a regular file (opened without following links) owned by this user and
        // writable by nobody else, in a directory with the same checks; the name binds the
        // file to the wasm digest and engine hash, and wasmtime itself checks the version and
        // configuration header before using the code.
        match unsafe { Component::deserialize(&self.engine, &bytes) } {
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
                // A random name, created with O_EXCL and mode 0600 in the checked directory.
                let mut tmp = tempfile::Builder::new()
                    .prefix(".cwasm-")
                    .tempfile_in(&self.dir)?;
                tmp.write_all(&bytes)?;
                tmp.as_file().sync_all()?;
                tmp.persist(&path).map(drop).map_err(|e| e.error)
            });
        if let Err(error) = result {
            tracing::warn!(dir = %self.dir.display(), %error, "could not write precompiled artifact");
        }
    }
}

/// Reads an artifact without following a link, after checking the open file itself.
fn read_trusted(path: &Path) -> Result<Vec<u8>, Untrusted> {
    let mut file = File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)
        .map_err(|error| match error.raw_os_error() {
            Some(libc::ELOOP) => Untrusted::Symlink,
            _ => Untrusted::Io(error),
        })?;
    let meta = file.metadata()?;
    trusted(&meta, "regular file", meta.is_file())?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn set_mode(path: &Path, mode: u32) {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }

    #[test]
    fn a_new_cache_directory_is_created_private() {
        let parent = tempfile::tempdir().expect("temp dir");
        let dir = parent.path().join("a/b");
        assert!(ArtifactCache::open(&dir, &Engine::default()).is_some());
        let mode = std::fs::metadata(&dir).expect("created").mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[test]
    fn a_directory_others_can_write_is_refused_and_a_private_one_accepted() {
        let dir = tempfile::tempdir().expect("temp dir");
        set_mode(dir.path(), 0o770);
        assert!(ArtifactCache::open(dir.path(), &Engine::default()).is_none());
        set_mode(dir.path(), 0o755);
        assert!(ArtifactCache::open(dir.path(), &Engine::default()).is_some());
    }

    #[test]
    fn a_symlinked_directory_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let real = dir.path().join("real");
        std::fs::create_dir(&real).expect("mkdir");
        set_mode(&real, 0o700);
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        assert!(matches!(prepare_dir(&link), Err(Untrusted::Symlink)));
    }

    #[test]
    fn a_directory_owned_by_another_user_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        // SAFETY: geteuid has no preconditions.
        let other = unsafe { libc::geteuid() } + 1;
        if std::os::unix::fs::chown(dir.path(), Some(other), None).is_err() {
            eprintln!("skipped: only root can give a directory away");
            return;
        }
        assert!(matches!(
            prepare_dir(dir.path()),
            Err(Untrusted::Owner { .. })
        ));
    }

    #[test]
    fn a_symlinked_or_group_writable_artifact_is_not_loaded() {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = Engine::default();
        let cache = ArtifactCache::open(dir.path(), &engine).expect("private dir");
        let wasm = EMPTY_COMPONENT.to_vec();
        let component = Component::new(&engine, &wasm).expect("compiles");
        cache.store(&wasm, &component);
        let path = cache.path_for(&wasm);
        assert_eq!(
            std::fs::metadata(&path).expect("stored").mode() & 0o777,
            0o600
        );
        assert!(cache.load(&wasm).is_some());

        set_mode(&path, 0o620);
        assert!(matches!(read_trusted(&path), Err(Untrusted::Writable(_))));
        assert!(cache.load(&wasm).is_none());

        let real = dir.path().join("elsewhere.cwasm");
        std::fs::rename(&path, &real).expect("move");
        set_mode(&real, 0o600);
        std::os::unix::fs::symlink(&real, &path).expect("symlink");
        assert!(matches!(read_trusted(&path), Err(Untrusted::Symlink)));
        assert!(cache.load(&wasm).is_none());
    }

    #[test]
    fn a_store_leaves_no_temp_file_behind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = Engine::default();
        let cache = ArtifactCache::open(dir.path(), &engine).expect("private dir");
        let wasm = EMPTY_COMPONENT.to_vec();
        cache.store(&wasm, &Component::new(&engine, &wasm).expect("compiles"));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            names,
            [cache.path_for(&wasm).file_name().expect("name").to_owned()]
        );
    }

    /// The smallest component, `(component)` in the text format: the binary preamble alone
    /// (magic, version 0x0d, layer 1). Binary, because wasmtime is built without its `wat`
    /// feature (see the workspace Cargo.toml).
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\x00\x01\x00";

    #[test]
    fn a_stored_component_loads_back_from_the_cache() {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = Engine::default();
        let cache = ArtifactCache::new(dir.path(), &engine);
        let wasm = EMPTY_COMPONENT.to_vec();
        assert!(cache.load(&wasm).is_none(), "empty cache misses");
        let component = Component::new(&engine, &wasm).expect("compiles");
        cache.store(&wasm, &component);
        assert!(cache.load(&wasm).is_some(), "stored artifact hits");
    }

    #[test]
    fn a_different_engine_configuration_uses_a_different_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let wasm = EMPTY_COMPONENT.to_vec();
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
        let wasm = EMPTY_COMPONENT.to_vec();
        std::fs::write(cache.path_for(&wasm), b"not an artifact").expect("write");
        assert!(cache.load(&wasm).is_none());
    }
}
