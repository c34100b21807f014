//! `per-request`: one request's cost inside the host, no network: each request through its
//! wasm component (fresh pooled store, instantiate, handle, whole body read) against the same
//! `qr-api` handler called natively, and the wasm/native ratio.

use std::time::Instant;

use anyhow::Result;

use crate::report::{Report, Table, fmt_us};
use crate::stats::Summary;
use crate::wasm::{self, Allocation, Guest};
use crate::workload;
use crate::{Progress as _, Run};

const SECTION: &str = "per-request";
/// Untimed requests before timing, so pool slots and caches are warm.
const WARMUP: usize = 5;

pub fn run(run: &Run, report: &mut Report) -> Result<()> {
    let allocation = Allocation::qr_host_default();
    let engine = wasm::engine(allocation)?;
    let rt = wasm::current_thread()?;
    let mut rows = Vec::new();
    let mut guests: Vec<(&str, Guest)> = Vec::new();
    for case in workload::cases()? {
        let guest = match guests.iter().find(|(name, _)| *name == case.component) {
            Some((_, guest)) => guest.clone(),
            None => {
                let wasm_bytes = std::fs::read(crate::paths::component(case.component)?)?;
                let guest = Guest::new(&engine, &wasm::compile(&engine, &wasm_bytes)?)?;
                guests.push((case.component, guest.clone()));
                guest
            }
        };
        // Slow requests (the phone photo) get fewer samples so the run stays bounded.
        let start = Instant::now();
        for _ in 0..WARMUP {
            rt.block_on(guest.handle(&case.call))?;
        }
        let per_call = start.elapsed().as_secs_f64() / WARMUP as f64;
        let n = run.pick(20, ((run.budget_seconds() / per_call) as usize).clamp(30, 2000));

        let bar = run.progress.bar(&format!("{} (wasm)", case.name), n);
        let wasm = rt.block_on(async {
            let mut samples = Vec::with_capacity(n);
            for _ in 0..n {
                let start = Instant::now();
                guest.handle(&case.call).await?;
                samples.push(start.elapsed());
                bar.inc(1);
            }
            anyhow::Ok(Summary::of(samples))
        })?;
        bar.finish_and_clear();
        for _ in 0..WARMUP {
            workload::native(&case.call)?;
        }
        let native = run.progress.timed(&format!("{} (native)", case.name), n, || workload::native(&case.call))?;
        report.latency(SECTION, case.name, "wasm component (fresh store)", wasm);
        report.latency(SECTION, case.name, "native qr-api handler", native);
        rows.push(vec![
            case.name.to_owned(),
            fmt_us(wasm.p50_us),
            fmt_us(native.p50_us),
            format!("{:.2}×", wasm.p50_us / native.p50_us),
            format!("{:.2}×", wasm.p99_us / native.p99_us),
        ]);
    }
    report.note(
        SECTION,
        format!(
            "In-process, one thread, {}; wasm = new Store + instantiate + handle + read body; \
             native = the same qr-api handler the component wraps (parse, qr-core, reply).",
            allocation.label()
        ),
    );
    report.tables.push(Table {
        section: SECTION,
        title: "wasm / native per request".into(),
        columns: ["request", "wasm p50 µs", "native p50 µs", "ratio p50", "ratio p99"].map(String::from).to_vec(),
        rows,
    });
    Ok(())
}
