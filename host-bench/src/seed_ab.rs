//! `seed-ab`: the plain seed request (`GET /generate?data=https://example.com/product/123`)
//! on two builds of the generate component side by side, in one run: in-process through
//! qr-host's own `Runtime::call` (see [`crate::wasm`]), instantiation alone (pooled as qr-host
//! runs it, and on-demand), and over HTTP through qr-host under oha. Rounds alternate which
//! build goes first, so drift in the machine's load falls on both; each figure is the median
//! of the rounds' medians, with the rounds' range as its spread.
//!
//! `scripts/bench-seed-ab` builds the "before" component from an older commit in a temporary
//! worktree and runs this.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

use crate::oha::{Oha, Shot};
use crate::servers::{self, Service};
use crate::wasm::{self, Allocation, Call, Guest};

/// The seed request, as a GET (the README's first example): the default request.
pub const SEED_PATH: &str = "/generate?data=https%3A%2F%2Fexample.com%2Fproduct%2F123";
/// Calls timed per round and build, in-process (about a second of one core).
const CALLS: usize = 4000;
/// Instantiations timed per round, build and allocation.
const INSTANTIATIONS: usize = 4000;
/// Untimed calls before timing.
const WARMUP: usize = 200;
/// oha's connections over HTTP: enough to keep both cores busy.
const CONNECTIONS: u32 = 16;
/// oha's run time per round and build.
const LOAD: Duration = Duration::from_secs(4);

/// One build under test.
struct Build {
    label: String,
    wasm: PathBuf,
}

/// What one round measured for one build.
#[derive(Debug, Clone, Copy, Default)]
struct Round {
    call_us: f64,
    pooled_instantiate_us: f64,
    on_demand_instantiate_us: f64,
    rps: f64,
    cpu_ms: f64,
}

/// Runs `rounds` rounds on the builds at `old` and `new`, writes the markdown to `out`.
pub fn run(old: &Path, new: &Path, path: &str, rounds: usize, out: &Path) -> Result<()> {
    let builds = [
        Build {
            label: "before".into(),
            wasm: old.to_owned(),
        },
        Build {
            label: "after".into(),
            wasm: new.to_owned(),
        },
    ];
    let oha = Oha::find()?;
    let rt = wasm::current_thread()?;
    let call = Call {
        method: "GET",
        path_and_query: path.into(),
        content_type: "text/plain",
        body: bytes::Bytes::new(),
    };
    let mut compile_s = Vec::new();
    let mut guests = Vec::new();
    for (i, b) in builds.iter().enumerate() {
        let bytes = std::fs::read(&b.wasm).with_context(|| b.wasm.display().to_string())?;
        let engine = wasm::engine(Allocation::OnDemand)?;
        let start = Instant::now();
        wasm::compile(&engine, &bytes)?;
        compile_s.push(start.elapsed().as_secs_f64());
        let id = format!("generate-{i}");
        guests.push([
            Guest::at(&id, &b.wasm, Allocation::qr_host_default())?,
            Guest::at(&id, &b.wasm, Allocation::OnDemand)?,
        ]);
    }
    let cache = crate::wasm::artifact_cache()?;
    let mut results = vec![Vec::new(), Vec::new()];
    for round in 0..rounds {
        // before, after; then after, before; ...
        let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            let b = &builds[i];
            eprintln!("round {}/{rounds}: {}", round + 1, b.label);
            let [pooled, on_demand] = &guests[i];
            let mut r = Round::default();
            rt.block_on(async {
                for _ in 0..WARMUP {
                    pooled.handle(&call).await?;
                }
                r.call_us = pooled.time_calls(&call, CALLS, || ()).await?.p50_us;
                for (guest, slot) in [
                    (pooled, &mut r.pooled_instantiate_us),
                    (on_demand, &mut r.on_demand_instantiate_us),
                ] {
                    guest.time_instantiations(WARMUP, || ()).await?;
                    *slot = guest
                        .time_instantiations(INSTANTIATIONS, || ())
                        .await?
                        .p50_us;
                }
                anyhow::Ok(())
            })?;
            let manifest =
                crate::paths::single_component_manifest(&format!("generate-{i}"), &b.wasm)?;
            let server = servers::start(
                Service::qr_host(&manifest, &cache, &[])?.named(format!("qr-host ({})", b.label)),
            )?;
            servers::get_ok(server.addr, path)?;
            let load = oha.run(
                "seed-ab",
                &server,
                &Shot {
                    route: path,
                    method: "GET",
                    body: None,
                    connections: CONNECTIONS,
                    keep_alive: true,
                    duration: LOAD,
                },
                1,
            )?;
            anyhow::ensure!(load.errors == 0, "{} answered errors: {load:?}", b.label);
            r.rps = load.rps;
            r.cpu_ms = load.cpu_ms_per_request.unwrap_or(f64::NAN);
            drop(server);
            results[i].push(r);
        }
    }
    let text = markdown(&builds, &compile_s, &results, path, rounds);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, &text)?;
    println!("{text}");
    eprintln!("wrote {}", out.display());
    Ok(())
}

/// Median and range of one figure over the rounds.
fn spread(values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    let median = if v.len() % 2 == 1 {
        v[v.len() / 2]
    } else {
        (v[v.len() / 2 - 1] + v[v.len() / 2]) / 2.0
    };
    (median, v[0], v[v.len() - 1])
}

fn markdown(
    builds: &[Build; 2],
    compile_s: &[f64],
    results: &[Vec<Round>],
    path: &str,
    rounds: usize,
) -> String {
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Seed request and instantiation: two builds of the generate component, one run\n\n\
         `host-bench seed-ab` ({}), {rounds} rounds alternating which build goes first, on {} \
         logical CPUs; load average at the end: {}. Request: `GET {path}`. In-process: \
         qr-host's `Runtime::call`, {CALLS} calls a round (p50); instantiation: a fresh store \
         and instance, {INSTANTIATIONS} a round (p50), pooled as qr-host runs it and \
         on-demand; HTTP: qr-host with its defaults under oha, {CONNECTIONS} connections, \
         keep-alive, {} s a round (req/s and qr-host's CPU per request). Each cell is the \
         median of the rounds, with their range.\n",
        crate::report::utc_now(),
        wasm::cores(),
        qr_tests::load_average(),
        LOAD.as_secs()
    );
    let _ = writeln!(md, "| build | component | size | compile (Cranelift) |");
    let _ = writeln!(md, "|---|---|---|---|");
    for (b, c) in builds.iter().zip(compile_s) {
        let size = std::fs::metadata(&b.wasm).map_or(0, |m| m.len());
        let _ = writeln!(
            md,
            "| {} | `{}` | {:.0} KB | {:.2} s |",
            b.label,
            b.wasm.display(),
            size as f64 / 1000.0,
            c
        );
    }
    type Pick = fn(&Round) -> f64;
    let figures: [(&str, Pick, &str); 5] = [
        ("request in-process, p50", |r| r.call_us, "µs"),
        (
            "instantiate, pooled (qr-host), p50",
            |r| r.pooled_instantiate_us,
            "µs",
        ),
        (
            "instantiate, on-demand, p50",
            |r| r.on_demand_instantiate_us,
            "µs",
        ),
        ("request over HTTP", |r| r.rps, "req/s"),
        (
            "qr-host CPU per request over HTTP",
            |r| r.cpu_ms * 1000.0,
            "µs",
        ),
    ];
    let _ = writeln!(
        md,
        "\n| figure | before | after | after / before |\n|---|---|---|---|"
    );
    for (name, pick, unit) in figures {
        let (b, b_lo, b_hi) = spread(results[0].iter().map(pick));
        let (a, a_lo, a_hi) = spread(results[1].iter().map(pick));
        let _ = writeln!(
            md,
            "| {name} | {b:.1} {unit} ({b_lo:.1}-{b_hi:.1}) | {a:.1} {unit} ({a_lo:.1}-{a_hi:.1}) | {:.3} |",
            a / b
        );
    }
    let _ = writeln!(
        md,
        "\nEvery round, before / after:\n\n| round | in-process µs | pooled inst. µs | on-demand inst. µs | req/s | CPU µs/req |\n|---|---|---|---|---|---|"
    );
    for (round, (b, a)) in results[0].iter().zip(&results[1]).enumerate() {
        let _ = writeln!(
            md,
            "| {} | {:.1} / {:.1} | {:.1} / {:.1} | {:.1} / {:.1} | {:.0} / {:.0} | {:.1} / {:.1} |",
            round + 1,
            b.call_us,
            a.call_us,
            b.pooled_instantiate_us,
            a.pooled_instantiate_us,
            b.on_demand_instantiate_us,
            a.on_demand_instantiate_us,
            b.rps,
            a.rps,
            b.cpu_ms * 1000.0,
            a.cpu_ms * 1000.0
        );
    }
    md
}
