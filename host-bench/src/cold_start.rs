//! `cold-start`: what it costs to go from nothing to a first response, step by step: engine
//! creation, Cranelift compile, loading from qr-host's artifact cache, instantiation (pooling vs
//! on-demand), the first request on a fresh store, and a whole qr-host process with a warm
//! precompiled cache.

use std::time::Instant;

use anyhow::{Context as _, Result};
use wasmtime::component::Component;

use crate::Run;
use crate::report::Report;
use crate::servers::{self, Service};
use crate::stats::{Summary, sample, timed};
use crate::wasm::{self, Allocation, Guest};
use crate::workload;

const SECTION: &str = "cold-start";

/// Components measured: the two the app ships and the trivial hello fixture.
const COMPONENTS: [&str; 3] = ["qr_generate", "qr_decode", "fixture_hello"];

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    let n = run.pick(5, 50);
    let on_demand = Allocation::OnDemand;
    let pooling = Allocation::qr_host_default();
    for allocation in [pooling, on_demand] {
        let label = allocation.label();
        let summary = timed(&format!("engine ({label})"), n, || wasm::engine(allocation))?;
        report.latency(SECTION, "engine creation", label, summary);
    }

    let engine = wasm::engine(pooling)?;
    let cache_dir = wasm::artifact_cache()?;
    std::fs::create_dir_all(&cache_dir)?;
    let cache = qr_host::cache::ArtifactCache::open(&cache_dir, &engine)
        .context("qr-host refused the artifact cache directory")?;
    let compiles = run.pick(1, 3);
    for name in COMPONENTS {
        let bytes = std::fs::read(crate::paths::component(name))?;
        let summary = timed(&format!("compile {name}"), compiles, || {
            Ok(Component::new(&engine, &bytes)?)
        })?;
        let kib = bytes.len() / 1024;
        report.latency(
            SECTION,
            format!("compile {name}.wasm ({kib} KiB)"),
            "Cranelift",
            summary,
        );
        cache.store(&bytes, &Component::new(&engine, &bytes)?);
        let summary = timed(&format!("load {name}"), n, || {
            cache
                .load(&bytes)
                .context("artifact not loaded from the cache")
        })?;
        report.latency(
            SECTION,
            format!("load {name} from qr-host's artifact cache"),
            "sha256 + checks + mmap",
            summary,
        );
    }

    let rt = wasm::current_thread()?;
    let instantiations = run.pick(200, 5000);
    for allocation in [pooling, on_demand] {
        for name in COMPONENTS {
            let guest = Guest::new(name, allocation)?;
            let what = format!("instantiate {name} ({})", allocation.label());
            let summary = sample(&what, instantiations, || rt.block_on(guest.instantiate()))?;
            let name = format!("instantiate {name}");
            report.latency(SECTION, name, allocation.label(), summary);
        }
    }

    first_request(run, report, &rt, pooling)?;
    process_start(run, report)?;
    Ok(())
}

/// A fresh engine, the generate component loaded from the artifact cache, and its very first
/// request (no warm pool slot, no touched pages), against the same request once the slot is warm.
fn first_request(
    run: &Run,
    report: &mut Report,
    rt: &tokio::runtime::Runtime,
    allocation: Allocation,
) -> Result<()> {
    let case = workload::cases()?
        .into_iter()
        .find(|c| c.name == "generate PNG")
        .context("no generate case")?;
    let mut second = Vec::new();
    let first = sample("first request on a fresh engine", run.pick(3, 20), || {
        let guest = Guest::new(case.component, allocation)?;
        let first = rt.block_on(guest.time_call(&case.call))?;
        second.push(rt.block_on(guest.time_call(&case.call))?);
        Ok(first)
    })?;
    let name = "first request on a fresh store (generate PNG)";
    report.latency(SECTION, name, "first after load", first);
    report.latency(SECTION, name, "second (slot reused)", Summary::of(second));
    Ok(())
}

/// `qr-host` process spawn to the first 200 from `/health`, with the precompiled cache warm.
fn process_start(run: &Run, report: &mut Report) -> Result<()> {
    let cache = crate::wasm::artifact_cache()?;
    let manifest = crate::paths::workspace_root().join("spin.toml");
    let spec = || Service::qr_host(&manifest, &cache, &[]);
    // Warm the cache: the first start compiles and stores every component.
    drop(servers::start(spec()?).context("starting qr-host to warm its cache")?);
    let what = "qr-host process start to first 200";
    let summary = sample(what, run.pick(3, 20), || {
        let start = Instant::now();
        let server = servers::start(spec()?)?;
        servers::get_ok(server.addr, "/health")?;
        Ok(start.elapsed())
    })?;
    let name = "qr-host process start → first 200 (/health)";
    report.latency(SECTION, name, "warm cache", summary);
    Ok(())
}
