//! The results of one run: every figure as a typed record (the `.json`), the same figures as
//! Markdown tables (the `.md`), the machine and versions they were measured on.

use std::fmt::Write as _;
use std::path::Path;
use std::time::SystemTime;

use anyhow::Result;
use serde::Serialize;

use crate::stats::Summary;

/// Everything one run measured.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    /// UTC, `2026-11-28T01:02:03Z`.
    pub date: String,
    pub quick: bool,
    pub machine: Machine,
    pub versions: Vec<(&'static str, String)>,
    /// `/proc/loadavg` when the run started and when it was written: the cores are shared
    /// with whatever else runs on the machine, and this says how busy it was.
    pub load_average: Vec<String>,
    pub latencies: Vec<Latency>,
    pub loads: Vec<Load>,
    /// Derived tables (ratios), kept beside the raw records they come from.
    pub tables: Vec<Table>,
    pub goals: Vec<Goal>,
    /// `decode-sets`: per set, what each decoder read and how long it took.
    pub decode_sets: Vec<crate::decode_sets::SetRow>,
    /// Per section: settings, skipped parts and why, what a figure means.
    pub notes: Vec<(String, String)>,
}

/// Where the run happened.
#[derive(Debug, Default, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
}

/// A latency measured in-process or end to end.
#[derive(Debug, Serialize)]
pub struct Latency {
    pub section: &'static str,
    pub name: String,
    pub variant: String,
    #[serde(flatten)]
    pub summary: Summary,
}

/// One load cell against one service: [`crate::oha::Oha::run`]'s runs of one shot.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Load {
    pub section: &'static str,
    pub service: String,
    pub route: String,
    pub connections: u32,
    pub keep_alive: bool,
    /// Successful (2xx) responses, over all runs.
    pub ok: u64,
    /// Non-2xx responses and transport errors, over all runs.
    pub errors: u64,
    pub seconds: f64,
    /// The median run's req/s (2xx responses per second).
    pub rps: f64,
    /// Every run's req/s, lowest first: the cell's spread.
    pub rps_runs: Vec<f64>,
    /// The median run's latency percentiles.
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    /// Server CPU seconds (user + system, whole process tree) over the runs.
    #[serde(skip)]
    pub cpu_seconds: f64,
    /// Server CPU time per successful request, over all runs.
    pub cpu_ms_per_request: Option<f64>,
}

impl Load {
    /// `10155 req/s (runs 9980-10230, p90 8.12 ms)`: the median run and the spread, for goals.
    pub fn rps_text(&self) -> String {
        let (low, high) = match self.rps_runs.as_slice() {
            [low, .., high] => (*low, *high),
            _ => (self.rps, self.rps),
        };
        format!(
            "{:.0} req/s (runs {low:.0}-{high:.0}, p90 {:.2} ms)",
            self.rps, self.p90_ms
        )
    }
}

/// A table derived from the records, e.g. wasm/native ratios.
#[derive(Debug, Serialize)]
pub struct Table {
    pub section: &'static str,
    pub title: String,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// One goal of issue 5 and what this run measured for it.
#[derive(Debug, Serialize)]
pub struct Goal {
    pub goal: String,
    pub measured: String,
    pub met: bool,
    pub note: String,
}

/// Section names, in report order.
pub const SECTIONS: [&str; 6] = [
    "cold-start",
    "per-request",
    "decode-sets",
    "levers",
    "host-overhead",
    "http-load",
];

impl Report {
    pub fn new(quick: bool) -> Report {
        Report {
            date: utc_now(),
            quick,
            machine: Machine::detect(),
            load_average: vec![qr_tests::load_average()],
            ..Report::default()
        }
    }

    pub fn latency(
        &mut self,
        section: &'static str,
        name: impl Into<String>,
        variant: impl Into<String>,
        summary: Summary,
    ) {
        self.latencies.push(Latency {
            section,
            name: name.into(),
            variant: variant.into(),
            summary,
        });
    }

    pub fn note(&mut self, section: &str, text: impl Into<String>) {
        self.notes.push((section.into(), text.into()));
    }

    /// The latency of `name` measured as `variant` in `section`.
    pub fn summary(&self, section: &str, name: &str, variant: &str) -> Option<Summary> {
        let mut all = self.latencies.iter();
        let found = all.find(|l| l.section == section && l.name == name && l.variant == variant);
        found.map(|l| l.summary)
    }

    /// The load cell of `section` measured for `service` on `route` (`POST /generate`) at
    /// `connections` with keep-alive on or off: what ratios and goals compare.
    pub fn load(
        &self,
        section: &str,
        service: &str,
        route: &str,
        connections: u32,
        keep_alive: bool,
    ) -> Option<&Load> {
        self.loads.iter().find(|l| {
            l.section == section
                && l.service == service
                && l.route == route
                && l.connections == connections
                && l.keep_alive == keep_alive
        })
    }

    /// The run's Markdown: machine, goals, then every section's tables and notes.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let m = &self.machine;
        let quick = if self.quick {
            "**--quick smoke run: too few samples to quote.**"
        } else {
            "Full run."
        };
        let versions: Vec<String> = self
            .versions
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(
            md,
            "# host-bench results, {}\n\nMachine: {}, {} cores, {:.0} GiB, Linux {}. {quick}\n\n\
             Versions: {}.\n\nLoad average (1/5/15 min) at start / end: {}.\n",
            self.date,
            m.cpu,
            m.cores,
            m.memory_gib,
            m.kernel,
            versions.join(", "),
            self.load_average.join(" / ")
        );
        if !self.goals.is_empty() {
            md.push_str("## Goals\n\n");
        }
        let goals = self.goals.iter().map(|g| {
            let met = if g.met { "yes" } else { "**no**" };
            let cells = [g.goal.as_str(), &g.measured, met, &g.note];
            cells.map(String::from).to_vec()
        });
        table(&mut md, "goal | measured | met | note", goals);
        for section in SECTIONS {
            let mut notes = String::new();
            for (_, note) in self.notes.iter().filter(|(s, _)| s == section) {
                let _ = writeln!(notes, "- {note}");
            }
            let mut tables = String::new();
            let latencies = self.latencies.iter().filter(|l| l.section == section);
            let latencies = latencies.map(|l| {
                let s = &l.summary;
                let times = [s.p50_us, s.p90_us, s.p99_us, s.mean_us].map(fmt_us);
                let what = [l.name.clone(), l.variant.clone(), s.samples.to_string()];
                what.into_iter().chain(times).collect()
            });
            table(&mut tables, LATENCY_COLUMNS, latencies);
            let loads = self.loads.iter().filter(|l| l.section == section).map(|l| {
                let runs: Vec<String> = l.rps_runs.iter().map(|r| format!("{r:.0}")).collect();
                vec![
                    l.service.clone(),
                    l.route.clone(),
                    l.connections.to_string(),
                    if l.keep_alive { "on" } else { "off" }.into(),
                    format!("{:.0}", l.rps),
                    runs.join(", "),
                    format!("{:.2}", l.p50_ms),
                    format!("{:.2}", l.p90_ms),
                    format!("{:.2}", l.p99_ms),
                    l.ok.to_string(),
                    l.errors.to_string(),
                    l.cpu_ms_per_request
                        .map_or("-".into(), |c| format!("{c:.3}")),
                ]
            });
            table(&mut tables, LOAD_COLUMNS, loads);
            for t in self.tables.iter().filter(|t| t.section == section) {
                let _ = writeln!(tables, "**{}**\n", t.title);
                table(&mut tables, &t.columns.join(" | "), t.rows.iter().cloned());
            }
            if !notes.is_empty() || !tables.is_empty() {
                let _ = write!(md, "## {section}\n\n{notes}\n{tables}");
            }
        }
        md
    }

    /// Writes `<stem>.md` and `<stem>.json` into `dir`.
    pub fn write(&mut self, dir: &Path, stem: &str) -> Result<()> {
        self.load_average.push(qr_tests::load_average());
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(format!("{stem}.md")), self.markdown())?;
        std::fs::write(
            dir.join(format!("{stem}.json")),
            serde_json::to_string_pretty(self)? + "\n",
        )?;
        Ok(())
    }
}

/// The header of a section's latency records.
const LATENCY_COLUMNS: &str =
    "measurement | variant | samples | p50 µs | p90 µs | p99 µs | mean µs";

/// The header of a section's load cells.
const LOAD_COLUMNS: &str = "service | route | conns | keep-alive | req/s (median run) | \
    runs' req/s | p50 ms | p90 ms | p99 ms | ok | errors | CPU ms/req";

/// Appends a Markdown table of `rows` under `header` (`a | b | c`); nothing without rows.
pub fn table(md: &mut String, header: &str, rows: impl IntoIterator<Item = Vec<String>>) {
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return;
    }
    let _ = writeln!(md, "| {header} |");
    let _ = writeln!(md, "|{}", "---|".repeat(header.split(" | ").count()));
    for row in rows {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    md.push('\n');
}

/// Microseconds with precision that suits their size.
pub fn fmt_us(us: f64) -> String {
    if us < 10.0 {
        format!("{us:.2}")
    } else if us < 1000.0 {
        format!("{us:.1}")
    } else {
        format!("{us:.0}")
    }
}

impl Machine {
    fn detect() -> Machine {
        let read = |path| std::fs::read_to_string(path).unwrap_or_default();
        let cpuinfo = read("/proc/cpuinfo");
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
            .map_or("unknown CPU", |(_, v)| v.trim());
        let meminfo = read("/proc/meminfo");
        let kib: f64 = meminfo
            .lines()
            .find_map(|l| {
                l.strip_prefix("MemTotal:")?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(0.0);
        Machine {
            cpu: cpu.to_owned(),
            cores: crate::wasm::cores(),
            memory_gib: kib / 1024.0 / 1024.0,
            kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        }
    }
}

/// Writes a focused run's Markdown to `out` (creating its directory) and prints it.
pub fn publish(out: &Path, md: &str) -> Result<()> {
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, md)?;
    println!("{md}");
    Ok(())
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc_now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_utc_date_has_the_iso_shape() {
        let now = utc_now();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.starts_with("20") && now.ends_with('Z'), "{now}");
    }

    #[test]
    fn markdown_marks_a_missed_goal() {
        let mut report = Report::new(true);
        report.goals.push(Goal {
            goal: "pooled instantiation p50 ≤ 30 µs".into(),
            measured: "41 µs".into(),
            met: false,
            note: String::new(),
        });
        assert!(
            report
                .markdown()
                .contains("| pooled instantiation p50 ≤ 30 µs | 41 µs | **no** |")
        );
    }
}
