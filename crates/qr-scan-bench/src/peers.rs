//! The decoders that run in another process: zxing-cpp (Python binding, in a venv) and
//! qr-scan compiled to wasm32-wasip2 under wasmtime. Both read image paths on stdin and
//! answer one JSON line per image.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use qr_scan::corpus::score;

use crate::{Case, Outcome};

/// The zxing-cpp release the peer venv installs (latest on PyPI when this was written).
pub const ZXING_CPP_VERSION: &str = "3.1.1";

/// The decode component's target, where the wasm run builds qr-scan.
const WASM_TARGET: &str = "wasm32-wasip2";

/// Runs zxing-cpp on every case through `peers/zxing_cpp_peer.py` in `mode` (`defaults` or
/// `single`, see the script).
pub fn zxing_cpp(cases: &[Case], repeats: usize, mode: &str) -> Result<Outcome> {
    let python = peer_python()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers/zxing_cpp_peer.py");
    let mut command = Command::new(&python);
    command.arg(&script).arg(repeats.to_string()).arg(mode);
    run_lines(&format!("zxing-cpp {mode}"), command, cases)
}

/// Runs qr-scan compiled to wasm32-wasip2 under wasmtime (qr-scan's `scan_paths` example),
/// building it first, so the report shows what the decode component reads, and how fast.
pub fn wasm(cases: &[Case], repeats: usize) -> Result<Outcome> {
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
    let mut command = Command::new("wasmtime");
    command.arg("run");
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
    run_lines("qr-scan in wasm32-wasip2 (wasmtime)", command, cases)
}

/// Feeds every case's absolute path to `command`, one per line, and reads one JSON line
/// `{"texts": [...], "ms": ...}` back per case.
fn run_lines(name: &str, mut command: Command, cases: &[Case]) -> Result<Outcome> {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let mut stdin = child.stdin.take().context("child stdin")?;
    let paths = cases
        .iter()
        .map(|c| c.path.canonicalize().map(|p| format!("{}\n", p.display())))
        .collect::<std::io::Result<String>>()?;
    let writer = std::thread::spawn(move || stdin.write_all(paths.as_bytes()));
    let stdout = child.stdout.take().context("child stdout")?;
    let mut results = Vec::with_capacity(cases.len());
    let mut texts = Vec::with_capacity(cases.len());
    for (case, line) in cases.iter().zip(BufReader::new(stdout).lines()) {
        let row: serde_json::Value = serde_json::from_str(&line?)?;
        let found: Vec<Option<String>> = serde_json::from_value(row["texts"].clone())
            .with_context(|| format!("{name} on {}: {row}", case.path.display()))?;
        let found: Vec<String> = found.into_iter().flatten().collect();
        let ms = row["ms"].as_f64().context("row without ms")?;
        results.push((score(&case.expected, &found), ms));
        texts.push(found);
    }
    writer
        .join()
        .map_err(|_| anyhow::anyhow!("{name} writer panicked"))??;
    let status = child.wait()?;
    if !status.success() || results.len() != cases.len() {
        bail!(
            "{name} exited with {status} after {} of {} images",
            results.len(),
            cases.len()
        );
    }
    eprintln!("measured {name}");
    Ok(Outcome {
        name: name.to_owned(),
        results,
        texts,
    })
}

/// Cargo's target directory, where the venv, the sample images and the wasm build go.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// The venv's Python with `zxing-cpp` installed, creating the venv on first use.
fn peer_python() -> Result<PathBuf> {
    let venv = target_dir().join("zxing-cpp-venv");
    let python = venv.join("bin/python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import zxingcpp, numpy, PIL"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if ready(&python) {
        return Ok(python);
    }
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
