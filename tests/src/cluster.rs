//! A cluster on loopback: qr-host processes on fixed ports, the real nginx from the Debian
//! package in front of them (configured by `deploy/nginx/render`, the same renderer the local
//! cluster command uses), and a bounded client load that counts every outcome. The `cluster`
//! tests and the deploy checks use it.

pub use crate::process::free_port;
use crate::process::{Process, Signal};
pub use crate::{Host, wait_until};
use reqwest::blocking::{Body, Response};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Upper bound on the requests one [`Load`] sends, whatever the test does meanwhile.
pub const MAX_LOAD_REQUESTS: u64 = 20_000;

/// Least time between two request starts of one [`Load`] worker (at most 100 requests/s per
/// worker). Paced, so that how long the budget lasts does not depend on how fast the hosts
/// are: a rolling restart waits out nginx's `fail_timeout` for each host, and an unpaced load
/// on fast hosts spent the whole budget in those waits.
pub const LOAD_PACE: Duration = Duration::from_millis(10);

/// Upper bound on how long one [`Load`] runs.
pub const MAX_LOAD_TIME: Duration = Duration::from_secs(90);

/// The request body every `/generate` in the cluster tests sends (the Python service's seed).
pub const GENERATE_JSON: &str = r#"{"data":"https://example.com/product/123"}"#;

/// `count` hosts serving `manifest` (each with `host_flags`) on fresh loopback ports, and nginx
/// in front of them. A host that is restarted comes back on its port (`HostBuilder::port`), so
/// nginx's upstream entry for it stays valid.
pub fn start_cluster(
    manifest: &Path,
    count: usize,
    host_flags: &[&str],
    options: &NginxOptions,
) -> (Vec<Host>, Nginx) {
    let hosts: Vec<Host> = (0..count)
        .map(|_| Host::builder(manifest).args(host_flags).start())
        .collect();
    let addrs: Vec<SocketAddr> = hosts.iter().map(Host::addr).collect();
    let nginx = Nginx::start(&addrs, options);
    (hosts, nginx)
}

/// The labels of a `/generate` answered 200 in `qr_host_requests_total`.
pub const GENERATE_OK: [(&str, &str); 2] = [("route", "/generate"), ("status", "200")];

/// nginx (the Debian binary) running in the foreground from a private temporary prefix.
#[derive(Debug)]
pub struct Nginx {
    pub process: Process,
    pub addr: SocketAddr,
    pub status_addr: SocketAddr,
    /// The prefix directory (config, pid file, temp files); removed on drop.
    _prefix: tempfile::TempDir,
}

/// Options passed to `deploy/nginx/render` besides the addresses.
#[derive(Debug, Clone)]
pub struct NginxOptions {
    pub max_body_bytes: u64,
    pub fail_timeout: &'static str,
    pub max_fails: u32,
    /// Per-client limits, as `(renderer option, value)`, e.g. `("--decode-rate", 1)`.
    pub client_limits: Vec<(&'static str, u32)>,
    /// Keep nginx's access log (`access.log` in [`Nginx::prefix`]); off by default.
    pub access_log: bool,
}

/// Per-client limits that one test client (every test request comes from 127.0.0.1) never
/// reaches, for tests about something else.
pub const UNLIMITED_CLIENT: [(&str, u32); 6] = [
    ("--client-rate", 1_000_000),
    ("--client-burst", 1_000_000),
    ("--client-connections", 60_000),
    ("--decode-rate", 1_000_000),
    ("--decode-burst", 1_000_000),
    ("--decode-connections", 60_000),
];

impl Default for NginxOptions {
    fn default() -> Self {
        // The renderer's defaults, except a short fail_timeout so a restarted host is tried
        // again within the test's time budget.
        NginxOptions {
            max_body_bytes: 16 * 1024 * 1024,
            fail_timeout: "1s",
            max_fails: 2,
            client_limits: UNLIMITED_CLIENT.to_vec(),
            access_log: false,
        }
    }
}

impl Nginx {
    /// Renders the config for `hosts`, checks it with `nginx -t`, starts nginx and waits until
    /// its public port accepts connections.
    pub fn start(hosts: &[SocketAddr], options: &NginxOptions) -> Nginx {
        let prefix = tempfile::Builder::new()
            .prefix("qr-nginx-")
            .tempdir()
            .expect("temp prefix");
        // nginx started as root runs its workers as `nobody`, who must reach the temp dirs.
        let mode = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(prefix.path(), mode).expect("chmod prefix");
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let status_addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let access_log = if options.access_log {
            "access.log"
        } else {
            "off"
        };
        let limits = options
            .client_limits
            .iter()
            .map(|(o, v)| (*o, v.to_string()));
        let flags = [
            ("--listen", addr.to_string()),
            ("--status-listen", status_addr.to_string()),
            ("--max-body-bytes", options.max_body_bytes.to_string()),
            ("--fail-timeout", options.fail_timeout.into()),
            ("--max-fails", options.max_fails.to_string()),
            ("--workers", "1".into()),
            ("--access-log", access_log.into()),
        ]
        .into_iter()
        .chain(limits);
        let args: Vec<String> = flags.flat_map(|(o, v)| [o.to_owned(), v]).collect();
        let rendered = render(&args, hosts);
        let conf = write_checked_config(prefix.path(), &rendered);

        let mut command = nginx_command(prefix.path(), &conf);
        command.args(["-g", "daemon off;"]);
        // SIGQUIT on drop: graceful, and the master takes its workers down with it.
        let process = Process::spawn("nginx", &mut command)
            .expect("spawn nginx")
            .stop_signal(Signal::SIGQUIT);
        let mut nginx = Nginx {
            process,
            addr,
            status_addr,
            _prefix: prefix,
        };
        wait_until("nginx to accept connections", || {
            assert!(
                !nginx.process.has_exited(),
                "nginx exited at startup:\n{}",
                nginx.process.output()
            );
            TcpStream::connect(addr).is_ok()
        });
        nginx
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `GET path` through nginx.
    pub fn get(&self, path: &str) -> Response {
        let response = crate::client().get(self.url(path)).send();
        response.unwrap_or_else(|e| panic!("GET {path} through nginx: {e}"))
    }

    /// `POST path` through nginx with a body and its content type.
    pub fn post(&self, path: &str, content_type: &str, body: impl Into<Body>) -> Response {
        let request = crate::client().post(self.url(path)).body(body);
        let response = request.header("content-type", content_type).send();
        response.unwrap_or_else(|e| panic!("POST {path} through nginx: {e}"))
    }

    /// The prefix directory nginx runs in (its config, temp files and access log).
    pub fn prefix(&self) -> &Path {
        self._prefix.path()
    }

    /// nginx's error log (stderr) so far.
    pub fn log(&self) -> String {
        self.process.output()
    }
}

/// Writes `config` as `<prefix>/nginx.conf` and has `nginx -t` check it there; panics with
/// nginx's complaint. Returns the config's path.
pub fn write_checked_config(prefix: &Path, config: &str) -> PathBuf {
    let conf = prefix.join("nginx.conf");
    std::fs::write(&conf, config).expect("write nginx.conf");
    crate::run_ok(
        nginx_command(prefix, &conf).arg("-t"),
        "nginx -t on the rendered config",
    );
    conf
}

/// The nginx binary: `$NGINX` if set, else `nginx` on PATH, else Debian's `/usr/sbin/nginx`.
fn nginx_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("NGINX") {
        return path.into();
    }
    let debian = PathBuf::from("/usr/sbin/nginx");
    if debian.is_file() {
        return debian;
    }
    let on_path = PathBuf::from("nginx");
    assert!(
        Command::new(&on_path).arg("-v").output().is_ok(),
        "nginx is not installed; run `scripts/setup --test` (installs Debian's nginx)"
    );
    on_path
}

fn nginx_command(prefix: &Path, conf: &Path) -> Command {
    let mut command = Command::new(nginx_binary());
    command
        .arg("-p")
        .arg(prefix)
        .arg("-c")
        .arg(conf)
        .args(["-e", "stderr"]);
    command
}

/// Runs `deploy/nginx/render` with `options` and `hosts`; returns the config text.
pub fn render(options: &[String], hosts: &[SocketAddr]) -> String {
    let mut render = Command::new(crate::workspace_root().join("deploy/nginx/render"));
    render
        .args(options)
        .args(hosts.iter().map(ToString::to_string));
    crate::run_ok(&mut render, "deploy/nginx/render").0
}

/// Client-side totals of a [`Load`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub sent: u64,
    pub ok: u64,
    pub failed: u64,
}

impl std::fmt::Display for Totals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "sent={} ok={} failed={}",
            self.sent, self.ok, self.failed
        )
    }
}

/// What a [`Load`]'s workers share: the stop flag, and the totals so far with the failures'
/// descriptions.
#[derive(Debug, Default)]
struct Shared {
    stop: AtomicBool,
    state: Mutex<(Totals, Vec<String>)>,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, (Totals, Vec<String>)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts one more request as sent unless that would pass [`MAX_LOAD_REQUESTS`].
    fn take_budget(&self) -> bool {
        let totals = &mut self.state().0;
        let more = totals.sent < MAX_LOAD_REQUESTS;
        totals.sent += u64::from(more);
        more
    }
}

/// Steady client load: `workers` threads each sending one request after another through nginx,
/// at most one per [`LOAD_PACE`], until stopped, [`MAX_LOAD_REQUESTS`] in total or
/// [`MAX_LOAD_TIME`]. A response counts as ok only with status 200 and a complete body;
/// anything else (status, connection error, truncated body) is a failure and its description
/// is kept.
#[derive(Debug)]
pub struct Load {
    name: &'static str,
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl Load {
    /// Starts posting [`GENERATE_JSON`] to `url` (nginx's `/generate`) from `workers` threads.
    pub fn generate(name: &'static str, url: String, workers: usize) -> Load {
        let shared = Arc::new(Shared::default());
        let started = Instant::now();
        let workers = (0..workers)
            .map(|_| {
                let (shared, url) = (Arc::clone(&shared), url.clone());
                std::thread::spawn(move || {
                    let client = crate::client();
                    let mut next_start = Instant::now();
                    while !shared.stop.load(Ordering::Relaxed)
                        && started.elapsed() < MAX_LOAD_TIME
                        && shared.take_budget()
                    {
                        if let Some(early) = next_start.checked_duration_since(Instant::now()) {
                            std::thread::sleep(early);
                        }
                        next_start = Instant::now() + LOAD_PACE;
                        let outcome = client
                            .post(&url)
                            .header("content-type", "application/json")
                            .body(GENERATE_JSON)
                            .send()
                            .and_then(|response| {
                                let status = response.status();
                                response.bytes().map(|body| (status, body))
                            });
                        let (totals, failures) = &mut *shared.state();
                        match outcome {
                            Ok((status, body)) if status == 200 && body.starts_with(b"\x89PNG") => {
                                totals.ok += 1;
                                continue;
                            }
                            Ok((status, body)) => failures
                                .push(format!("{status}: {}", String::from_utf8_lossy(&body))),
                            Err(e) => failures.push(format!("{e:?}")),
                        }
                        totals.failed += 1;
                    }
                })
            })
            .collect();
        Load {
            name,
            shared,
            workers,
        }
    }

    /// Requests answered so far (ok or failed).
    pub fn completed(&self) -> u64 {
        let totals = self.shared.state().0;
        totals.ok + totals.failed
    }

    /// Waits until `n` more requests have completed than now: "the load went on meanwhile".
    pub fn wait_for_more(&self, n: u64) {
        let target = self.completed() + n;
        wait_until(&format!("{n} more completed requests"), || {
            self.completed() >= target
        });
    }

    /// Stops the workers, prints and returns the totals (every request sent is ok or failed).
    pub fn finish(mut self) -> Totals {
        self.shared.stop.store(true, Ordering::Relaxed);
        for worker in self.workers.drain(..) {
            worker.join().expect("load worker panicked");
        }
        let (totals, failures) = &*self.shared.state();
        println!("client totals ({}): {totals}", self.name);
        for failure in failures.iter().take(10) {
            println!("  failed request: {failure}");
        }
        *totals
    }
}
