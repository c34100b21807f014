//! Issue 5's goals, judged against what this run measured, and the versions it ran with.
//!
//! Each goal names its conditions in its text (route, connections, keep-alive) and is judged on
//! exactly that cell, never on the best of several: an HTTP cell by the median of its oha runs
//! (the runs' range and the p90 latency beside it), an in-process figure by the p50 of its
//! samples (with the p90).

use std::process::Command;

use crate::report::{Load, Report};
use crate::stats::Summary;
use crate::{host_overhead, http_load, oha::Oha};

/// The connections every HTTP goal is judged at: oha keeps both cores busy at it, and quick
/// runs measure it too.
pub const CONNECTIONS: u32 = 64;

/// `rustc`, the wasmtime crate, the wasmtime CLI, oha, and the Python peer's pinned packages.
pub fn versions(oha: Option<&Oha>) -> Vec<(String, String)> {
    let mut versions = Vec::new();
    let output = |program: &str, arg: &str| {
        Command::new(program)
            .arg(arg)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    if let Some(rustc) = output("rustc", "--version") {
        versions.push((
            "rustc".into(),
            rustc.trim_start_matches("rustc ").to_owned(),
        ));
    }
    if let Some(v) = locked_version("wasmtime") {
        versions.push(("wasmtime (crate)".into(), v));
    }
    if let Some(cli) =
        crate::servers::tool("wasmtime").and_then(|p| output(&p.to_string_lossy(), "--version"))
    {
        versions.push((
            "wasmtime CLI".into(),
            cli.trim_start_matches("wasmtime ").to_owned(),
        ));
    }
    if let Some(oha) = oha {
        versions.push(("oha".into(), oha.version.clone()));
    }
    let pins = std::fs::read_to_string(crate::paths::python_seed().join("requirements.txt"))
        .unwrap_or_default();
    let pins: Vec<&str> = pins.lines().filter(|l| l.contains("==")).collect();
    if !pins.is_empty() {
        versions.push(("python-seed".into(), pins.join(" ")));
    }
    versions
}

/// The version of `package` in the workspace's `Cargo.lock`.
fn locked_version(package: &str) -> Option<String> {
    let text = std::fs::read_to_string(crate::paths::workspace_root().join("Cargo.lock")).ok()?;
    let lock: toml::Table = toml::from_str(&text).ok()?;
    let mut packages = lock.get("package")?.as_array()?.iter();
    let found = packages.find(|p| p.get("name").and_then(|n| n.as_str()) == Some(package))?;
    Some(found.get("version")?.as_str()?.to_owned())
}

/// Appends one [`crate::report::Goal`] per target of issue 5 that this run measured.
pub fn judge(report: &mut Report) {
    hello(report);
    versus_python(report);
    wasm_native(report);
    instantiation(report);
    process_start(report);
}

/// The load cell a goal is judged on: `service` on `route` at [`CONNECTIONS`].
fn cell(
    report: &Report,
    section: &str,
    service: &str,
    route: &str,
    keep_alive: bool,
) -> Option<Load> {
    report
        .load(section, service, route, CONNECTIONS, keep_alive)
        .cloned()
}

fn hello(report: &mut Report) {
    let at = |report: &Report, service| {
        cell(report, host_overhead::SECTION, service, "GET /hello", true)
    };
    let (Some(ours), Some(theirs)) = (
        at(report, "qr-host (defaults)"),
        at(report, "wasmtime serve"),
    ) else {
        return;
    };
    let ratio = ours.rps / theirs.rps;
    // `wasmtime serve` logs nothing per request; qr-host's default writes an access line.
    let quiet = at(report, "qr-host no access log")
        .map(|q| {
            format!(
                "; without the access log {} = {:.2}×",
                q.rps_text(),
                q.rps / theirs.rps
            )
        })
        .unwrap_or_default();
    let measured = format!(
        "{} vs {} = {ratio:.2}×{quiet}",
        ours.rps_text(),
        theirs.rps_text()
    );
    let met = ratio >= 3.0 && ours.rps >= 11_000.0;
    report.goal(
        &format!(
            "hello: qr-host ≥ 3× `wasmtime serve` req/s and ≥ 11k req/s (GET /hello, \
             {CONNECTIONS} connections, keep-alive on)"
        ),
        measured,
        Some(met),
        "qr-host at its defaults (access log on); median of the cell's runs; oha on the same cores",
    );
}

fn versus_python(report: &mut Report) {
    let at = |report: &Report, service, route, keep_alive| {
        cell(report, http_load::SECTION, service, route, keep_alive)
    };
    let ratio_text = |ours: &Load, python: &Load| {
        format!(
            "{} vs {} = {:.1}×",
            ours.rps_text(),
            python.rps_text(),
            ours.rps / python.rps
        )
    };
    for (route, target, what) in [
        ("POST /generate", 25.0, "generate"),
        ("POST /decode", 10.0, "decode"),
    ] {
        let (Some(ours), Some(python)) = (
            at(report, "qr-host", route, false),
            at(report, "python-seed", route, false),
        ) else {
            continue;
        };
        let mut measured = ratio_text(&ours, &python);
        if let (Some(o), Some(p)) = (
            at(report, "qr-host", route, true),
            at(report, "python-seed", route, true),
        ) {
            measured += &format!("; keep-alive on: {}", ratio_text(&o, &p));
        }
        report.goal(
            &format!(
                "{what} ≥ {target}× python-seed req/s ({route}, {CONNECTIONS} connections, \
                 keep-alive off)"
            ),
            measured,
            Some(ours.rps / python.rps >= target),
            "keep-alive off is the fair pair: gunicorn closes every connection; median of each cell's runs",
        );
    }
    if let Some(on) = at(report, "qr-host", "POST /generate", true) {
        let off = at(report, "qr-host", "POST /generate", false)
            .map(|off| format!("; keep-alive off: {}", off.rps_text()))
            .unwrap_or_default();
        report.goal(
            &format!(
                "≥ 9000 generate req/s on this box (POST /generate, {CONNECTIONS} connections, \
                 keep-alive on)"
            ),
            format!("{}{off}", on.rps_text()),
            Some(on.rps >= 9000.0),
            "qr-host at its defaults, the seed's request body; median of the cell's runs",
        );
    }
}

fn wasm_native(report: &mut Report) {
    // The pool qr-host ships with on this machine, never the best of the variants measured.
    let shipped = format!(
        "wasm, {}",
        crate::wasm::Allocation::qr_host_default().label()
    );
    let summary = |name: &str, variant: &str| {
        report
            .latencies
            .iter()
            .find(|l| l.section == "per-request" && l.name == name && l.variant == variant)
            .map(|l| l.summary)
    };
    // (request, wasm, native), in the order measured.
    let mut pairs: Vec<(&str, Summary, Summary)> = Vec::new();
    for l in &report.latencies {
        let name = l.name.as_str();
        if l.section != "per-request"
            || name == crate::workload::FIXED_COST
            || pairs.iter().any(|(n, ..)| *n == name)
        {
            continue;
        }
        if let (Some(wasm), Some(native)) = (
            summary(name, &shipped),
            summary(name, "native qr-api handler"),
        ) {
            pairs.push((name, wasm, native));
        }
    }
    let Some(worst) = pairs
        .iter()
        .map(|(_, w, n)| w.p50_us / n.p50_us)
        .reduce(f64::max)
    else {
        return;
    };
    let mut measured: Vec<String> = pairs
        .iter()
        .map(|(name, w, n)| {
            format!(
                "{name} {:.2}× (p90 {:.2}×)",
                w.p50_us / n.p50_us,
                w.p90_us / n.p90_us
            )
        })
        .collect();
    // What the ratio would be without the fixed cost of a fresh instance per request.
    if let Some(fixed) = summary(crate::workload::FIXED_COST, &shipped) {
        let beyond: Vec<String> = pairs
            .iter()
            .map(|(name, w, n)| format!("{name} {:.2}×", (w.p50_us - fixed.p50_us) / n.p50_us))
            .collect();
        measured.push(format!(
            "a fresh instance alone ({}) costs {:.1} µs; beyond it: {}",
            crate::workload::FIXED_COST,
            fixed.p50_us,
            beyond.join(", ")
        ));
    }
    report.goal(
        "wasm/native per request ≤ 1.3× (p50, in-process, one thread, qr-host's default pool)",
        measured.join("; "),
        Some(worst <= 1.3),
        "wasm includes a fresh store, instantiation and the instance's release per request",
    );
}

fn instantiation(report: &mut Report) {
    let pooled: Vec<(&str, Summary)> = report
        .latencies
        .iter()
        .filter(|l| {
            l.section == "cold-start"
                && l.name.starts_with("instantiate ")
                && l.variant.starts_with("pooling")
        })
        .map(|l| (l.name.trim_start_matches("instantiate "), l.summary))
        .collect();
    let Some(worst) = pooled
        .iter()
        .filter(|(n, _)| n.starts_with("qr_"))
        .map(|(_, s)| s.p50_us)
        .reduce(f64::max)
    else {
        return;
    };
    let measured: Vec<String> = pooled
        .iter()
        .map(|(n, s)| format!("{n} {:.1} µs (p90 {:.1})", s.p50_us, s.p90_us))
        .collect();
    report.goal(
        "pooled instantiation p50 ≤ 30 µs (qr-host's pool settings, one thread)",
        measured.join(", "),
        Some(worst <= 30.0),
        "fresh Store + instantiate of the app's components (qr_*); the release is not timed",
    );
}

fn process_start(report: &mut Report) {
    let Some(l) = report
        .latencies
        .iter()
        .find(|l| l.section == "cold-start" && l.name.starts_with("qr-host process start"))
    else {
        return;
    };
    let s = &l.summary;
    let ms = s.p50_us / 1000.0;
    report.goal(
        "qr-host process start → first response ≤ 30 ms (p50, warm cache)",
        format!(
            "p50 {ms:.1} ms (p90 {:.1} ms, p99 {:.1} ms, {} starts)",
            s.p90_us / 1000.0,
            s.p99_us / 1000.0,
            s.samples
        ),
        Some(ms <= 30.0),
        "spawn to 200 on /health over loopback, precompiled cache warm",
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_wasmtime_crate_version_is_read_from_cargo_lock() {
        let version = super::locked_version("wasmtime").expect("wasmtime is in Cargo.lock");
        assert!(version.starts_with("48."), "{version}");
        assert_eq!(super::locked_version("no-such-package"), None);
    }
}
