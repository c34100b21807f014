//! Benchmarks for QR Workshop: cold start, per-request cost wasm vs native, host overhead and
//! HTTP load beside the Python service. `host-bench --help` lists the parts.
//!
//! Every part records into one [`report::Report`]; full runs write it to
//! `results/<date>.md` + `.json` + `.svg`, `--quick` smoke runs to `target/host-bench/quick/`.

mod batch;
mod cold_start;
mod decode_sets;
mod goals;
mod host_overhead;
mod http_load;
mod levers;
mod native_hello;
mod oha;
mod paths;
mod per_request;
mod plot;
mod report;
mod seed_ab;
mod servers;
mod stats;
mod wasm;
mod workload;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use clap::{Args, Parser};
use indicatif::ProgressBar;

use report::Report;

#[derive(Debug, Parser)]
#[command(
    name = "host-bench",
    about = "QR Workshop benchmarks: wasm host cost and the Python service side by side"
)]
enum Command {
    /// Engine, compile, deserialise, instantiate (pooling vs on-demand), first request, process start.
    ColdStart(Opts),
    /// One request in-process: generate PNG/SVG, decode clean/photo, wasm vs native.
    PerRequest(Opts),
    /// Pooling and thread-layout levers in-process, then hello over HTTP: qr-host vs wasmtime serve vs hyper.
    HostOverhead(Opts),
    /// qr-host vs the Python service under oha at 1/16/64 connections, keep-alive on and off.
    HttpLoad(Opts),
    /// Per set of images (the shared corpus, synthetic photos up to 12 Mpx): POST /decode
    /// through the component and natively beside zxing-cpp, file bytes to codes, equal work.
    DecodeSets(Opts),
    /// Every part above.
    All(Opts),
    /// Codes per second per core for POST /generate/batch in-process, wasm and native; the
    /// nginx half is tests/tests/all/cluster/batch.rs (scripts/bench-batch runs both).
    Batch {
        /// The markdown file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// The plain seed request and instantiation on two builds of the generate component,
    /// side by side in one run (in-process and over HTTP); see scripts/bench-seed-ab.
    SeedAb(seed_ab::Args),
    #[command(hide = true)]
    NativeHello,
    #[command(hide = true)]
    InprocWorker(levers::WorkerArgs),
}

#[derive(Debug, Clone, Args)]
struct Opts {
    /// Smoke run: few samples, 0.4 s load runs, no Python peer; writes under target/, not results/.
    #[arg(long)]
    quick: bool,
    /// Directory for the results files (default: results/ for full runs, target/host-bench/quick/ with --quick).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Fail when a peer tool is missing (oha, the wasmtime CLI) instead of skipping the parts
    /// that need it; scripts/test passes it so its smoke covers every part.
    #[arg(long)]
    require_tools: bool,
    /// decode-sets only: just the sets whose name contains one of these (comma-separated, e.g.
    /// `zxing-java/qrcode-3,lots60-12mp`); the results then go under target/host-bench/sets/.
    #[arg(long, value_delimiter = ',')]
    sets: Vec<String>,
}

/// The external programs some parts drive; without `--require-tools` a missing one skips them.
const TOOLS: [&str; 2] = ["oha", "wasmtime"];

/// Load time per oha run in a full run: long enough for a steady state at 1 connection.
const LOAD: Duration = Duration::from_secs(5);
/// Load time per oha run in a quick run.
const QUICK_LOAD: Duration = Duration::from_millis(400);
/// oha runs per load cell: the cell is judged by its median run, the others give its spread.
const LOAD_RUNS: usize = 3;

/// What every part needs: quick or full, and the load generator if installed.
#[derive(Debug)]
pub struct Run {
    pub quick: bool,
    /// `--sets`: the decode-sets to measure (all when empty).
    pub sets: Vec<String>,
    pub oha: Option<oha::Oha>,
}

impl Run {
    /// `quick` in a smoke run, `full` otherwise.
    pub fn pick(&self, quick: usize, full: usize) -> usize {
        if self.quick { quick } else { full }
    }

    pub fn load_duration(&self) -> Duration {
        if self.quick { QUICK_LOAD } else { LOAD }
    }

    /// The load generator; without it, a note that `section` is skipped.
    pub fn oha_or_skip(&self, report: &mut Report, section: &str) -> Option<&oha::Oha> {
        if self.oha.is_none() {
            report.note(
                section,
                "skipped: oha is not installed (`scripts/setup --test`)",
            );
        }
        self.oha.as_ref()
    }

    /// Starts each service in turn and measures every shot against it: one load cell each,
    /// [`LOAD_RUNS`] oha runs behind a spinner.
    pub fn load_cells(
        &self,
        oha: &oha::Oha,
        report: &mut Report,
        section: &'static str,
        services: Vec<servers::Service>,
        shots: &[oha::Shot<'_>],
    ) -> Result<()> {
        for service in services {
            let server = servers::start(service)?;
            for shot in shots {
                let _spinner = spinner(&format!(
                    "{}: {} {}, {} connections, keep-alive {}",
                    server.name, shot.method, shot.route, shot.connections, shot.keep_alive
                ));
                report
                    .loads
                    .push(oha.run(section, &server, shot, LOAD_RUNS)?);
            }
        }
        Ok(())
    }

    /// How a load cell was measured, for the notes: `3 runs of 5 s`.
    pub fn load_text(&self) -> String {
        format!(
            "{LOAD_RUNS} runs of {} s per cell (the median run reported, every run's req/s beside it)",
            self.load_duration().as_secs_f64()
        )
    }
}

/// A spinner on stderr (hidden when it is not a terminal); dropping it clears it (indicatif's
/// default finish, `ProgressFinish::AndClear`).
pub fn spinner(what: &str) -> ProgressBar {
    eprintln!("  {what}");
    let bar = ProgressBar::new_spinner().with_message(what.to_owned());
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn main() -> Result<()> {
    let (name, opts) = match Command::parse() {
        Command::NativeHello => return native_hello::run(),
        Command::InprocWorker(args) => return levers::worker(&args),
        Command::Batch { out } => return batch::run(&out),
        Command::SeedAb(args) => return seed_ab::run(&args),
        Command::ColdStart(o) => ("cold-start", o),
        Command::PerRequest(o) => ("per-request", o),
        Command::HostOverhead(o) => ("host-overhead", o),
        Command::HttpLoad(o) => ("http-load", o),
        Command::DecodeSets(o) => ("decode-sets", o),
        Command::All(o) => ("all", o),
    };
    if opts.require_tools {
        for tool in TOOLS {
            anyhow::ensure!(
                servers::tool(tool).is_some(),
                "`{tool}` is not installed and --require-tools was given: run scripts/setup --test"
            );
        }
    }
    let oha = oha::Oha::find()
        .inspect_err(|e| eprintln!("note: {e:#}; the HTTP parts are skipped"))
        .ok();
    let run = Run {
        quick: opts.quick,
        sets: opts.sets.clone(),
        oha,
    };
    let mut report = Report::new(opts.quick);
    report.versions = goals::versions(run.oha.as_ref());
    type Part = fn(&Run, &mut Report) -> Result<()>;
    let parts: [(&str, Part); 5] = [
        ("cold-start", cold_start::run),
        ("per-request", per_request::run),
        ("decode-sets", decode_sets::run),
        ("host-overhead", host_overhead::run),
        ("http-load", http_load::run),
    ];
    for (part, f) in parts {
        if name == "all" || name == part {
            eprintln!("{part}");
            f(&run, &mut report)?;
        }
    }
    goals::judge(&mut report);

    let date = report.date[..10].to_owned();
    let dir = opts.out.unwrap_or_else(|| {
        if opts.quick {
            paths::target_dir().join("host-bench/quick")
        } else if !opts.sets.is_empty() {
            paths::target_dir().join("host-bench/sets")
        } else {
            paths::results_dir()
        }
    });
    let stem = if name == "all" {
        date
    } else {
        format!("{date}-{name}")
    };
    report.write(&dir, &stem)?;
    let http = report
        .loads
        .iter()
        .filter(|l| l.section == http_load::SECTION);
    let http: Vec<_> = http.cloned().collect();
    if !http.is_empty() {
        let title = format!(
            "qr-host vs python-seed, {} ({} cores)",
            report.date, report.machine.cores
        );
        plot::write(&dir.join(format!("{stem}.svg")), &http, &title)?;
    }
    println!("{}", report.markdown());
    eprintln!("wrote {}/{stem}.md and .json", dir.display());
    Ok(())
}
