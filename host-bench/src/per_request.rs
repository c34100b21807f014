//! `per-request`: one request's cost inside the host, no network: each request through its
//! wasm component (fresh pooled store, instantiate, handle, whole body read) against the same
//! `qr-api` handler called natively, and the wasm/native ratio.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Result;

use crate::Run;
use crate::report::{Report, Table, fmt_us};
use crate::stats::{sample, timed};
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

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    let allocations = [Allocation::qr_host_default(), NO_SCAN];
    let rt = wasm::current_thread()?;
    let mut rows = Vec::new();
    let mut guests = BTreeMap::new();
    for case in workload::cases()? {
        if !guests.contains_key(case.component) {
            let [a, b] = allocations.map(|allocation| Guest::new(case.component, allocation));
            guests.insert(case.component, [a?, b?]);
        }
        let pair = &guests[case.component];
        // Slow requests (the phone photo) get fewer samples so the run stays bounded.
        let start = Instant::now();
        for _ in 0..WARMUP {
            rt.block_on(pair[0].handle(&case.call))?;
        }
        let per_call = start.elapsed().as_secs_f64() / WARMUP as f64;
        let n = run.pick(20, ((BUDGET_SECONDS / per_call) as usize).clamp(30, 2000));

        let mut wasm = Vec::new();
        for (guest, allocation) in pair.iter().zip(allocations) {
            for _ in 0..WARMUP {
                rt.block_on(guest.handle(&case.call))?;
            }
            let variant = format!("wasm, {}", allocation.label());
            let what = format!("{} ({variant})", case.name);
            let summary = sample(&what, n, || rt.block_on(guest.time_call(&case.call)))?;
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
        ]);
    }
    report.note(
        SECTION,
        "In-process, one thread; wasm = new Store + instantiate + handle + read body, with \
         qr-host's default pool (PAGEMAP_SCAN on this kernel) and with its fallback for \
         kernels without it (keep-resident 0, madvise); native = the same qr-api handler the \
         component wraps (parse, qr-core, reply).",
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
        ],
        rows,
    });
    Ok(())
}
