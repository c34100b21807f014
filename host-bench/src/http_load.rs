//! `http-load`: qr-host against the Python service it replaces, same loader (oha), same
//! machine, same run, on the seed's own requests (`generate.json`, `qr_287.png`), at 1, 16
//! and 64 connections with keep-alive on and off, with ours/python per cell.

use anyhow::Result;

use crate::oha::Shot;
use crate::report::{Report, Table};
use crate::servers::Service;
use crate::{Run, goals};

pub const SECTION: &str = "http-load";

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    let Some(oha) = run.oha_or_skip(report, SECTION) else {
        return Ok(());
    };
    let manifest = crate::paths::workspace_root().join("spin.toml");
    let cache = crate::wasm::artifact_cache()?;
    let mut services = vec![Service::qr_host(&manifest, &cache, &[])?];
    if run.quick {
        report.note(
            SECTION,
            format!(
                "--quick: the Python service is not started; qr-host only, {} connections, \
                 keep-alive on.",
                goals::CONNECTIONS
            ),
        );
    } else {
        match Service::python_seed() {
            Ok(python) => services.push(python),
            Err(e) => report.note(SECTION, format!("python-seed skipped: {e:#}")),
        }
    }
    let connections: &[u32] = if run.quick {
        &[goals::CONNECTIONS]
    } else {
        &[1, 16, goals::CONNECTIONS]
    };
    let keep_alive: &[bool] = if run.quick { &[true] } else { &[true, false] };
    let seed = crate::paths::python_seed();
    // The seed's routes: (route, body file, content type).
    let routes = [
        ("/generate", seed.join("generate.json"), "application/json"),
        ("/decode", seed.join("qr_287.png"), "image/png"),
    ];
    let duration = run.load_duration();
    let mut shots = Vec::new();
    for (route, body, content_type) in &routes {
        for &keep_alive in keep_alive {
            for &connections in connections {
                let body = Some((body.as_path(), *content_type));
                let method = "POST";
                shots.push(Shot {
                    route,
                    method,
                    body,
                    connections,
                    keep_alive,
                    duration,
                });
            }
        }
    }
    run.load_cells(oha, report, SECTION, services, &shots)?;
    ratios(report);
    report.note(
        SECTION,
        format!(
            "oha {} on the same 2 cores, {}, the seed's own request bodies. \
             gunicorn closes every connection, so the keep-alive off rows are the fair pair. \
             CPU ms/req is the server process tree's user+system time over 2xx responses.",
            oha.version,
            run.load_text()
        ),
    );
    Ok(())
}

/// ours/python per (route, connections, keep-alive) cell, when both were measured.
fn ratios(report: &mut Report) {
    let mut rows = Vec::new();
    let ours = report.loads.iter();
    for ours in ours.filter(|l| l.section == SECTION && l.service == "qr-host") {
        let (route, connections, keep_alive) = (&ours.route, ours.connections, ours.keep_alive);
        let Some(python) = report.load(SECTION, "python-seed", route, connections, keep_alive)
        else {
            continue;
        };
        let cpu = match (ours.cpu_ms_per_request, python.cpu_ms_per_request) {
            (Some(o), Some(p)) if o > 0.0 => format!("{:.1}×", p / o),
            _ => "-".into(),
        };
        rows.push(vec![
            ours.route.clone(),
            ours.connections.to_string(),
            if ours.keep_alive { "on" } else { "off" }.into(),
            format!("{:.0}", ours.rps),
            format!("{:.0}", python.rps),
            format!("{:.1}×", ours.rps / python.rps.max(f64::EPSILON)),
            format!("{:.2} / {:.2}", ours.p50_ms, python.p50_ms),
            format!("{:.2} / {:.2}", ours.p99_ms, python.p99_ms),
            cpu,
        ]);
    }
    if !rows.is_empty() {
        report.tables.push(Table {
            section: SECTION,
            title: "qr-host / python-seed per cell (median runs)".into(),
            columns: vec![
                "route",
                "conns",
                "keep-alive",
                "qr-host req/s",
                "python req/s",
                "ours/python",
                "p50 ms ours / py",
                "p99 ms ours / py",
                "CPU per req py/ours",
            ],
            rows,
        });
    }
}
