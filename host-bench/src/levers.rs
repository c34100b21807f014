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
/// has no PAGEMAP_SCAN), 1 MiB (qr-host's first default), and 16 MiB (qr-host's with
/// PAGEMAP_SCAN: more than the app's guests touch).
const KEEP_RESIDENT: [usize; 3] = [0, 1024 * 1024, 16 * 1024 * 1024];

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
    /// `on-demand`, or a keep-resident byte count for the pool with a `+scan` suffix for
    /// PAGEMAP_SCAN.
    allocation: String,
    threads: usize,
    requests: usize,
}

pub fn worker(args: &WorkerArgs) -> Result<()> {
    let (component, threads, requests) = (args.component.as_str(), args.threads, args.requests);
    let allocation = match args.allocation.as_str() {
        "on-demand" => Allocation::OnDemand,
        pool => pooling(pool, wasm::cores().max(threads) as u32)?,
    };
    let guest = Guest::new(component, allocation)?;
    let case = call_for(component)?;
    let rt = wasm::current_thread()?;
    rt.block_on(guest.handle(&case))?;
    let start = Instant::now();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let rt = wasm::current_thread()?;
                    rt.block_on(async {
                        for _ in 0..requests {
                            guest.handle(&case).await?;
                        }
                        anyhow::Ok(())
                    })
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .map_err(|_| anyhow::anyhow!("worker thread panicked"))?
        })
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
    let mut allocations: Vec<String> = vec!["on-demand".into()];
    allocations.extend(KEEP_RESIDENT.iter().map(usize::to_string));
    allocations.extend(
        KEEP_RESIDENT[1..]
            .iter()
            .map(|bytes| format!("{bytes}+scan")),
    );
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
            let label = match allocation.as_str() {
                "on-demand" => Allocation::OnDemand.label(),
                pool => pooling(pool, 0)?.label(),
            };
            let mut cells = vec![component.to_owned(), label];
            for (processes, threads) in layouts {
                let _spinner = run
                    .progress
                    .spinner(&format!("{component}, {allocation}, {processes}×{threads}"));
                let rps = layout(component, allocation, processes, threads, per_request)?;
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

/// `1048576` or `1048576+scan`: a pool keeping that many bytes resident, with PAGEMAP_SCAN.
fn pooling(spec: &str, slots: u32) -> Result<Allocation> {
    let (bytes, pagemap_scan) = match spec.strip_suffix("+scan") {
        Some(bytes) => (bytes, true),
        None => (spec, false),
    };
    Ok(Allocation::Pooling {
        slots,
        keep_resident: bytes.parse()?,
        pagemap_scan,
    })
}

/// Total requests per second of `processes` worker processes running side by side.
fn layout(
    component: &str,
    allocation: &str,
    processes: usize,
    threads: usize,
    requests: usize,
) -> Result<f64> {
    let exe = std::env::current_exe()?;
    let children: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(&exe)
                .args([
                    "inproc-worker",
                    component,
                    allocation,
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
