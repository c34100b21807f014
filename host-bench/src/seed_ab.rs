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
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use wasmtime::component::Component;

use crate::oha::{Oha, Shot};
use crate::report::table;
use crate::servers::{self, Service};
use crate::stats::sample;
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

/// `host-bench seed-ab`'s arguments.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The "before" build of qr_generate.wasm.
    #[arg(long)]
    old: PathBuf,
    /// The "after" build (default: this workspace's).
    #[arg(long)]
    new: Option<PathBuf>,
    /// The GET request (path and query); default: the seed request.
    #[arg(long, default_value = SEED_PATH)]
    path: String,
    /// Rounds, alternating which build goes first.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// The markdown file to write.
    #[arg(long)]
    out: PathBuf,
}

/// What each round measures per build: name, unit, decimals in the every-round table.
const FIGURES: [(&str, &str, usize); 5] = [
    ("request in-process, p50", "µs", 1),
    ("instantiate, pooled (qr-host), p50", "µs", 1),
    ("instantiate, on-demand, p50", "µs", 1),
    ("request over HTTP", "req/s", 0),
    ("qr-host CPU per request over HTTP", "µs", 1),
];

/// What one round measured for one build, in [`FIGURES`] order.
type Round = [f64; 5];

/// Runs the rounds on the two builds and writes the markdown to `--out`.
pub fn run(args: &Args) -> Result<()> {
    let new = args.new.clone();
    let new = new.unwrap_or_else(|| crate::paths::component("qr_generate"));
    let builds = [("before", &args.old), ("after", &new)];
    let rounds = args.rounds.max(1);
    let oha = Oha::find()?;
    let rt = wasm::current_thread()?;
    let call = Call {
        method: "GET",
        path_and_query: args.path.clone(),
        content_type: "text/plain",
        body: bytes::Bytes::new(),
    };
    let mut compile_s = Vec::new();
    let mut guests = Vec::new();
    for (i, (_, file)) in builds.iter().enumerate() {
        let bytes = std::fs::read(file).with_context(|| file.display().to_string())?;
        let engine = wasm::engine(Allocation::OnDemand)?;
        let start = Instant::now();
        Component::new(&engine, &bytes)?;
        compile_s.push(start.elapsed().as_secs_f64());
        let id = format!("generate-{i}");
        guests.push([
            Guest::at(&id, file, Allocation::qr_host_default())?,
            Guest::at(&id, file, Allocation::OnDemand)?,
        ]);
    }
    let cache = wasm::artifact_cache()?;
    let mut results: [Vec<Round>; 2] = Default::default();
    for round in 0..rounds {
        // before, after; then after, before; ...
        for i in if round % 2 == 0 { [0, 1] } else { [1, 0] } {
            let (label, file) = builds[i];
            eprintln!("round {}/{rounds}: {label}", round + 1);
            let [pooled, on_demand] = &guests[i];
            for _ in 0..WARMUP {
                rt.block_on(pooled.handle(&call))?;
            }
            let request = sample("request", CALLS, || rt.block_on(pooled.time_call(&call)))?;
            let instantiate = |guest: &Guest, what| {
                for _ in 0..WARMUP {
                    rt.block_on(guest.instantiate())?;
                }
                sample(what, INSTANTIATIONS, || rt.block_on(guest.instantiate()))
            };
            let pooled = instantiate(pooled, "instantiate, pooled")?;
            let on_demand = instantiate(on_demand, "instantiate, on-demand")?;
            let manifest = crate::paths::single_component_manifest(&format!("generate-{i}"), file)?;
            let service = Service::qr_host(&manifest, &cache, &[])?;
            let server = servers::start(service.named(format!("qr-host ({label})")))?;
            servers::get_ok(server.addr, &args.path)?;
            let shot = Shot {
                route: &args.path,
                method: "GET",
                body: None,
                connections: CONNECTIONS,
                keep_alive: true,
                duration: LOAD,
            };
            let load = oha.run("seed-ab", &server, &shot, 1)?;
            anyhow::ensure!(load.errors == 0, "{label} answered errors: {load:?}");
            let cpu_us = load.cpu_ms_per_request.map_or(f64::NAN, |ms| ms * 1000.0);
            let (call_us, pooled_us) = (request.p50_us, pooled.p50_us);
            results[i].push([call_us, pooled_us, on_demand.p50_us, load.rps, cpu_us]);
        }
    }
    let text = markdown(&builds, &compile_s, &results, &args.path, rounds);
    crate::report::publish(&args.out, &text)?;
    eprintln!("wrote {}", args.out.display());
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
    builds: &[(&str, &PathBuf); 2],
    compile_s: &[f64],
    results: &[Vec<Round>; 2],
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
    let sizes = builds.iter().zip(compile_s).map(|((label, file), c)| {
        let size = std::fs::metadata(file).map_or(0, |m| m.len());
        let kb = format!("{:.0} KB", size as f64 / 1000.0);
        vec![
            label.to_string(),
            format!("`{}`", file.display()),
            kb,
            format!("{c:.2} s"),
        ]
    });
    let header = "build | component | size | compile (Cranelift)";
    table(&mut md, header, sizes);
    let figures = FIGURES.iter().enumerate().map(|(f, (name, unit, _))| {
        let [(b, b_lo, b_hi), (a, a_lo, a_hi)] =
            results.each_ref().map(|r| spread(r.iter().map(|r| r[f])));
        let before = format!("{b:.1} {unit} ({b_lo:.1}-{b_hi:.1})");
        let after = format!("{a:.1} {unit} ({a_lo:.1}-{a_hi:.1})");
        vec![name.to_string(), before, after, format!("{:.3}", a / b)]
    });
    table(&mut md, "figure | before | after | after / before", figures);
    md.push_str("Every round, before / after:\n\n");
    let rounds = results[0].iter().zip(&results[1]).enumerate();
    let rows = rounds.map(|(round, (b, a))| {
        let cells = FIGURES.iter().enumerate();
        let cells = cells.map(|(f, &(.., p))| format!("{:.p$} / {:.p$}", b[f], a[f]));
        std::iter::once((round + 1).to_string())
            .chain(cells)
            .collect()
    });
    let header =
        "round | in-process µs | pooled inst. µs | on-demand inst. µs | req/s | CPU µs/req";
    table(&mut md, header, rows);
    md
}
