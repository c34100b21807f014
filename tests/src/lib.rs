//! The one harness for child processes and end-to-end tests: runs the real `qr-host` binary (or
//! Spin, nginx, `wasmtime serve`) on loopback ports and talks HTTP to it. Used by `tests/`, the
//! cluster tests and host-bench.
//!
//! Modules: [`process`] (spawn with captured output, signals, wait with a timeout, output
//! printed on a failing test, port-0 startup lines), [`cluster`] (hosts behind nginx, a bounded
//! client load), [`metrics`] (a `/metrics` scrape through `prometheus-parse`); here, [`Host`]
//! and where the build artifacts and tools are.
//!
//! Nothing here builds anything. The tests use the release artifacts a developer or CI built
//! first, and fail with the command to run when one is missing:
//!
//! ```text
//! spin build                     # or one cargo build per component, as spin.toml's commands
//! cargo build --target wasm32-wasip2 --release -p 'fixture-*' -p qr-ui
//! cargo build --release -p qr-host
//! cargo test --release -p qr-tests
//! ```
//!
//! `scripts/build --test` does the same, with every native test target in one build. The
//! components are built one cargo invocation each: one invocation for all of them would unify
//! qr-core's `generate` and `decode` features into every component.
//!
//! A typical test:
//!
//! ```no_run
//! use qr_tests::{Host, fixtures_manifest};
//!
//! let host = Host::start(fixtures_manifest());
//! let response = host.get("/hello/world");
//! assert_eq!(response.status(), 200);
//! host.shutdown(); // SIGTERM, then asserts a clean exit 0
//! ```
//!
//! [`Host::builder`] adds flags (limits, cache directory, a fixed port).
//! [`HostBuilder::start_in_process`] runs qr-host's library (`qr_host::run` on port-0
//! listeners) inside the test instead, for what needs no process (routing, limits, guest
//! faults); signals, drain, logs and the command line need the binary. [`HostKind`] and
//! [`on_every_host!`] run one test body against each server that serves the app from
//! `spin.toml`: qr-host and real Spin (`spin up`, Spin 4.0.2 from `../shared/tools/spin`). A
//! [`Host`] that is dropped without [`Host::shutdown`] (for example because an assertion
//! failed) is killed, and its stdout and stderr are printed so the failure shows the host's
//! side of the story.

pub mod cluster;
pub mod metrics;
pub mod process;

use std::ffi::OsString;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt as _;

pub use metrics::{EVENT_COUNTERS, Metrics};
pub use process::{
    Process, Signal, Stream, address_in, cpu_seconds, free_port, load_average, pid_is_alive, run_ok,
};

pub use reqwest::StatusCode;
pub use reqwest::blocking::{Client, Response};

/// How long a host may take from spawn to its startup line. Generous: the first start in a
/// fresh cache compiles every component with Cranelift on a small CI machine.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(180);

/// How long a host may take to exit after SIGTERM, including its drain of in-flight requests.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(60);

/// Per-request client timeout: a bound so a broken host fails a test instead of hanging it.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// How long to wait for a condition the test drives (a host seeing traffic, nginx logging a
/// failure, a port accepting). A bound so a broken host fails the test instead of hanging.
pub const CONDITION_TIMEOUT: Duration = Duration::from_secs(60);

/// Pause between two checks of a polled condition. Polling, not a fixed sleep: the test moves on
/// as soon as the condition holds.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// Waits until `condition` holds, checking every [`POLL_INTERVAL`]; panics with `what` after
/// [`CONDITION_TIMEOUT`].
pub fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + CONDITION_TIMEOUT;
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {CONDITION_TIMEOUT:?} waiting for {what}"
        );
        std::thread::sleep(POLL_INTERVAL);
    }
}

/// The start of the line qr-host prints once it listens (see `crates/qr-host/README.md`).
pub const STARTUP_PREFIX: &str = "qr-host listening on http://";

/// The repository root (the workspace directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_owned()
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` if set (relative to the root, unless
/// absolute), else `<root>/target`.
pub fn target_dir() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into());
    workspace_root().join(dir)
}

/// A file of the shared data beside the repository, `../shared/<path>` (the Python service's
/// fixtures under `peers/python-seed`, the photo corpus under `qr-corpus`); panics naming it.
pub fn shared_file(path: &str) -> Vec<u8> {
    let file = workspace_root().join("../shared").join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()))
}

/// The release `qr-host` binary; panics with the build command if it is missing.
pub fn host_binary() -> PathBuf {
    let path = target_dir()
        .join("release")
        .join(format!("qr-host{}", std::env::consts::EXE_SUFFIX));
    require(&path, "cargo build --release -p qr-host");
    path
}

/// Where `scripts/setup --test` installs the pinned tools: `$QR_WORKSHOP_TOOLS`, else
/// `~/.cache/qr-workshop/tools` (per user, shared by every clone).
pub fn tools_dir() -> PathBuf {
    let home = || Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".cache");
    std::env::var_os("QR_WORKSHOP_TOOLS")
        .map_or_else(|| home().join("qr-workshop/tools"), PathBuf::from)
}

/// A tool the tests and benchmarks run as a child process (`wasmtime`, `oha`): the pinned copy
/// in [`tools_dir`], else the first on `PATH`.
pub fn find_tool(name: &str) -> Option<PathBuf> {
    std::iter::once(tools_dir().join("bin"))
        .chain(
            std::env::var_os("PATH")
                .iter()
                .flat_map(std::env::split_paths),
        )
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// The Python of a venv under the target directory (`target/<name>`) holding exactly the
/// packages of `requirements` (a pinned requirements file in the repository). `scripts/setup
/// --test` makes the same venv the same way, so a test finds it ready and needs no network;
/// otherwise the first caller creates it with `pip` from PyPI. A copy of the requirements in
/// the venv marks it complete: a changed file makes a fresh install.
pub fn python_venv(name: &str, requirements: &Path) -> PathBuf {
    static CREATING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = CREATING.lock().unwrap_or_else(|e| e.into_inner());
    let venv = target_dir().join(name);
    let stamp = venv.join("requirements.txt");
    let wanted = std::fs::read(requirements)
        .unwrap_or_else(|e| panic!("read {}: {e}", requirements.display()));
    let python = venv.join("bin/python");
    if std::fs::read(&stamp).ok().as_deref() == Some(&wanted[..]) && python.is_file() {
        return python;
    }
    eprintln!(
        "creating {} from {}",
        venv.display(),
        requirements.display()
    );
    let ok = |cmd: &mut Command| cmd.status().is_ok_and(|s| s.success());
    assert!(
        ok(Command::new("python3").args(["-m", "venv"]).arg(&venv)),
        "python3 -m venv {} failed",
        venv.display()
    );
    assert!(
        ok(Command::new(venv.join("bin/pip"))
            .args(["install", "-q", "--disable-pip-version-check", "-r"])
            .arg(requirements)),
        "pip install -r {} failed",
        requirements.display()
    );
    std::fs::write(&stamp, &wanted).expect("write the venv's requirements stamp");
    python
}

/// [`find_tool`], panicking with the setup command when the tool is missing.
pub fn tool(name: &str) -> PathBuf {
    find_tool(name).unwrap_or_else(|| panic!("`{name}` is not installed: run scripts/setup --test"))
}

/// A release wasm component by crate file name (`qr_generate`, `fixture_hello`); panics with the
/// build command if it is missing.
pub fn wasm(file_stem: &str) -> PathBuf {
    let path = target_dir()
        .join("wasm32-wasip2/release")
        .join(format!("{file_stem}.wasm"));
    let package = file_stem.replace('_', "-");
    require(
        &path,
        &format!("cargo build --target wasm32-wasip2 --release -p {package}"),
    );
    path
}

/// The product's manifest (`spin.toml` at the root), after checking its components are built.
pub fn app_manifest() -> PathBuf {
    wasm("qr_generate");
    wasm("qr_decode");
    wasm("qr_ui");
    workspace_root().join("spin.toml")
}

/// Names of the test-only fixture components under `tests/fixtures/`.
pub const FIXTURES: [&str; 5] = [
    "fixture_hello",
    "fixture_spin_loop",
    "fixture_memory_hog",
    "fixture_panic",
    "fixture_slow",
];

/// A manifest routing to the fixtures (`/hello/...`, `/loop`, `/hog`, `/panic`, `/slow`),
/// written next to the built wasm so it works for any target directory.
pub fn fixtures_manifest() -> PathBuf {
    let mut text = std::fs::read_to_string(workspace_root().join("tests/fixtures/spin.toml"))
        .expect("read tests/fixtures/spin.toml");
    for name in FIXTURES {
        text = text.replace(
            &format!("\"../../target/wasm32-wasip2/release/{name}.wasm\""),
            &format!("{:?}", wasm(name).display().to_string()),
        );
    }
    let path = target_dir().join("wasm32-wasip2/release/qr-host-fixtures.spin.toml");
    write_if_changed(&path, &text);
    path
}

/// Writes `text` to `path` unless it already holds exactly that (parallel tests share it).
pub fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        // Per process and thread: tests in one binary run on parallel threads.
        let tmp = path.with_extension(format!(
            "tmp{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&tmp, text).expect("write manifest");
        std::fs::rename(&tmp, path).expect("rename manifest");
    }
}

fn require(path: &Path, build: &str) {
    assert!(
        path.is_file(),
        "missing build artifact {}\nbuild it first: {build}\n(the whole list is in tests/src/lib.rs)",
        path.display()
    );
}

/// An HTTP client for tests: no proxy from the environment, [`REQUEST_TIMEOUT`].
pub fn client() -> Client {
    client_with_timeout(REQUEST_TIMEOUT)
}

/// [`client`] with another timeout per request.
pub fn client_with_timeout(timeout: Duration) -> Client {
    Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        .expect("build HTTP client")
}

/// Asserts an RFC 7807 answer: `status`, `application/problem+json`, all four members, and a
/// `type` ending in `type_suffix` (e.g. `#request-timeout` for qr-host's own problems).
/// Returns the parsed body for further checks.
pub fn assert_problem(response: Response, status: u16, type_suffix: &str) -> serde_json::Value {
    assert_eq!(response.status(), status, "status");
    assert_eq!(
        header(&response, "content-type"),
        "application/problem+json"
    );
    let body: serde_json::Value = response.json().expect("problem+json body");
    assert_eq!(body["status"], status, "{body}");
    let type_uri = body["type"]
        .as_str()
        .unwrap_or_else(|| panic!("no type: {body}"));
    assert!(
        type_uri.ends_with(type_suffix),
        "type {type_uri}, want *{type_suffix}"
    );
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

/// Header `name` of `response` as text; panics when it is absent or not visible ASCII.
pub fn header<'a>(response: &'a Response, name: &str) -> &'a str {
    let value = response.headers().get(name);
    let value = value.unwrap_or_else(|| panic!("no {name} header in {response:?}"));
    value
        .to_str()
        .unwrap_or_else(|_| panic!("{name} is not text: {value:?}"))
}

/// An HTTP method token of `len` uppercase letters that differs per `seed` (its base-26
/// digits, then `A`s): what a client flooding a server with distinct methods sends.
pub fn junk_method(mut seed: usize, len: usize) -> String {
    let letters = std::iter::repeat_with(|| {
        let letter = char::from(b'A' + (seed % 26) as u8);
        seed /= 26;
        letter
    });
    letters.take(len).collect()
}

/// Asserts that the `detail` of a problem body ([`assert_problem`]'s answer) contains `text`.
pub fn assert_detail(problem: &serde_json::Value, text: &str) {
    let detail = problem["detail"].as_str().unwrap_or_default();
    assert!(detail.contains(text), "detail without {text:?}: {problem}");
}

/// [`assert_problem`] for the API's own problem types (qr-api's, answered by the components):
/// the `type` is exactly the README's anchor for `kind`.
pub fn assert_api_problem(response: Response, status: u16, kind: &str) -> serde_json::Value {
    assert_problem(
        response,
        status,
        &format!("https://github.com/qr-workshop/qr-workshop/blob/main/README.md#{kind}"),
    )
}

/// What runs a [`Host`].
#[derive(Debug)]
enum Runner {
    Process(Process),
    InProcess {
        stop: Option<tokio::sync::oneshot::Sender<()>>,
        thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    },
}

impl Runner {
    /// `Ok(())` once an in-process host has drained and returned.
    fn stop_in_process(&mut self) -> Option<anyhow::Result<()>> {
        let Runner::InProcess { stop, thread } = self else {
            return None;
        };
        drop(stop.take());
        let result = thread.take()?.join();
        Some(result.unwrap_or_else(|_| Err(anyhow::anyhow!("qr-host panicked"))))
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let _ = self.stop_in_process();
    }
}

/// Options for starting a host; [`Host::start`] uses the defaults.
#[derive(Debug)]
pub struct HostBuilder {
    manifest: PathBuf,
    args: Vec<OsString>,
    listen: SocketAddr,
    cache_dir: PathBuf,
    stderr_unread: bool,
}

impl HostBuilder {
    /// Adds several arguments: `.args(["--request-timeout", "1s"])`.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Listens on this loopback port instead of port 0 (nginx's upstream list names each host
    /// by address, so a restarted host must come back on its port).
    pub fn port(mut self, port: u16) -> Self {
        self.listen.set_port(port);
        self
    }

    /// Uses this precompiled-artifact cache instead of the shared test cache in `target/`.
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = dir.into();
        self
    }

    /// Leaves the host's stderr pipe open but never reads it (a stuck log shipper): once the
    /// pipe's buffer is full, every write to stderr would block. The output [`Host::shutdown`]
    /// returns then holds only stdout. The pipe is closed when the host is stopped.
    pub fn stderr_unread(mut self) -> Self {
        self.stderr_unread = true;
        self
    }

    /// The full command line (without the binary) this builder would run.
    pub fn command_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "--listen".into(),
            self.listen.to_string().into(),
            "--admin-listen".into(),
            "127.0.0.1:0".into(),
            "--cache-dir".into(),
            self.cache_dir.clone().into(),
        ];
        args.extend(self.args.iter().cloned());
        args.push(self.manifest.clone().into());
        args
    }

    fn command(&self) -> Command {
        let mut command = Command::new(host_binary());
        command.args(self.command_args()).env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
        );
        command
    }

    /// Spawns the host and returns once it printed its startup line (it is then listening).
    /// Panics with the host's output if it exits first or stays silent past [`STARTUP_TIMEOUT`].
    pub fn start(self) -> Host {
        let mut command = self.command();
        let process = if self.stderr_unread {
            Process::spawn_stderr_unread(HostKind::QrHost.to_string(), &mut command)
        } else {
            Process::spawn(HostKind::QrHost.to_string(), &mut command)
        };
        let host = Host::started(HostKind::QrHost, process.expect("spawn qr-host"));
        if self.listen.port() != 0 {
            assert_eq!(host.addr, self.listen, "qr-host listens where it was told");
        }
        host
    }

    /// Runs qr-host's library in this test process instead of a child: the same flags through
    /// `qr_host::Cli`, `qr_host::load`, and `qr_host::run` on port-0 listeners bound here, on
    /// its own tokio runtime thread. For what needs no process (routing, limits, guest faults);
    /// signals, logs and the startup line need [`HostBuilder::start`].
    pub fn start_in_process(self) -> Host {
        use clap::Parser as _;
        let argv = std::iter::once(OsString::from("qr-host")).chain(self.command_args());
        let cli = qr_host::Cli::try_parse_from(argv).expect("qr-host flags");
        let loaded = qr_host::load(&cli).expect("qr-host loads the manifest");
        let bind = |addr| {
            let listener = std::net::TcpListener::bind(addr).expect("bind a loopback port");
            listener
                .set_nonblocking(true)
                .expect("non-blocking listener");
            listener
        };
        let (app, admin) = (bind(cli.listen), bind(cli.admin_listen));
        let addr = app.local_addr().expect("app address");
        let admin_addr = admin.local_addr().expect("admin address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let app = tokio::net::TcpListener::from_std(app)?;
                let admin = tokio::net::TcpListener::from_std(admin)?;
                let shutdown = async {
                    let _ = stopped.await;
                };
                qr_host::run(loaded.server, app, Some(admin), shutdown).await
            })
        });
        Host {
            kind: HostKind::QrHost,
            runner: Runner::InProcess {
                stop: Some(stop),
                thread: Some(thread),
            },
            addr,
            admin_addr,
            startup_line: String::new(),
            client: client(),
        }
    }

    /// Runs the host expecting it to exit on its own (e.g. a rejected manifest) within
    /// [`STARTUP_TIMEOUT`]; returns its exit status and combined output.
    pub fn run_to_exit(self) -> (ExitStatus, String) {
        let process = Process::spawn("qr-host", &mut self.command()).expect("spawn qr-host");
        match process.finish(STARTUP_TIMEOUT) {
            (Some(status), output) => (status, output),
            (None, output) => {
                panic!("qr-host kept running; expected it to exit. Output:\n{output}")
            }
        }
    }
}

/// A running server: a `qr-host` or `spin up` process (see [`HostKind`]), or qr-host's library
/// in this process ([`HostBuilder::start_in_process`]). Dropped without [`Host::shutdown`] (a
/// failed assertion), it is stopped and, on a failing test, a process's output printed.
#[derive(Debug)]
pub struct Host {
    kind: HostKind,
    runner: Runner,
    addr: SocketAddr,
    admin_addr: SocketAddr,
    startup_line: String,
    client: Client,
}

impl Host {
    /// Starts `qr-host <manifest>` on ephemeral loopback ports with the shared test cache.
    pub fn start(manifest: impl Into<PathBuf>) -> Host {
        Host::builder(manifest).start()
    }

    /// A builder for extra flags; call [`HostBuilder::start`] to run it.
    pub fn builder(manifest: impl Into<PathBuf>) -> HostBuilder {
        HostBuilder {
            manifest: manifest.into(),
            args: Vec::new(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            cache_dir: target_dir().join("qr-host-test-cache"),
            stderr_unread: false,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The admin listener's address (metrics, probes); qr-host only.
    pub fn admin_addr(&self) -> SocketAddr {
        let kind = self.kind;
        let has_admin = !matches!(kind, HostKind::Spin | HostKind::WasmtimeServe);
        assert!(has_admin, "{kind} has no admin listener");
        self.admin_addr
    }

    pub fn kind(&self) -> HostKind {
        self.kind
    }

    /// Runs a qr-host command line made elsewhere (the Deployment's, or `podman run` of the
    /// image) and returns once it printed its startup line; the addresses are the ones that
    /// line names (see [`Host::with_addrs`] to change them).
    pub fn from_command(kind: HostKind, mut command: Command) -> Host {
        assert_ne!(kind, HostKind::Spin, "Host::spin starts Spin");
        let process = Process::spawn(kind.to_string(), &mut command)
            .unwrap_or_else(|e| panic!("spawn {kind}: {e}"));
        Host::started(kind, process)
    }

    /// Waits for the startup line of `kind` and reads the addresses from it. Panics (the
    /// output follows as the process is dropped) if the process exits first or stays silent
    /// past [`STARTUP_TIMEOUT`].
    fn started(kind: HostKind, process: Process) -> Host {
        let (stream, prefix) = kind.startup_line();
        let line = process
            .wait_for_line(stream, prefix, STARTUP_TIMEOUT)
            .unwrap_or_else(|| {
                panic!(
                    "{kind} did not print its startup line (exited or took over \
                     {STARTUP_TIMEOUT:?}):\n{}",
                    process.output()
                )
            });
        let admin = match kind {
            HostKind::Spin | HostKind::WasmtimeServe => Some(line.as_str()),
            // qr-host's line names both listeners: `... on http://A admin http://B ...`.
            HostKind::QrHost | HostKind::Container => line.split_once("admin ").map(|(_, a)| a),
        };
        let (addr, admin_addr) = address_in(&line)
            .zip(admin.and_then(address_in))
            .unwrap_or_else(|| panic!("unexpected {kind} startup line: {line:?}"));
        Host {
            kind,
            runner: Runner::Process(process),
            addr,
            admin_addr,
            startup_line: line,
            client: client(),
        }
    }

    /// Talks to the host at other addresses than it printed, e.g. the loopback ports a
    /// container engine published for the container's listeners.
    pub fn with_addrs(mut self, addr: SocketAddr, admin_addr: SocketAddr) -> Host {
        self.addr = addr;
        self.admin_addr = admin_addr;
        self
    }

    /// `http://<addr><path>` for the app listener.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// `http://<admin addr><path>` for the admin listener.
    pub fn admin_url(&self, path: &str) -> String {
        format!("http://{}{path}", self.admin_addr)
    }

    pub fn startup_line(&self) -> &str {
        &self.startup_line
    }

    /// The shared client (no proxy, bounded timeout) for building custom requests.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A raw TCP connection to the app listener whose reads give up after
    /// [`REQUEST_TIMEOUT`], so a host that never answers or never closes fails the test.
    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(self.addr).expect("connect");
        stream
            .set_read_timeout(Some(REQUEST_TIMEOUT))
            .expect("read timeout");
        stream
    }

    /// Sends raw bytes on a fresh connection and reads until the host closes it; returns the
    /// response text. Panics if the host has not closed it within [`REQUEST_TIMEOUT`]: every
    /// caller expects the host to end the exchange itself.
    pub fn exchange(&self, request: &[u8]) -> String {
        let mut stream = self.connect();
        stream.write_all(request).expect("send");
        let mut reply = Vec::new();
        match stream.read_to_end(&mut reply) {
            // A reset also means the host closed (it may not have read everything first).
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!(
                "the host did not close the connection ({e}); it sent {:?}",
                String::from_utf8_lossy(&reply)
            ),
        }
        String::from_utf8_lossy(&reply).into_owned()
    }

    /// Starts `GET /slow?ms=<ms>` (the `slow` fixture) on a thread and returns once its
    /// response head arrived, so the request provably holds a wasm slot while the guest sleeps.
    /// The handle yields the status and the whole body.
    pub fn hold_a_slot(&self, ms: u32) -> std::thread::JoinHandle<(u16, String)> {
        let client = self.client.clone();
        let url = self.url(&format!("/slow?ms={ms}"));
        let (head_tx, head_rx) = std::sync::mpsc::channel();
        let handle = std::thread::spawn(move || {
            let response = client.get(url).send().expect("slow request");
            let status = response.status().as_u16();
            head_tx.send(()).expect("signal head");
            (status, response.text().expect("slow body"))
        });
        head_rx.recv().expect("slow request got its head");
        handle
    }

    pub fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `POST path` with a body and content type on the app listener.
    pub fn post(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::blocking::Body>,
    ) -> Response {
        self.client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body)
            .send()
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// `GET path` on the admin listener (probes, metrics).
    pub fn admin_get(&self, path: &str) -> Response {
        self.client
            .get(self.admin_url(path))
            .send()
            .unwrap_or_else(|e| panic!("GET {path} on the admin listener: {e}"))
    }

    /// The admin listener's `/metrics`, parsed.
    pub fn metrics(&self) -> Metrics {
        let response = self.admin_get("/metrics");
        assert_eq!(response.status(), 200, "GET /metrics");
        Metrics::parse(&response.text().expect("metrics body"))
    }

    /// The sum of the samples of gauge (or histogram `_count`) `name` whose labels include
    /// `labels`; panics if the host exports no such sample, so a renamed or missing metric
    /// fails instead of reading 0.
    pub fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.metrics().value(name, labels)
    }

    /// The sum of the samples of counter `name` (`qr_host_traps_total`) whose labels include
    /// `labels`; see [`Metrics::counter`] for when an absent one reads 0.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.metrics().counter(name, labels)
    }

    /// [`Host::counter`] of `qr_host_requests_total`.
    pub fn requests(&self, labels: &[(&str, &str)]) -> f64 {
        self.counter("qr_host_requests_total", labels)
    }

    pub fn pid(&self) -> u32 {
        self.process_ref().pid()
    }

    /// The process itself, e.g. to kill it.
    pub fn process(&mut self) -> &mut Process {
        match &mut self.runner {
            Runner::Process(process) => process,
            Runner::InProcess { .. } => panic!("an in-process host has no process"),
        }
    }

    fn process_ref(&self) -> &Process {
        match &self.runner {
            Runner::Process(process) => process,
            Runner::InProcess { .. } => panic!("an in-process host has no process"),
        }
    }

    /// Sends SIGTERM and returns at once (the host starts draining).
    pub fn terminate(&self) {
        self.process_ref().signal(Signal::SIGTERM);
    }

    /// Waits for the host to exit after [`Host::terminate`]; panics (after killing it) if it
    /// takes more than [`EXIT_TIMEOUT`]. Returns its status and output.
    pub fn wait(mut self) -> (ExitStatus, String) {
        let kind = self.kind;
        let process = self.process();
        match process.wait(EXIT_TIMEOUT) {
            Some(status) => (status, process.output()),
            None => panic!(
                "{kind} did not exit within {EXIT_TIMEOUT:?} of SIGTERM:\n{}",
                process.output()
            ),
        }
    }

    /// Graceful stop: SIGTERM (or, in process, the shutdown future), drain, and assert a clean
    /// exit (status 0, or `run` returning `Ok`). Returns a process's output.
    pub fn shutdown(mut self) -> String {
        let kind = self.kind;
        if let Some(result) = self.runner.stop_in_process() {
            result.unwrap_or_else(|e| panic!("in-process qr-host failed: {e:#}"));
            return String::new();
        }
        self.terminate();
        let (status, logs) = self.wait();
        assert!(
            status.success(),
            "{kind} exited with {status} after SIGTERM:\n{logs}"
        );
        logs
    }
}

/// The servers that serve the app from the product's `spin.toml` in the end-to-end tests; the
/// same test body runs against each (see [`on_every_host!`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostKind {
    /// This project's host, `target/release/qr-host`.
    QrHost,
    /// Real Spin, `spin up` ([`spin_binary`], Spin 4.0.2 in CI).
    Spin,
    /// qr-host inside the image `deploy/docker/Dockerfile` builds, run by a container engine
    /// (`tests/tests/all/deploy_manifests/container.rs`); not in [`on_every_host!`].
    Container,
    /// `wasmtime serve` (the official CLI, [`tool`]) serving one component alone
    /// ([`Host::wasmtime_serve`]); not in [`on_every_host!`].
    WasmtimeServe,
}

impl HostKind {
    /// Where this server prints the line that says it listens, and how that line starts.
    fn startup_line(self) -> (Stream, &'static str) {
        match self {
            HostKind::QrHost | HostKind::Container => (Stream::Stdout, STARTUP_PREFIX),
            // Then `Available Routes:`.
            HostKind::Spin => (Stream::Stdout, "Serving http://"),
            HostKind::WasmtimeServe => (Stream::Stderr, "Serving HTTP on http://"),
        }
    }

    /// Runs `body` against a fresh server of this kind serving the product's `spin.toml` on an
    /// ephemeral loopback port, then stops the server with SIGTERM and asserts it exits 0.
    pub fn run(self, body: impl FnOnce(&Host)) {
        let host = match self {
            HostKind::QrHost => Host::start(app_manifest()),
            HostKind::Spin => Host::spin(app_manifest()),
            other => panic!("{other} does not serve spin.toml"),
        };
        body(&host);
        host.shutdown();
    }
}

impl std::fmt::Display for HostKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HostKind::QrHost => "qr-host",
            HostKind::Spin => "spin",
            HostKind::Container => "qr-host container",
            HostKind::WasmtimeServe => "wasmtime serve",
        })
    }
}

/// Turns each named `fn NAME(host: &Host)` into two tests, `NAME::qr_host` and `NAME::spin`,
/// each running the body against a fresh server of that kind ([`HostKind::run`]):
///
/// ```ignore
/// qr_tests::on_every_host!(health_answers, unknown_routes_are_problems);
///
/// fn health_answers(host: &Host) {
///     assert_eq!(host.get("/health").status(), 200);
/// }
/// ```
///
/// A function and a module may share a name (they live in different namespaces), so the
/// tests are listed under the body's own name.
#[macro_export]
macro_rules! on_every_host {
    ($($body:ident),+ $(,)?) => {$(
        mod $body {
            #[test]
            fn qr_host() {
                $crate::HostKind::QrHost.run(super::$body)
            }

            #[test]
            fn spin() {
                $crate::HostKind::Spin.run(super::$body)
            }
        }
    )+};
}

/// The Spin CLI the tests run: `$QR_TESTS_SPIN` if set, else `../shared/tools/spin/spin` beside
/// the repository (Spin 4.0.2, see its README). It is only read and executed, never written to.
pub fn spin_binary() -> PathBuf {
    let path = std::env::var_os("QR_TESTS_SPIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("../shared/tools/spin/spin"));
    require(
        &path,
        "Spin 4.0.2 at ../shared/tools/spin/spin, or set QR_TESTS_SPIN",
    );
    path
}

/// Everything `spin up` writes in tests lives here, under `target/`: its data directory
/// (`SPIN_DATA_DIR`), the app's state directory (else `.spin/` beside `spin.toml`), component
/// logs, and a wasmtime cache so that only the first start compiles the components (about
/// 2 s; later starts take about 0.2 s).
pub fn spin_work_dir() -> PathBuf {
    target_dir().join("spin-test")
}

impl Host {
    /// `spin up -f <manifest>` on an ephemeral loopback port, everything it writes kept under
    /// [`spin_work_dir`]. Returns once Spin printed its `Serving http://ADDR` line and its own
    /// health path (`/.well-known/spin/health`) answered 200.
    pub fn spin(manifest: impl AsRef<Path>) -> Host {
        let dir = spin_work_dir();
        std::fs::create_dir_all(dir.join("logs")).expect("create the spin work dir");
        let cache_config = dir.join("wasmtime-cache.toml");
        write_if_changed(
            &cache_config,
            &format!(
                "[cache]\ndirectory = {:?}\n",
                dir.join("wasmtime-cache").display().to_string()
            ),
        );
        let mut command = Command::new(spin_binary());
        command.args(["up", "--listen", "127.0.0.1:0"]);
        command.arg("--from").arg(manifest.as_ref());
        command.arg("--log-dir").arg(dir.join("logs"));
        command.arg("--state-dir").arg(dir.join("state"));
        command.arg("--cache").arg(&cache_config);
        command.env("SPIN_DATA_DIR", dir.join("data"));
        let process = Process::spawn("spin", &mut command).expect("spawn spin");
        let host = Host::started(HostKind::Spin, process);
        // Spin prints the line once its listener is bound, so this request is queued, not
        // refused; Spin answers this path itself, before routing.
        let health = host.get("/.well-known/spin/health");
        assert_eq!(health.status(), 200, "spin's health path");
        host
    }

    /// `wasmtime serve -S cli=y` serving the component at `wasm` alone on an ephemeral loopback
    /// port; returns once it printed `Serving HTTP on http://ADDR/`. It has no admin listener.
    pub fn wasmtime_serve(wasm: &Path) -> Host {
        Host::from_command(HostKind::WasmtimeServe, wasmtime_serve_command(wasm, &[]))
    }
}

/// `wasmtime serve -S cli=y` with `extra` flags serving the component at `wasm` on an ephemeral
/// loopback port (the CLI from [`tool`]): [`Host::wasmtime_serve`]'s command, and host-bench's.
pub fn wasmtime_serve_command(wasm: &Path, extra: &[&str]) -> Command {
    let mut command = Command::new(tool("wasmtime"));
    command.args(["serve", "-S", "cli=y"]).args(extra);
    command.args(["--addr", "127.0.0.1:0"]).arg(wasm);
    command
}

/// A program of a Python venv `scripts/setup --test` makes under the target directory:
/// `ui-venv` (selenium, schemathesis; beside Chromium and chromium-driver), `deploy-venv`
/// (kubernetes-validate). Panics with the setup command when it is missing.
pub fn venv_program(venv: &str, program: &str) -> PathBuf {
    let path = target_dir().join(venv).join("bin").join(program);
    require(&path, "scripts/setup --test");
    path
}

/// Runs `command` (`what`, in messages) to its end or for at most `timeout` (then it is
/// killed), prints its stdout and stderr, and panics with them unless it exited 0. The output
/// goes through a (nameless, temporary) file, not a pipe, so a grandchild that keeps the
/// descriptors open (a browser a script started) cannot block the read.
pub fn run_bounded(what: &str, command: &mut Command, timeout: Duration) {
    let mut log = tempfile::tempfile().expect("create a log file");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone log file"))
        .stderr(log.try_clone().expect("clone log file"))
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {command:?}: {e}"));
    let status = child.wait_timeout(timeout).ok().flatten();
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    let mut output = Vec::new();
    std::io::Seek::rewind(&mut log).expect("rewind the log");
    log.read_to_end(&mut output).expect("read the log");
    let output = String::from_utf8_lossy(&output);
    println!("{output}");
    match status {
        Some(s) if s.success() => {}
        Some(s) => panic!("{what} failed ({s}):\n{output}"),
        None => panic!("{what} ran past {timeout:?}:\n{output}"),
    }
}
