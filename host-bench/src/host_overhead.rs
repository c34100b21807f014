//! `host-overhead`: what a host adds per request, on a guest that does nothing: the hello
//! fixture served by qr-host (and its lever variants) and by `wasmtime serve`, against a
//! native hyper hello, all under the same oha load. The in-process lever sweep runs first.

use anyhow::{Context as _, Result};

use crate::oha::Shot;
use crate::report::Report;
use crate::servers::{self, Service};
use crate::{Run, goals};

pub const SECTION: &str = "host-overhead";

/// A Spin manifest serving only the hello fixture at `/...`, written into the scratch dir.
fn hello_manifest() -> Result<std::path::PathBuf> {
    crate::paths::single_component_manifest("hello", &crate::paths::component("fixture_hello"))
}

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    crate::levers::run(run, report)?;
    let Some(oha) = run.oha_or_skip(report, SECTION) else {
        return Ok(());
    };
    let manifest = hello_manifest()?;
    let cache = crate::wasm::artifact_cache()?;
    let hello = crate::paths::component("fixture_hello");
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
        services.extend([
            // The reset strategies qr-host does not default to on this kernel.
            Service::qr_host(&manifest, &cache, &["--pool-pagemap-scan", "no"])?
                .named("qr-host no PAGEMAP_SCAN, keep-resident 0"),
            Service::qr_host(
                &manifest,
                &cache,
                &[
                    "--pool-pagemap-scan",
                    "no",
                    "--pool-memory-keep-resident",
                    "16777216",
                ],
            )?
            .named("qr-host no PAGEMAP_SCAN, keep-resident 16 MiB"),
            Service::qr_host(&manifest, &cache, &["--no-pooling"])?.named("qr-host --no-pooling"),
            Service::qr_host(&manifest, &cache, &[])?
                .env("TOKIO_WORKER_THREADS", "1")
                .named("qr-host 1 worker thread"),
            Service::qr_host(&manifest, &cache, &[])?
                .env("RUST_LOG", "warn")
                .named("qr-host no access log"),
        ]);
        if let Ok(service) = wasmtime_serve(&["-O", "pooling-allocator=y"]) {
            services.push(service.named("wasmtime serve -O pooling-allocator=y"));
        }
    }
    let connections: &[u32] = if run.quick {
        &[goals::CONNECTIONS]
    } else {
        &[16, goals::CONNECTIONS]
    };
    for service in services {
        let name = service.name.clone();
        let server = servers::start(service).with_context(|| format!("starting {name}"))?;
        for &connections in connections {
            let shot = Shot {
                route: "/hello",
                method: "GET",
                body: None,
                connections,
                keep_alive: true,
                duration: run.load_duration(),
            };
            report.loads.push(run.load(oha, SECTION, &server, &shot)?);
        }
    }
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
