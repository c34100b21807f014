//! `host-overhead`: what a host adds per request, on a guest that does nothing: the hello
//! fixture served by qr-host (and its lever variants) and by `wasmtime serve`, against a
//! native hyper hello, all under the same oha load. The in-process lever sweep runs first.

use anyhow::Result;

use crate::oha::Shot;
use crate::report::Report;
use crate::servers::Service;
use crate::{Run, goals};

pub const SECTION: &str = "host-overhead";

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    crate::levers::run(run, report)?;
    let Some(oha) = run.oha_or_skip(report, SECTION) else {
        return Ok(());
    };
    let hello = crate::paths::component("fixture_hello");
    // The hello fixture alone on every path.
    let manifest = crate::paths::single_component_manifest("hello", &hello)?;
    let cache = crate::wasm::artifact_cache()?;
    let mut services = vec![
        Service::qr_host(&manifest, &cache, &[])?.named("qr-host (defaults)"),
        Service::native_hello()?,
    ];
    // The wasmtime CLI is optional (CI may lack it): its rows are skipped with a note.
    let wasmtime_serve = |extra: &[&str]| Service::wasmtime_serve(&hello, extra);
    match wasmtime_serve(&[]) {
        Ok(service) => services.insert(1, service),
        Err(e) => report.note(SECTION, format!("`wasmtime serve` skipped: {e:#}")),
    }
    if !run.quick {
        // The reset strategies qr-host does not default to on this kernel, and its other levers.
        let flags: [(&str, &[&str]); 3] = [
            (
                "no PAGEMAP_SCAN, keep-resident 0",
                &["--pool-pagemap-scan", "no"],
            ),
            (
                "no PAGEMAP_SCAN, keep-resident 16 MiB",
                &[
                    "--pool-pagemap-scan",
                    "no",
                    "--pool-memory-keep-resident",
                    "16777216",
                ],
            ),
            ("--no-pooling", &["--no-pooling"]),
        ];
        for (name, flags) in flags {
            let service = Service::qr_host(&manifest, &cache, flags)?;
            services.push(service.named(format!("qr-host {name}")));
        }
        let env = [
            ("1 worker thread", "TOKIO_WORKER_THREADS", "1"),
            ("no access log", "RUST_LOG", "warn"),
        ];
        for (name, key, value) in env {
            let service = Service::qr_host(&manifest, &cache, &[])?.env(key, value);
            services.push(service.named(format!("qr-host {name}")));
        }
        if let Ok(service) = wasmtime_serve(&["-O", "pooling-allocator=y"]) {
            services.push(service.named("wasmtime serve -O pooling-allocator=y"));
        }
    }
    let connections: &[u32] = if run.quick {
        &[goals::CONNECTIONS]
    } else {
        &[16, goals::CONNECTIONS]
    };
    let shots = connections.iter().map(|&connections| Shot {
        route: "/hello",
        method: "GET",
        body: None,
        connections,
        keep_alive: true,
        duration: run.load_duration(),
    });
    run.load_cells(oha, report, SECTION, services, &shots.collect::<Vec<_>>())?;
    report.note(
        SECTION,
        format!(
            "oha {} on the same 2 cores as the server, keep-alive on, {}, GET /hello. \
             qr-host logs one access line per request at its default level; \
             `no access log` runs it with RUST_LOG=warn.",
            oha.version,
            run.load_text()
        ),
    );
    Ok(())
}
