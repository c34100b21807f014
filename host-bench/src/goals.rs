//! Issue 5's goals, judged against what this run measured, and the versions it ran with.

use std::process::Command;

use crate::report::Report;
use crate::{host_overhead, http_load, oha::Oha};

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

fn hello(report: &mut Report) {
    let (Some(ours), Some(theirs)) = (
        host_overhead::best_rps(&report.loads, "qr-host (defaults)"),
        host_overhead::best_rps(&report.loads, "wasmtime serve"),
    ) else {
        return;
    };
    let ratio = ours / theirs;
    // `wasmtime serve` logs nothing per request; qr-host's default writes an access line.
    let quiet = host_overhead::best_rps(&report.loads, "qr-host no access log")
        .map(|q| format!("; without the access log {q:.0} req/s = {:.2}×", q / theirs))
        .unwrap_or_default();
    report.goal(
        "hello: qr-host ≥ 3× `wasmtime serve` req/s and ≥ 11k req/s",
        format!("{ours:.0} vs {theirs:.0} req/s = {ratio:.2}×{quiet}"),
        Some(ratio >= 3.0 && ours >= 11_000.0),
        "qr-host at its defaults (access log on), best cell of 16/64 connections, keep-alive on, oha on the same cores",
    );
}

fn versus_python(report: &mut Report) {
    let targets = [
        ("POST /generate", 25.0, "generate"),
        ("POST /decode", 10.0, "decode"),
    ];
    for (route, target, what) in targets {
        let best = |service: &str| {
            report
                .loads
                .iter()
                .filter(|l| {
                    l.section == http_load::SECTION
                        && l.service == service
                        && l.route == route
                        && !l.keep_alive
                })
                .map(|l| l.rps)
                .reduce(f64::max)
        };
        let (Some(ours), Some(python)) = (best("qr-host"), best("python-seed")) else {
            continue;
        };
        let ratio = ours / python;
        report.goal(
            &format!("{what} ≥ {target}× python-seed req/s"),
            format!("{ours:.0} vs {python:.0} req/s = {ratio:.1}×"),
            Some(ratio >= target),
            "best cell of each over 1/16/64 connections, keep-alive off (gunicorn closes connections)",
        );
    }
    if let Some(best) = http_load::best_rps(&report.loads, "qr-host", "POST /generate") {
        report.goal(
            "≥ 9000 generate req/s on this box",
            format!("{best:.0} req/s"),
            Some(best >= 9000.0),
            "best cell of qr-host POST /generate",
        );
    }
}

fn wasm_native(report: &mut Report) {
    // The best wasm variant per request (the lever sweep's setting where measured).
    let best_wasm = |name: &str| {
        report
            .latencies
            .iter()
            .filter(|l| {
                l.section == "per-request" && l.name == name && l.variant.starts_with("wasm")
            })
            .map(|l| l.summary.p50_us)
            .reduce(f64::min)
    };
    // (request, best wasm p50, native p50), in the order measured.
    let mut pairs: Vec<(&str, f64, f64)> = Vec::new();
    for l in &report.latencies {
        let name = l.name.as_str();
        if l.section != "per-request"
            || name == crate::workload::FIXED_COST
            || pairs.iter().any(|(n, ..)| *n == name)
        {
            continue;
        }
        if let (Some(wasm), Some(native)) = (
            best_wasm(name),
            report.p50("per-request", name, "native qr-api handler"),
        ) {
            pairs.push((name, wasm, native));
        }
    }
    let Some(worst) = pairs.iter().map(|(_, w, n)| w / n).reduce(f64::max) else {
        return;
    };
    let mut measured: Vec<String> = pairs
        .iter()
        .map(|(name, w, n)| format!("{name} {:.2}×", w / n))
        .collect();
    // What the ratio would be without the fixed cost of a fresh instance per request.
    if let Some(fixed) = best_wasm(crate::workload::FIXED_COST) {
        let beyond: Vec<String> = pairs
            .iter()
            .map(|(name, w, n)| format!("{name} {:.2}×", (w - fixed) / n))
            .collect();
        measured.push(format!(
            "a fresh instance alone ({}) costs {fixed:.1} µs; beyond it: {}",
            crate::workload::FIXED_COST,
            beyond.join(", ")
        ));
    }
    let measured = measured.join("; ");
    report.goal(
        "wasm/native per request ≤ 1.3×",
        measured,
        Some(worst <= 1.3),
        "p50 of the best pool setting, wasm includes a fresh store and instantiation per request",
    );
}

fn instantiation(report: &mut Report) {
    let pooled: Vec<(String, f64)> = report
        .latencies
        .iter()
        .filter(|l| {
            l.section == "cold-start"
                && l.name.starts_with("instantiate ")
                && l.variant.starts_with("pooling")
        })
        .map(|l| {
            (
                l.name.trim_start_matches("instantiate ").to_owned(),
                l.summary.p50_us,
            )
        })
        .collect();
    let Some(worst) = pooled
        .iter()
        .filter(|(n, _)| n.starts_with("qr_"))
        .map(|(_, p)| *p)
        .reduce(f64::max)
    else {
        return;
    };
    let measured: Vec<String> = pooled
        .iter()
        .map(|(n, p)| format!("{n} {p:.1} µs"))
        .collect();
    report.goal(
        "pooled instantiation p50 ≤ 30 µs",
        measured.join(", "),
        Some(worst <= 30.0),
        "fresh Store + instantiate of the app's components (qr_*), qr-host's pool settings",
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
    let ms = l.summary.p50_us / 1000.0;
    report.goal(
        "qr-host process start → first response ≤ 30 ms (warm cache)",
        format!("p50 {ms:.1} ms (p99 {:.1} ms)", l.summary.p99_us / 1000.0),
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
