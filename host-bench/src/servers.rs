//! The HTTP services the load sections compare, each started as its own process (the test
//! harness's `qr_tests::Process`) on a loopback port-0 (or free) address and stopped when
//! dropped: qr-host, `wasmtime serve`, a native hyper hello, and the Python service.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use qr_tests::Stream::{Stderr, Stdout};
use qr_tests::{Process, Signal, Stream};

/// Longest a service may take to say it listens (Python imports OpenCV; qr-host may compile).
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// Pause between readiness probes of a service that does not print its address.
const POLL_INTERVAL: Duration = Duration::from_millis(20);

/// How to start one service and how to tell it is ready.
#[derive(Debug)]
pub struct Service {
    pub name: String,
    command: Command,
    ready: Ready,
}

#[derive(Debug, Clone, Copy)]
enum Ready {
    /// The bound address is the first `http://ADDR` printed on this stream.
    Prints(Stream),
    /// A fixed address, ready when `GET /health` answers 200.
    Poll(SocketAddr),
}

impl Service {
    fn new(name: &str, command: Command, ready: Ready) -> Service {
        let name = name.to_owned();
        Service {
            name,
            command,
            ready,
        }
    }

    /// qr-host serving `manifest` with its precompiled cache in `cache` and `extra` flags.
    pub fn qr_host(manifest: &Path, cache: &Path, extra: &[&str]) -> Result<Service> {
        let mut command = Command::new(crate::paths::host_binary());
        // The tests' command line: loopback port-0 listeners, this cache, `extra`.
        let host = qr_tests::Host::builder(manifest)
            .cache_dir(cache)
            .args(extra);
        command.args(host.command_args());
        Ok(Service::new("qr-host", command, Ready::Prints(Stdout)))
    }

    /// `wasmtime serve` on `wasm` with `extra` flags, as the tests run it.
    pub fn wasmtime_serve(wasm: &Path, extra: &[&str]) -> Result<Service> {
        tool("wasmtime").context("wasmtime CLI not found")?;
        let command = qr_tests::wasmtime_serve_command(wasm, extra);
        Ok(Service::new(
            "wasmtime serve",
            command,
            Ready::Prints(Stderr),
        ))
    }

    /// This binary's hidden `native-hello` subcommand: hyper answering "hello" natively.
    pub fn native_hello() -> Result<Service> {
        let mut command = Command::new(std::env::current_exe()?);
        command.arg("native-hello");
        Ok(Service::new("native hyper", command, Ready::Prints(Stdout)))
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
        let mut command = Command::new(dir.join("run.sh"));
        command.arg(addr.to_string());
        Ok(Service::new("python-seed", command, Ready::Poll(addr)))
    }

    /// Adds an environment variable (e.g. `TOKIO_WORKER_THREADS`, `RUST_LOG`).
    pub fn env(mut self, key: &str, value: &str) -> Service {
        self.command.env(key, value);
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
    pub process: Process,
}

/// Starts `service` and waits until it is ready to answer.
pub fn start(mut service: Service) -> Result<Server> {
    let name = service.name;
    let mut process = Process::spawn(&name, &mut service.command)
        .with_context(|| format!("starting {name}"))?
        .stop_signal(Signal::SIGTERM);
    let addr = match service.ready {
        Ready::Prints(stream) => process
            .wait_for_address(stream, "http://", READY_TIMEOUT)
            .with_context(|| {
                let output = process.output();
                format!("{name} exited or printed no address; it said:\n{output}")
            })?,
        Ready::Poll(addr) => {
            let deadline = Instant::now() + READY_TIMEOUT;
            while get_ok(addr, "/health").is_err() {
                if Instant::now() > deadline {
                    bail!("{name} did not answer /health at {addr}");
                }
                if process.has_exited() {
                    bail!("{name} exited:\n{}", process.output());
                }
                std::thread::sleep(POLL_INTERVAL);
            }
            addr
        }
    };
    Ok(Server {
        name,
        addr,
        process,
    })
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

/// What `program --version` prints, without its leading `name `.
pub fn version(program: &Path, name: &str) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    let output = String::from_utf8_lossy(&output.stdout);
    Some(
        output
            .trim()
            .trim_start_matches(name)
            .trim_start()
            .to_owned(),
    )
}
