//! The decoders that run in another process: zxing-cpp (Python binding, in a venv) and
//! qr-scan compiled to wasm32-wasip2 under wasmtime. Both read image paths on stdin and
//! answer one JSON line per image, so a bench hands them one image at a time, in turn
//! with the decoder it measures (qr-scan-bench's `main.rs`, host-bench's `decode-sets`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::Case;

/// The zxing-cpp release the peer venv installs (latest on PyPI when this was written).
pub const ZXING_CPP_VERSION: &str = "3.1.1";

/// The decode component's target, where the wasm run builds qr-scan.
const WASM_TARGET: &str = "wasm32-wasip2";

/// What zxing-cpp's timing covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// `read_barcodes` on greyscale pixels loaded beforehand: the same job as `qr_scan::scan`
    /// on a decoded image (qr-scan-bench).
    Pixels,
    /// The file's bytes (read beforehand, as a service has the request body) to codes: Pillow
    /// decodes them and converts to greyscale inside the timing, then `read_barcodes`; the
    /// same job as `POST /decode` (host-bench `decode-sets`).
    FileBytes,
}

impl Timing {
    fn arg(self) -> &'static str {
        match self {
            Timing::Pixels => "pixels",
            Timing::FileBytes => "file-bytes",
        }
    }
}

/// Starts zxing-cpp through `peers/zxing_cpp_peer.py` in `mode` (`defaults` or `single`,
/// see the script), timing what `timing` says; creates the venv when it is missing.
pub fn zxing_cpp(repeats: usize, mode: &str, timing: Timing) -> Result<LinePeer> {
    zxing_cpp_with(&peer_python()?, repeats, mode, timing)
}

/// [`zxing_cpp`] with the venv's `python` (see [`zxing_cpp_python`]).
pub fn zxing_cpp_with(
    python: &Path,
    repeats: usize,
    mode: &str,
    timing: Timing,
) -> Result<LinePeer> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/zxing_cpp_peer.py");
    let mut command = Command::new(python);
    command
        .arg(&script)
        .arg(repeats.to_string())
        .arg(mode)
        .arg(timing.arg());
    LinePeer::start(&format!("zxing-cpp {mode}"), command)
}

/// Starts qr-scan compiled to wasm32-wasip2 under wasmtime (qr-scan's `scan_paths` example),
/// building it first, so the report shows what the decode component reads, and how fast;
/// every directory holding one of `cases` is mapped into the guest.
pub fn wasm(cases: &[Case], repeats: usize) -> Result<LinePeer> {
    wasm_with(Path::new("wasmtime"), cases, repeats)
}

/// The wasm peer's `wasmtime run -W timeout`. It bounds the whole peer process (every image
/// of a run), so it is far past any run; what matters is that there is one: wasmtime compiles
/// an epoch check into every loop header and function entry only when a deadline is
/// enforced, and the decode component always runs under one (qr-host's request deadline, as
/// Spin's). Without the checks the scan ran 18-30% faster in wasm (2026-12-01), so a peer
/// without a deadline understated the component's wasm/native ratio by that much.
pub const WASM_PEER_DEADLINE: Duration = Duration::from_secs(24 * 3600);

/// [`wasm`] under the wasmtime CLI at `wasmtime`, with [`WASM_PEER_DEADLINE`].
pub fn wasm_with(wasmtime: &Path, cases: &[Case], repeats: usize) -> Result<LinePeer> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "--target",
            WASM_TARGET,
            "-p",
            "qr-scan",
            "--example",
            "scan_paths",
        ])
        .status()
        .context("running cargo build for wasm32-wasip2")?;
    if !built.success() {
        bail!("cargo build --target {WASM_TARGET} -p qr-scan --example scan_paths failed");
    }
    let module = target_dir()
        .join(WASM_TARGET)
        .join("release/examples/scan_paths.wasm");
    let mut command = Command::new(wasmtime);
    command
        .arg("run")
        .arg("-W")
        .arg(format!("timeout={}s", WASM_PEER_DEADLINE.as_secs()));
    // Every directory holding a case, mapped at its own path.
    let mut dirs: Vec<PathBuf> = cases
        .iter()
        .filter_map(|c| c.path.canonicalize().ok()?.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        command.arg("--dir").arg(format!("{0}::{0}", dir.display()));
    }
    command.arg(&module).arg(repeats.to_string());
    LinePeer::start("qr-scan in wasm32-wasip2 (wasmtime)", command)
}

/// A decoder in another process that takes one image path per line on stdin and answers
/// each with one JSON line `{"texts": [...], "ms": ...}` (the median of its timed decodes).
#[derive(Debug)]
pub struct LinePeer {
    pub name: String,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl LinePeer {
    fn start(name: &str, mut command: Command) -> Result<Self> {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {name}"))?;
        let stdin = child.stdin.take().context("child stdin")?;
        let stdout = BufReader::new(child.stdout.take().context("child stdout")?);
        Ok(LinePeer {
            name: name.to_owned(),
            child,
            stdin,
            stdout,
        })
    }

    /// The texts the peer reads in `case` and its time in ms.
    pub fn decode(&mut self, case: &Case) -> Result<(Vec<String>, f64)> {
        self.send(&case.path)?;
        self.receive()
    }

    /// Hands the peer the image at `path`; [`LinePeer::receive`] then waits for its answer,
    /// so our own decoder can run on the same image meanwhile.
    pub fn send(&mut self, path: &Path) -> Result<()> {
        let path = path.canonicalize()?;
        writeln!(self.stdin, "{}", path.display())?;
        self.stdin.flush()?;
        Ok(())
    }

    /// The texts the peer read in the image last sent, and its time in ms.
    pub fn receive(&mut self) -> Result<(Vec<String>, f64)> {
        let mut line = String::new();
        if self.stdout.read_line(&mut line)? == 0 {
            bail!("{} ended before answering", self.name);
        }
        let row: serde_json::Value = serde_json::from_str(&line)?;
        let found: Vec<Option<String>> = serde_json::from_value(row["texts"].clone())
            .with_context(|| format!("{}: {row}", self.name))?;
        let ms = row["ms"].as_f64().context("row without ms")?;
        Ok((found.into_iter().flatten().collect(), ms))
    }

    /// Closes the peer's input and waits for it to exit.
    pub fn finish(mut self) -> Result<()> {
        drop(self.stdin);
        let status = self.child.wait()?;
        if !status.success() {
            bail!("{} exited with {status}", self.name);
        }
        Ok(())
    }
}

/// Cargo's target directory, where the venv, the sample images and the wasm build go.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// The venv's Python when `zxing-cpp`, numpy and Pillow import there (`scripts/setup --test`
/// makes it, as does a full run of qr-scan-bench); `None` without creating anything.
pub fn zxing_cpp_python() -> Option<PathBuf> {
    let python = target_dir().join("zxing-cpp-venv/bin/python");
    ready(&python).then_some(python)
}

fn ready(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import zxingcpp, numpy, PIL"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The venv's Python with `zxing-cpp` installed, creating the venv on first use.
fn peer_python() -> Result<PathBuf> {
    if let Some(python) = zxing_cpp_python() {
        return Ok(python);
    }
    let venv = target_dir().join("zxing-cpp-venv");
    let python = venv.join("bin/python");
    eprintln!(
        "creating {} with zxing-cpp (bench-only peer)",
        venv.display()
    );
    let created = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .status()?;
    if !created.success() {
        bail!("python3 -m venv failed");
    }
    let installed = Command::new(venv.join("bin/pip"))
        .args([
            "install",
            "--quiet",
            &format!("zxing-cpp=={ZXING_CPP_VERSION}"),
            "numpy",
            "pillow",
        ])
        .status()?;
    if !installed.success() || !ready(&python) {
        bail!("pip install zxing-cpp numpy pillow failed");
    }
    Ok(python)
}
