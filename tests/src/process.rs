//! Child processes for tests and benchmarks: spawned with their output captured line by line,
//! signalled, waited for with a timeout, and stopped (printing their output on a failing test)
//! when dropped. Every server the tests and host-bench run (qr-host, Spin, nginx, `wasmtime
//! serve`, the Python service) is one [`Process`].

use std::io::{BufRead as _, BufReader, Read};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use nix::sys::signal::Signal;
use wait_timeout::ChildExt as _;

/// How long a dropped process gets to exit after its stop signal before it is killed.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(45);

/// Which pipe a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// A running child process with its stdout and stderr read into memory by two threads (it can
/// never block on a full pipe, unless asked to: [`Process::spawn_stderr_unread`]).
#[derive(Debug)]
pub struct Process {
    name: String,
    child: Child,
    exited: Option<ExitStatus>,
    output: Arc<Output>,
    readers: Vec<JoinHandle<()>>,
    /// Held open and never read (a stuck log shipper), closed before waiting for the exit.
    unread_stderr: Option<ChildStderr>,
    /// Sent on drop: SIGKILL by default; nginx wants SIGQUIT (its workers outlive a killed
    /// master), a server that should drain SIGTERM.
    stop_signal: Signal,
}

/// The lines read so far, and how many pipes are still open; readers notify on each line.
#[derive(Debug, Default)]
struct Output {
    state: Mutex<(Vec<(Stream, String)>, usize)>,
    changed: Condvar,
}

impl Process {
    /// Spawns `command` (stdin null, stdout and stderr piped and read); `name` labels errors
    /// and the printed output.
    pub fn spawn(name: impl Into<String>, command: &mut Command) -> std::io::Result<Process> {
        Process::start(name.into(), command, true)
    }

    /// [`Process::spawn`], but stderr's pipe is left unread: once its buffer is full, every
    /// write the process makes to stderr blocks. Tests use it to show a host never waits on
    /// its log output.
    pub fn spawn_stderr_unread(
        name: impl Into<String>,
        command: &mut Command,
    ) -> std::io::Result<Process> {
        Process::start(name.into(), command, false)
    }

    fn start(name: String, command: &mut Command, read_stderr: bool) -> std::io::Result<Process> {
        // Its own process group, so that what it starts goes with it (see `wait`): `spin up`
        // runs `spin trigger http` as a child, which a SIGKILL of `spin up` alone would leave
        // running, holding the output pipes open and the readers blocked for ever.
        let mut child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let output = Arc::new(Output::default());
        let mut readers = Vec::new();
        let stdout = child.stdout.take().expect("piped stdout");
        readers.push(read_lines(stdout, Stream::Stdout, &output));
        let stderr = child.stderr.take().expect("piped stderr");
        let mut unread_stderr = None;
        if read_stderr {
            readers.push(read_lines(stderr, Stream::Stderr, &output));
        } else {
            unread_stderr = Some(stderr);
        }
        Ok(Process {
            name,
            child,
            exited: None,
            output,
            readers,
            unread_stderr,
            stop_signal: Signal::SIGKILL,
        })
    }

    /// The signal [`Drop`] sends first (then SIGKILL after [`STOP_TIMEOUT`]).
    pub fn stop_signal(mut self, signal: Signal) -> Process {
        self.stop_signal = signal;
        self
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the process printed so far, stdout and stderr interleaved by line.
    pub fn output(&self) -> String {
        let state = self.output.state.lock().unwrap_or_else(|e| e.into_inner());
        let lines: Vec<&str> = state.0.iter().map(|(_, line)| line.as_str()).collect();
        lines.join("\n")
    }

    /// The first line on `stream` containing `text`, waiting for it up to `timeout`; `None`
    /// when the stream ends or the time runs out first.
    pub fn wait_for_line(&self, stream: Stream, text: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let mut state = self.output.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            let (lines, open) = &*state;
            if let Some((_, line)) = lines.iter().find(|(s, l)| *s == stream && l.contains(text)) {
                return Some(line.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            if *open == 0 {
                return None;
            }
            state = self
                .output
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// The address (`http://ADDR`) in the first line on `stream` containing `text`: how a
    /// server on port 0 says where it listens. `None` as for [`Process::wait_for_line`].
    pub fn wait_for_address(
        &self,
        stream: Stream,
        text: &str,
        timeout: Duration,
    ) -> Option<SocketAddr> {
        address_in(&self.wait_for_line(stream, text, timeout)?)
    }

    /// Whether the process has exited (it is reaped then).
    pub fn has_exited(&mut self) -> bool {
        if self.exited.is_none() {
            self.exited = self.child.try_wait().ok().flatten();
        }
        self.exited.is_some()
    }

    /// Sends `signal`, unless the process has been reaped. Only this value reaps it (in the
    /// `&mut` methods, which record the exit), so the pid cannot belong to anyone else; an
    /// exited but unreaped child takes the signal harmlessly.
    pub fn signal(&self, signal: Signal) {
        self.try_signal(signal)
            .unwrap_or_else(|e| panic!("kill({}, {signal}): {e}", self.name));
    }

    fn try_signal(&self, signal: Signal) -> nix::Result<()> {
        if self.exited.is_some() {
            return Ok(());
        }
        let pid = i32::try_from(self.pid()).map_err(|_| nix::Error::EINVAL)?;
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal)
    }

    /// Waits up to `timeout` for the exit; `None` if the process still runs. Once it has
    /// exited, its output is complete.
    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        drop(self.unread_stderr.take());
        if self.exited.is_none() {
            self.exited = self.child.wait_timeout(timeout).ok().flatten();
        }
        if self.exited.is_some() {
            // Whatever the process left behind in its group (its children, when it was killed
            // before it could stop them) is killed too, or the readers would wait for ever on
            // pipes those children still hold. The group id stays reserved while any member
            // lives, so this reaches no one else; with no member left it is a no-op (ESRCH).
            if let Ok(pid) = i32::try_from(self.pid()) {
                let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
            }
            for reader in self.readers.drain(..) {
                let _ = reader.join();
            }
        }
        self.exited
    }

    /// Sends `signal` and waits for the exit; panics with the output after [`STOP_TIMEOUT`].
    pub fn stop_with(&mut self, signal: Signal) -> ExitStatus {
        self.signal(signal);
        self.wait(STOP_TIMEOUT).unwrap_or_else(|| {
            panic!(
                "{} did not exit within {STOP_TIMEOUT:?} of {signal}:\n{}",
                self.name,
                self.output()
            )
        })
    }

    /// Runs to its exit, killed after `timeout`; returns the status (`None` if killed) and the
    /// whole output.
    pub fn finish(mut self, timeout: Duration) -> (Option<ExitStatus>, String) {
        let status = self.wait(timeout);
        if status.is_none() {
            let _ = self.try_signal(Signal::SIGKILL);
            let _ = self.wait(STOP_TIMEOUT);
        }
        (status, self.output())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if !self.has_exited() {
            let _ = self.try_signal(self.stop_signal);
            if self.wait(STOP_TIMEOUT).is_none() {
                let _ = self.try_signal(Signal::SIGKILL);
                let _ = self.wait(STOP_TIMEOUT);
            }
        }
        if std::thread::panicking() {
            eprintln!(
                "---- {} (pid {}) output ----\n{}\n---- end of {} ----",
                self.name,
                self.pid(),
                self.output(),
                self.name
            );
        }
    }
}

fn read_lines(
    pipe: impl Read + Send + 'static,
    stream: Stream,
    output: &Arc<Output>,
) -> JoinHandle<()> {
    let output = Arc::clone(output);
    output.state.lock().unwrap_or_else(|e| e.into_inner()).1 += 1;
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            let mut state = output.state.lock().unwrap_or_else(|e| e.into_inner());
            state.0.push((stream, line));
            output.changed.notify_all();
        }
        output.state.lock().unwrap_or_else(|e| e.into_inner()).1 -= 1;
        output.changed.notify_all();
    })
}

/// Runs `command` to its end and returns its stdout and stderr; panics with both unless it
/// exited 0. `what` names it in the messages (with the setup command where a tool may be
/// missing).
pub fn run_ok(command: &mut Command, what: &str) -> (String, String) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("run {what}: {e}"));
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    let status = output.status;
    assert!(
        status.success(),
        "{what} failed ({status}):\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

/// Whether a process with this id exists (any process, not only our children: signal 0 only
/// checks that it could be signalled).
pub fn pid_is_alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None::<Signal>).is_ok()
}

/// The first `http://HOST:PORT` in `line`: the address a server printed once it listens.
pub fn address_in(line: &str) -> Option<SocketAddr> {
    let rest = &line[line.find("http://")? + "http://".len()..];
    let end = rest
        .find(|c: char| c == '/' || c.is_whitespace())
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// A free loopback port: bound by the kernel, then released for a process that cannot bind
/// port 0 itself or needs a fixed one (nginx's upstream list names each host by address, so a
/// restarted host must reuse it).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("bind a free loopback port")
        .port()
}

/// User plus system CPU seconds used so far by `pid` and all its descendants (gunicorn's
/// workers are children of its master).
pub fn cpu_seconds(pid: u32) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    // (pid, ppid, CPU ticks) of every process.
    let procs: Vec<(u32, u32, u64)> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let p = entry.file_name().to_str()?.parse().ok()?;
            let (ppid, cpu) = stat(p)?;
            Some((p, ppid, cpu))
        })
        .collect();
    let mut tree = vec![pid];
    let mut i = 0;
    while let Some(&parent) = tree.get(i) {
        tree.extend(procs.iter().filter(|p| p.1 == parent).map(|p| p.0));
        i += 1;
    }
    let total: u64 = procs
        .iter()
        .filter(|p| tree.contains(&p.0))
        .map(|p| p.2)
        .sum();
    total as f64 / ticks
}

/// `(ppid, utime + stime)` from `/proc/<pid>/stat`.
fn stat(pid: u32) -> Option<(u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses; fields resume after the last ')'.
    let fields: Vec<&str> = text[text.rfind(')')? + 2..].split_whitespace().collect();
    let ppid = fields.get(1)?.parse().ok()?;
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((ppid, utime + stime))
}

/// The machine's load average (the first three fields of `/proc/loadavg`), for benchmark
/// reports: the cores are shared, and a figure means little without it.
pub fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_grows_while_the_process_works() {
        let me = std::process::id();
        let before = cpu_seconds(me);
        // Reading /proc is itself work; the clock ticks at 100 Hz, so a few reads suffice.
        assert!((0..100_000).any(|_| cpu_seconds(me) > before));
    }

    #[test]
    fn the_address_is_read_from_each_servers_startup_line() {
        let qr_host =
            "qr-host listening on http://127.0.0.1:3000 admin http://127.0.0.1:9300 components=2";
        assert_eq!(address_in(qr_host), "127.0.0.1:3000".parse().ok());
        let wasmtime = "Serving HTTP on http://127.0.0.1:41234/";
        assert_eq!(address_in(wasmtime).map(|a| a.port()), Some(41234));
        assert_eq!(address_in("no address here"), None);
    }

    #[test]
    fn a_line_is_found_on_its_stream_and_the_exit_is_waited_for() {
        let mut sh = Command::new("sh");
        sh.args(["-c", "echo to-err >&2; echo ready; exec sleep 60"]);
        let mut process = Process::spawn("sh", &mut sh).expect("spawn sh");
        let line = process.wait_for_line(Stream::Stdout, "ready", Duration::from_secs(10));
        assert_eq!(line.as_deref(), Some("ready"));
        assert_eq!(
            process.wait(Duration::from_millis(50)),
            None,
            "still running"
        );
        let status = process.stop_with(Signal::SIGTERM);
        assert!(!status.success());
        assert!(process.output().contains("to-err"));
        assert_eq!(
            process.wait_for_line(Stream::Stdout, "to-err", Duration::from_secs(1)),
            None,
            "stderr's line is not on stdout, and a closed stream ends the wait"
        );
    }
}
