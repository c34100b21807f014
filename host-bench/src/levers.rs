//! `levers` (part of `host-overhead`): which pooling-allocator and thread-layout settings pay,
//! measured without a network. Each layout runs in fresh `host-bench inproc-worker`
//! processes, so one engine's pool state never leaks into the next measurement.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::Run;
use crate::report::{Report, Table};
use crate::wasm::{self, Allocation, Guest};
use crate::workload;

const SECTION: &str = "levers";

/// Keep-resident sizes swept: wasmtime's default (0: all madvise; qr-host's where the kernel
/// has no PAGEMAP_SCAN), 1 MiB (qr-host's first default), and qr-host's with PAGEMAP_SCAN
/// (`SCANNED_KEEP_RESIDENT`, 32 MiB since 2026-12-01, 16 MiB before).
const KEEP_RESIDENT: [usize; 3] = [0, 1024 * 1024, qr_host::config::SCANNED_KEEP_RESIDENT];

/// What one worker process measured.
#[derive(Debug, Serialize, Deserialize)]
pub struct WorkerResult {
    pub requests: usize,
    pub seconds: f64,
}

/// `host-bench inproc-worker COMPONENT ALLOCATION THREADS REQUESTS`: serves REQUESTS requests
/// per thread in-process and prints a [`WorkerResult`] as JSON.
#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// The component's file stem (`qr_generate`, `fixture_hello`).
    component: String,
    /// The [`Allocation`] as JSON.
    allocation: String,
    threads: usize,
    requests: usize,
}

pub fn worker(args: &WorkerArgs) -> Result<()> {
    let (component, threads, requests) = (args.component.as_str(), args.threads, args.requests);
    let mut allocation = serde_json::from_str(&args.allocation)?;
    // Every thread gets a pool slot, as qr-host sizes its pool.
    if let Allocation::Pooling { slots, .. } = &mut allocation {
        *slots = wasm::cores().max(threads) as u32;
    }
    let guest = Guest::new(component, allocation)?;
    let case = call_for(component)?;
    let rt = wasm::current_thread()?;
    rt.block_on(guest.handle(&case))?;
    let start = Instant::now();
    // Each thread serves its requests on a single-threaded runtime of its own.
    let serve = || {
        wasm::current_thread()?.block_on(async {
            for _ in 0..requests {
                guest.handle(&case).await?;
            }
            anyhow::Ok(())
        })
    };
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(serve)).collect();
        let panicked = |_| anyhow::anyhow!("worker thread panicked");
        handles
            .into_iter()
            .try_for_each(|h| h.join().map_err(panicked)?)
    })?;
    let result = WorkerResult {
        requests: requests * threads,
        seconds: start.elapsed().as_secs_f64(),
    };
    println!("{}", serde_json::to_string(&result)?);
    Ok(())
}

/// The request each component is driven with: `GET /` for hello, the seed's generate JSON.
fn call_for(component: &str) -> Result<wasm::Call> {
    if component == "fixture_hello" {
        return Ok(wasm::Call {
            method: "GET",
            path_and_query: "/hello".into(),
            content_type: "text/plain",
            body: Default::default(),
        });
    }
    let case = workload::cases()?
        .into_iter()
        .find(|c| c.component == component && c.name != workload::FIXED_COST)
        .context("no case for component")?;
    Ok(case.call)
}

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    let requests = run.pick(300, 15_000);
    let pool = |keep_resident, pagemap_scan| Allocation::Pooling {
        slots: 0,
        keep_resident,
        pagemap_scan,
    };
    let pools = KEEP_RESIDENT.map(|bytes| pool(bytes, false));
    let scans = KEEP_RESIDENT[1..].iter().map(|&bytes| pool(bytes, true));
    let allocations: Vec<_> = [Allocation::OnDemand]
        .into_iter()
        .chain(pools)
        .chain(scans)
        .collect();
    // (processes, threads per process)
    let layouts = [(1, 1), (1, 2), (2, 1)];
    let mut rows = Vec::new();
    for component in ["fixture_hello", "qr_generate"] {
        let per_request = if component == "qr_generate" {
            requests / 5
        } else {
            requests
        };
        for allocation in &allocations {
            let mut cells = vec![component.to_owned(), allocation.label()];
            for (processes, threads) in layouts {
                let what = format!("{component}, {}, {processes}×{threads}", allocation.label());
                let _spinner = crate::spinner(&what);
                let rps = layout(component, *allocation, processes, threads, per_request)?;
                cells.push(format!("{rps:.0}"));
            }
            rows.push(cells);
        }
    }
    report.note(
        SECTION,
        format!(
            "In-process requests per second (fresh store + instantiate + handle per request, no \
             network), {requests} hello / {} generate requests per thread. Layouts: processes × \
             threads per process; threads in one process share one engine and address space.",
            requests / 5
        ),
    );
    report.tables.push(Table {
        section: SECTION,
        title: "in-process req/s by allocation and thread layout".into(),
        columns: vec![
            "component",
            "allocation",
            "1 proc × 1 thread",
            "1 proc × 2 threads",
            "2 procs × 1 thread",
        ],
        rows,
    });
    Ok(())
}

/// Total requests per second of `processes` worker processes running side by side.
fn layout(
    component: &str,
    allocation: Allocation,
    processes: usize,
    threads: usize,
    requests: usize,
) -> Result<f64> {
    let exe = std::env::current_exe()?;
    let allocation = serde_json::to_string(&allocation)?;
    let children: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "inproc-worker",
                    component,
                    &allocation,
                    &threads.to_string(),
                    &requests.to_string(),
                ])
                .stdout(std::process::Stdio::piped())
                .spawn()
        })
        .collect::<Result<_, _>>()?;
    let mut total = 0;
    let mut slowest: f64 = 0.0;
    for child in children {
        let output = child.wait_with_output()?;
        anyhow::ensure!(output.status.success(), "inproc-worker failed");
        let result: WorkerResult = serde_json::from_slice(&output.stdout)?;
        total += result.requests;
        slowest = slowest.max(result.seconds);
    }
    Ok(total as f64 / slowest)
}
