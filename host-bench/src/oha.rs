//! The one load generator for every service: `oha`, run for a fixed time at a fixed number
//! of connections, its JSON summary read back; the server's CPU time is read around it. A
//! cell is several such runs, reported by its median run with the others' req/s beside it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

use crate::report::Load;
use crate::servers::{self, Server};

/// One load run: what to send, how hard, for how long.
#[derive(Debug, Clone)]
pub struct Shot<'a> {
    pub route: &'a str,
    pub method: &'a str,
    /// The request body file and its content type, for POSTs.
    pub body: Option<(&'a Path, &'a str)>,
    pub connections: u32,
    pub keep_alive: bool,
    pub duration: Duration,
}

/// The oha binary, when installed (`scripts/setup --test` pins one new enough for
/// `--output-format json`).
#[derive(Debug, Clone)]
pub struct Oha {
    program: PathBuf,
    pub version: String,
}

impl Oha {
    /// Finds oha where the tests find their tools.
    pub fn find() -> Result<Oha> {
        let program =
            servers::tool("oha").context("oha is not installed (`scripts/setup --test`)")?;
        let version = servers::version(&program, "oha").context("oha --version")?;
        Ok(Oha { program, version })
    }

    /// Runs `shot` against `server` `runs` times and reads back throughput, latency and server
    /// CPU. The cell's req/s and latencies are its median run's (by req/s), `rps_runs` every
    /// run's; the counts and the CPU per request are over all runs.
    pub fn run(
        &self,
        section: &'static str,
        server: &Server,
        shot: &Shot<'_>,
        runs: usize,
    ) -> Result<Load> {
        let mut loads = (0..runs.max(1))
            .map(|_| self.once(server, shot))
            .collect::<Result<Vec<_>>>()?;
        loads.sort_by(|a, b| a.rps.total_cmp(&b.rps));
        let rps_runs = loads.iter().map(|l| l.rps).collect();
        let ok = loads.iter().map(|l| l.ok).sum();
        let errors = loads.iter().map(|l| l.errors).sum();
        let seconds = loads.iter().map(|l| l.seconds).sum();
        let cpu: f64 = loads.iter().map(|l| l.cpu_seconds).sum();
        let median = loads.swap_remove(loads.len() / 2);
        Ok(Load {
            section,
            service: server.name.clone(),
            route: format!("{} {}", shot.method, shot.route),
            connections: shot.connections,
            keep_alive: shot.keep_alive,
            ok,
            errors,
            seconds,
            rps_runs,
            cpu_ms_per_request: (ok > 0).then(|| cpu * 1000.0 / ok as f64),
            ..median
        })
    }

    /// One oha run of `shot`, with the server's CPU seconds over it in `cpu_seconds`.
    fn once(&self, server: &Server, shot: &Shot<'_>) -> Result<Load> {
        let mut command = Command::new(&self.program);
        let duration = format!("{}ms", shot.duration.as_millis());
        let connections = shot.connections.to_string();
        let settings = ["-z", &duration, "-c", &connections, "-m", shot.method];
        command
            .args(["--no-tui", "--output-format", "json"])
            .args(settings);
        if !shot.keep_alive {
            command.arg("--disable-keepalive");
        }
        if let Some((file, content_type)) = shot.body {
            command.arg("-D").arg(file).arg("-T").arg(content_type);
        }
        command.arg(format!("http://{}{}", server.addr, shot.route));
        let cpu_before = qr_tests::cpu_seconds(server.process.pid());
        let output = command.output().context("running oha")?;
        let cpu = qr_tests::cpu_seconds(server.process.pid()) - cpu_before;
        if !output.status.success() {
            bail!("oha failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        let json: Value = serde_json::from_slice(&output.stdout).context("oha's JSON")?;
        Ok(Load {
            cpu_seconds: cpu,
            ..parse(&json)?
        })
    }
}

/// Reads oha's JSON summary. Successful responses are the 2xx status counts; everything else
/// (other statuses, connection errors) is an error. Rates use the run's wall time.
fn parse(json: &Value) -> Result<Load> {
    let summary = &json["summary"];
    let seconds = summary["total"].as_f64().context("summary.total")?;
    let mut ok = 0;
    let mut errors = 0;
    if let Some(codes) = json["statusCodeDistribution"].as_object() {
        for (code, count) in codes {
            let count = count.as_u64().unwrap_or(0);
            if code.starts_with('2') {
                ok += count
            } else {
                errors += count
            }
        }
    }
    if let Some(errs) = json["errorDistribution"].as_object() {
        // oha counts requests cut off at the deadline as errors; they are not failures.
        errors += errs
            .iter()
            .filter(|(k, _)| !k.contains("aborted due to deadline"))
            .filter_map(|(_, v)| v.as_u64())
            .sum::<u64>();
    }
    let percentile =
        |key: &str| json["latencyPercentiles"][key].as_f64().unwrap_or(f64::NAN) * 1000.0;
    Ok(Load {
        ok,
        errors,
        seconds,
        rps: ok as f64 / seconds.max(f64::EPSILON),
        p50_ms: percentile("p50"),
        p90_ms: percentile("p90"),
        p99_ms: percentile("p99"),
        ..Load::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_2xx_responses_count_toward_throughput() {
        let json = serde_json::json!({
            "summary": {"total": 2.0},
            "latencyPercentiles": {"p50": 0.001, "p90": 0.002, "p99": 0.004},
            "statusCodeDistribution": {"200": 900, "503": 100},
            "errorDistribution": {"aborted due to deadline": 16, "connection refused": 2}
        });
        let load = parse(&json).expect("parses");
        assert_eq!((load.ok, load.errors), (900, 102));
        assert_eq!(load.rps, 450.0);
        assert_eq!((load.p50_ms, load.p90_ms, load.p99_ms), (1.0, 2.0, 4.0));
    }
}
