//! `batch`: codes per second per core for `POST /generate/batch`, in-process: the generate
//! component through qr-host's own `Runtime::call` on one thread (one core), beside the same
//! `qr-api` handler natively. The nginx-cluster half of this benchmark is the ignored test
//! `tests/tests/all/cluster/batch.rs`, which reuses the cluster harness; `scripts/bench-batch`
//! runs both.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use nix::time::ClockId;

use crate::wasm::{self, Allocation, Call, Guest};
use crate::workload;

/// Codes per request: a full batch (`MAX_BATCH_ITEMS`).
const ITEMS: usize = qr_core::limits::MAX_BATCH_ITEMS;

/// Timed requests per side, after one untimed.
const REQUESTS: usize = 5;

/// A batch of product codes as a shop's export would send them: CSV, one row per SKU, the
/// seed's defaults (PNG, level H, 10 px a module).
fn product_csv() -> String {
    let mut csv = String::from("data,name\n");
    for sku in 0..ITEMS {
        let _ = writeln!(csv, "https://shop.example.com/p/{sku:07},sku-{sku:07}");
    }
    csv
}

/// Times [`REQUESTS`] full batches each way and writes the markdown to `out`.
pub fn run(out: &Path) -> Result<()> {
    let call = Call {
        method: "POST",
        path_and_query: "/generate/batch".into(),
        content_type: "text/csv",
        body: product_csv().into(),
    };
    let rt = wasm::current_thread()?;
    let guest = Guest::new("qr_generate", Allocation::qr_host_default())?;
    let mut archive_bytes = rt.block_on(guest.handle(&call))?.len();
    let (wasm_s, wasm_cpu) = per_request(|| {
        archive_bytes = rt.block_on(guest.handle(&call))?.len();
        Ok(())
    })?;
    workload::native(&call)?;
    let (native_s, native_cpu) = per_request(|| workload::native(&call).map(drop))?;

    let mut md = String::new();
    let _ = writeln!(
        md,
        "## In-process, one core ({})\n\n`host-bench batch`: {REQUESTS} requests of {ITEMS} \
         codes as CSV (`https://shop.example.com/p/0000000` …, PNG, level H, 10 px a module, \
         {:.0} KB archive) on one thread, after one untimed; load average {}.\n\n\
         Wall time is what this thread waited, CPU time what it ran (the two differ when \
         the machine is shared); codes per core-second = codes / CPU seconds.\n\n\
         | side | wall per request | CPU per request | CPU per code | codes per core-second |\n\
         |---|---|---|---|---|",
        crate::report::utc_now(),
        archive_bytes as f64 / 1000.0,
        qr_tests::load_average()
    );
    for (side, s, cpu) in [
        (
            "wasm, qr-host's Runtime::call (fresh instance per request)",
            wasm_s,
            wasm_cpu,
        ),
        ("native qr-api handler", native_s, native_cpu),
    ] {
        let _ = writeln!(
            md,
            "| {side} | {:.0} ms | {:.0} ms | {:.1} µs | {:.0} |",
            s * 1000.0,
            cpu * 1000.0,
            cpu * 1e6 / ITEMS as f64,
            ITEMS as f64 / cpu
        );
    }
    let _ = writeln!(md, "\nwasm / native (CPU): {:.2}×", wasm_cpu / native_cpu);
    crate::report::publish(out, &md)
}

/// Wall and CPU seconds of this thread per call of `f`, over [`REQUESTS`] calls. CPU time is
/// the thread's own clock: unaffected by time spent waiting for a core on a shared machine.
fn per_request(mut f: impl FnMut() -> Result<()>) -> Result<(f64, f64)> {
    let cpu = || ClockId::CLOCK_THREAD_CPUTIME_ID.now().map(Duration::from);
    let (start, cpu_start) = (Instant::now(), cpu()?);
    for _ in 0..REQUESTS {
        f()?;
    }
    let per = |d: Duration| d.as_secs_f64() / REQUESTS as f64;
    Ok((per(start.elapsed()), per(cpu()? - cpu_start)))
}
