//! The HTTP services the load sections compare, each started as its own process (the test
//! harness's `qr_tests::Process`) on a loopback port-0 (or free) address and stopped when
//! dropped: qr-host, `wasmtime serve`, a native hyper hello, and the Python service.

use std::ffi::OsString;
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use qr_tests::{Process, Signal, Stream};

/// Longest a service may take to say it listens (Python imports OpenCV; qr-host may compile).
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// Pause between readiness probes of a service that does not print its address.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// How to start one service and how to tell it is ready.
#[derive(Debug)]
pub struct Service {
    pub name: String,
    program: OsString,
    args: Vec<OsString>,
    envs: Vec<(String, String)>,
    ready: Ready,
}

#[derive(Debug, Clone, Copy)]
enum Ready {
    /// The bound address is the first `http://ADDR` printed on stdout.
    Stdout,
    /// The bound address is the first `http://ADDR` printed on stderr.
    Stderr,
    /// A fixed address, ready when `GET /health` answers 200.
    Poll(SocketAddr),
}

impl Service {
    /// qr-host serving `manifest` with its precompiled cache in `cache` and `extra` flags.
    pub fn qr_host(manifest: &Path, cache: &Path, extra: &[&str]) -> Result<Service> {
        Ok(Service {
            name: "qr-host".into(),
            program: crate::paths::host_binary().into(),
            // The tests' command line: loopback port-0 listeners, this cache, `extra`.
            args: qr_tests::Host::builder(manifest)
                .cache_dir(cache)
                .args(extra)
                .command_args(),
            envs: Vec::new(),
            ready: Ready::Stdout,
        })
    }

    /// `wasmtime serve -S cli=y` on `wasm` (the CLI from `~/.cargo/bin` or `PATH`).
    pub fn wasmtime_serve(wasm: &Path, extra: &[&str]) -> Result<Service> {
        let mut args: Vec<OsString> = vec!["serve".into(), "-S".into(), "cli=y".into()];
        args.extend(extra.iter().map(OsString::from));
        args.extend(["--addr".into(), "127.0.0.1:0".into(), wasm.into()]);
        Ok(Service {
            name: "wasmtime serve".into(),
            program: tool("wasmtime").context("wasmtime CLI not found")?.into(),
            args,
            envs: Vec::new(),
            ready: Ready::Stderr,
        })
    }

    /// This binary's hidden `native-hello` subcommand: hyper answering "hello" natively.
    pub fn native_hello() -> Result<Service> {
        Ok(Service {
            name: "native hyper".into(),
            program: std::env::current_exe()?.into(),
            args: vec!["native-hello".into()],
            envs: Vec::new(),
            ready: Ready::Stdout,
        })
    }

    /// The Python service under gunicorn (its venv must exist: `./run.sh setup`).
    pub fn python_seed() -> Result<Service> {
        let dir = crate::paths::python_seed();
        let home = std::env::var_os("HOME").context("HOME not set")?;
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map_or_else(|| Path::new(&home).join(".cache"), Into::into);
        if !cache.join("qr-python-seed/venv/bin/gunicorn").is_file() {
            bail!(
                "its venv is not set up (run `{}/run.sh setup`)",
                dir.display()
            );
        }
        let addr = SocketAddr::from(([127, 0, 0, 1], qr_tests::free_port()));
        Ok(Service {
            name: "python-seed".into(),
            program: dir.join("run.sh").into(),
            args: vec![addr.to_string().into()],
            envs: Vec::new(),
            ready: Ready::Poll(addr),
        })
    }

    /// Adds an environment variable (e.g. `TOKIO_WORKER_THREADS`, `RUST_LOG`).
    pub fn env(mut self, key: &str, value: &str) -> Service {
        self.envs.push((key.into(), value.into()));
        self
    }

    pub fn named(mut self, name: impl Into<String>) -> Service {
        self.name = name.into();
        self
    }
}

/// A running service; dropping it stops the process (SIGTERM, then SIGKILL).
#[derive(Debug)]
pub struct Server {
    pub name: String,
    pub addr: SocketAddr,
    process: Process,
}

/// Starts `service` and waits until it is ready to answer.
pub fn start(service: Service) -> Result<Server> {
    let mut command = Command::new(&service.program);
    command.args(&service.args);
    for (k, v) in &service.envs {
        command.env(k, v);
    }
    let mut process = Process::spawn(&service.name, &mut command)
        .with_context(|| format!("starting {}", service.name))?
        .stop_signal(Signal::SIGTERM);
    let stream = match service.ready {
        Ready::Stdout => Stream::Stdout,
        Ready::Stderr => Stream::Stderr,
        Ready::Poll(addr) => {
            let deadline = Instant::now() + READY_TIMEOUT;
            while get_ok(addr, "/health").is_err() {
                if Instant::now() > deadline {
                    bail!("{} did not answer /health at {addr}", service.name);
                }
                if process.has_exited() {
                    bail!("{} exited:\n{}", service.name, process.output());
                }
                std::thread::sleep(POLL_INTERVAL);
            }
            return Ok(Server {
                name: service.name,
                addr,
                process,
            });
        }
    };
    let addr = process
        .wait_for_address(stream, "http://", READY_TIMEOUT)
        .with_context(|| {
            format!(
                "{} exited or printed no address; it said:\n{}",
                service.name,
                process.output()
            )
        })?;
    Ok(Server {
        name: service.name,
        addr,
        process,
    })
}

impl Server {
    /// The process id, for CPU accounting.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }
}

/// One `GET` with `Connection: close`; fails unless the status is 200.
pub fn get_ok(addr: SocketAddr, path: &str) -> Result<()> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(READY_TIMEOUT))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let head = String::from_utf8_lossy(&response[..response.len().min(32)]).into_owned();
    anyhow::ensure!(
        head.starts_with("HTTP/1.1 200"),
        "GET {path} answered {head:?}"
    );
    Ok(())
}

/// A command-line tool, found where the tests find it (`qr_tests::find_tool`).
pub use qr_tests::find_tool as tool;
