//! `per-request`: one request's cost inside the host, no network: each request through its
//! wasm component (fresh pooled store, instantiate, handle, whole body read) against the same
//! `qr-api` handler called natively, and the wasm/native ratio; and how much of the wasm side
//! is the request deadline's epoch checks (the same component on an engine without them).

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Result;

use crate::Run;
use crate::report::{Report, Table, fmt_us};
use crate::stats::{Summary, timed};
use crate::wasm::{self, Allocation, Guest};
use crate::workload;

const SECTION: &str = "per-request";
/// Untimed requests before timing, so pool slots and caches are warm.
const WARMUP: usize = 5;
/// Time budget for each timed in-process measurement of a full run.
const BUDGET_SECONDS: f64 = 4.0;

/// What qr-host falls back to on kernels without PAGEMAP_SCAN (< 6.7): keep-resident 0, so
/// every page an instance touched is released with madvise and faulted in again by the next.
const NO_SCAN: Allocation = Allocation::Pooling {
    slots: 2,
    keep_resident: 0,
    pagemap_scan: false,
};

/// The third wasm variant: qr-host's pool, the engine without epoch interruption.
pub const NO_CHECKS: &str = "wasm, qr-host's pool, no deadline checks";

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    let allocations = [Allocation::qr_host_default(), NO_SCAN];
    let variants = allocations
        .map(|allocation| format!("wasm, {}", allocation.label()))
        .into_iter()
        .chain([NO_CHECKS.to_owned()]);
    let rt = wasm::current_thread()?;
    let mut rows = Vec::new();
    let mut guests = BTreeMap::new();
    for case in workload::cases()? {
        if !guests.contains_key(case.component) {
            let [a, b] = allocations.map(|allocation| Guest::new(case.component, allocation));
            let unchecked = Guest::without_deadline_checks(case.component);
            guests.insert(case.component, [a?, b?, unchecked?]);
        }
        let runtimes = &guests[case.component];
        // Slow requests (the phone photo) get fewer samples so the run stays bounded.
        let start = Instant::now();
        for _ in 0..WARMUP {
            rt.block_on(runtimes[0].handle(&case.call))?;
        }
        let per_call = start.elapsed().as_secs_f64() / WARMUP as f64;
        let n = run.pick(20, ((BUDGET_SECONDS / per_call) as usize).clamp(30, 2000));

        for guest in runtimes {
            for _ in 0..WARMUP {
                rt.block_on(guest.handle(&case.call))?;
            }
        }
        // The variants take turns request by request, so a shared machine's load falls on
        // all of them alike and their ratios hold.
        eprintln!("  {} (the wasm variants taking turns)", case.name);
        let mut times = runtimes.each_ref().map(|_| Vec::with_capacity(n));
        for _ in 0..n {
            for (guest, times) in runtimes.iter().zip(&mut times) {
                times.push(rt.block_on(guest.time_call(&case.call))?);
            }
        }
        let mut wasm = Vec::new();
        for (variant, times) in variants.clone().zip(times) {
            let summary = Summary::of(times);
            report.latency(SECTION, case.name, variant, summary);
            wasm.push(summary);
        }
        for _ in 0..WARMUP {
            workload::native(&case.call)?;
        }
        let what = format!("{} (native)", case.name);
        let native = timed(&what, n, || workload::native(&case.call))?;
        report.latency(SECTION, case.name, "native qr-api handler", native);
        rows.push(vec![
            case.name.to_owned(),
            fmt_us(native.p50_us),
            fmt_us(wasm[0].p50_us),
            format!("{:.2}×", wasm[0].p50_us / native.p50_us),
            format!("{:.2}×", wasm[0].p99_us / native.p99_us),
            fmt_us(wasm[1].p50_us),
            format!("{:.2}×", wasm[1].p50_us / native.p50_us),
            fmt_us(wasm[2].p50_us),
            format!("{:.2}×", wasm[2].p50_us / native.p50_us),
            format!("{:.2}×", wasm[0].p50_us / wasm[2].p50_us),
        ]);
    }
    report.note(
        SECTION,
        "In-process, one thread; wasm = new Store + instantiate + handle + read body, with \
         qr-host's default pool (PAGEMAP_SCAN on this kernel) and with its fallback for \
         kernels without it (keep-resident 0, madvise), and with qr-host's pool on an engine \
         without epoch interruption (no deadline checks: wasmtime compiles an epoch check into \
         every loop and function entry when a deadline is enforced, as qr-host and Spin \
         always do; `checks' cost` is the shipped p50 over this one's); native = the same \
         qr-api handler the component wraps (parse, qr-core, reply).",
    );
    report.tables.push(Table {
        section: SECTION,
        title: "wasm / native per request".into(),
        columns: vec![
            "request",
            "native p50 µs",
            "wasm p50 µs (qr-host pool)",
            "ratio p50",
            "ratio p99",
            "wasm p50 µs (no PAGEMAP_SCAN)",
            "ratio p50",
            "wasm p50 µs (no deadline checks)",
            "ratio p50",
            "checks' cost",
        ],
        rows,
    });
    Ok(())
}
