//! Every limit and knob of qr-host in one struct, with its flag, env var, default and reason.
//!
//! `qr-host --help` prints this file's doc comments, so they are written for operators. The
//! pooling allocator, the store limits and the HTTP server are all sized from [`Limits`]; there
//! is no second place where a number lives.

use clap::{Args, Parser};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default app listener: loopback, Spin's port. Production sits behind a proxy on the same box.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
/// Default admin listener (metrics, readiness): loopback, never the app's port.
pub const DEFAULT_ADMIN_LISTEN: &str = "127.0.0.1:9300";

/// Serve a Spin app's HTTP components (spin.toml v2) with wasmtime: pooled instances, per-request
/// memory and time limits, backpressure, Prometheus metrics and graceful drain.
#[derive(Debug, Parser)]
#[command(name = "qr-host", version, about, long_about = None)]
pub struct Cli {
    /// The Spin manifest to serve. Component sources are relative to its directory.
    #[arg(default_value = "spin.toml", env = "QR_HOST_MANIFEST")]
    pub manifest: PathBuf,

    /// Address of the app listener. Port 0 picks a free port (printed at startup).
    #[arg(long, default_value = DEFAULT_LISTEN, env = "QR_HOST_LISTEN")]
    pub listen: SocketAddr,

    /// Address of the admin listener: /metrics (Prometheus), /livez, /readyz. Keep it private.
    #[arg(long, default_value = DEFAULT_ADMIN_LISTEN, env = "QR_HOST_ADMIN_LISTEN")]
    pub admin_listen: SocketAddr,

    /// Where precompiled components are kept, keyed by wasm digest and engine compatibility hash.
    /// Default: $XDG_CACHE_HOME/qr-host, else $HOME/.cache/qr-host, else target/qr-host-cache.
    #[arg(long, env = "QR_HOST_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Compile every component with Cranelift at startup; neither read nor write the cache.
    #[arg(long, env = "QR_HOST_NO_CACHE")]
    pub no_cache: bool,

    /// Log one JSON object per line instead of human-readable text (filter with RUST_LOG).
    #[arg(long, env = "QR_HOST_LOG_JSON")]
    pub log_json: bool,

    #[command(flatten)]
    pub limits: Limits,
}

/// The limits: one struct, so the pool, the stores and the server agree.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Limits")]
pub struct Limits {
    /// Requests that run wasm at once. Also sizes the instance pool. Default: CPU cores.
    #[arg(long, env = "QR_HOST_MAX_CONCURRENCY", default_value_t = default_concurrency(), value_parser = at_least_one())]
    pub max_concurrency: usize,

    /// Requests that may wait for a free slot; beyond this a request gets 503 + Retry-After.
    #[arg(long, env = "QR_HOST_MAX_QUEUE", default_value_t = 128)]
    pub max_queue: usize,

    /// The queue-wait budget. A request that finds every slot busy is refused at once (503 +
    /// Retry-After) when its estimated wait (requests ahead x measured time per request, per
    /// slot) is over it, and queued otherwise; a queued request that waits this long is refused
    /// then. The default lets a burst of 32 12-megapixel photo decodes on a 2-core host all be
    /// served (measured in crates/qr-host/README.md).
    #[arg(long, env = "QR_HOST_QUEUE_TIMEOUT", default_value = "15s", value_parser = humantime::parse_duration)]
    pub queue_timeout: Duration,

    /// Seconds suggested to clients in Retry-After on 503.
    #[arg(long, env = "QR_HOST_RETRY_AFTER_SECS", default_value_t = 1)]
    pub retry_after_secs: u32,

    /// Wall-clock deadline for one request's wasm (enforced by epoch interruption): 504 after it.
    #[arg(long, env = "QR_HOST_REQUEST_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub request_timeout: Duration,

    /// Linear memory one instance may grow to (bytes). Beyond it the request fails with 422.
    #[arg(long, env = "QR_HOST_MAX_MEMORY_BYTES", default_value_t = 256 * MIB)]
    pub max_memory_bytes: usize,

    /// Largest request body (bytes): 413 above it. The components apply their own, smaller limits.
    #[arg(long, env = "QR_HOST_MAX_BODY_BYTES", default_value_t = 16 * MIB as u64)]
    pub max_body_bytes: u64,

    /// Read buffer for a request head (bytes); a longer head gets 431. Minimum 8192.
    #[arg(long, env = "QR_HOST_MAX_HEADER_BYTES", default_value_t = 16 * 1024, value_parser = clap::value_parser!(u32).range(8192..))]
    pub max_header_bytes: u32,

    /// Time a client gets to send a request head, and how long an idle keep-alive connection
    /// is kept: slow or silent clients are disconnected (slowloris).
    #[arg(long, env = "QR_HOST_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub header_read_timeout: Duration,

    /// Longest gap between two chunks of a request body before the request fails with 408.
    #[arg(long, env = "QR_HOST_BODY_READ_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub body_read_timeout: Duration,

    /// After the pause of `--body-read-timeout`, the slowest average (bytes per second) a
    /// request body may arrive at; slower bodies get 408. Bodies are read in full before a
    /// request takes a wasm slot, so this bounds how long a trickled body holds memory. 0: off.
    #[arg(long, env = "QR_HOST_BODY_MIN_RATE", default_value_t = 16 * 1024)]
    pub body_min_rate: u64,

    /// Request-body bytes held in memory at once, all requests together (bodies are read in
    /// full before a request runs, and held until its instance is gone). A body that does not
    /// fit gets 503 + Retry-After.
    #[arg(long, env = "QR_HOST_MAX_BUFFERED_BODY_BYTES", default_value_t = 256 * MIB)]
    pub max_buffered_body_bytes: usize,

    /// How long writing a response may make no progress (a client that stops reading) before
    /// the connection is closed.
    #[arg(long, env = "QR_HOST_WRITE_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub write_timeout: Duration,

    /// Age after which a connection finishes its current request and is closed, so no client
    /// keeps one for ever (it reconnects).
    #[arg(long, env = "QR_HOST_MAX_CONNECTION_LIFETIME", default_value = "10m", value_parser = humantime::parse_duration)]
    pub max_connection_lifetime: Duration,

    /// Open client connections; further clients wait in the kernel's accept backlog, and
    /// /readyz answers 503 while all are taken.
    #[arg(long, env = "QR_HOST_MAX_CONNECTIONS", default_value_t = 1024, value_parser = at_least_one())]
    pub max_connections: usize,

    /// Open connections from one IP address; more are closed at once. Behind a proxy every
    /// connection comes from the proxy: raise it to --max-connections there.
    #[arg(long, env = "QR_HOST_MAX_CONNECTIONS_PER_PEER", default_value_t = 256, value_parser = at_least_one())]
    pub max_connections_per_peer: usize,

    /// On SIGTERM/SIGINT, how long in-flight requests may still run before the host exits.
    #[arg(long, env = "QR_HOST_DRAIN_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
    pub drain_timeout: Duration,

    /// Bytes of each pooled linear memory reset in place (kept mapped) instead of released with
    /// madvise when an instance is freed. Default: 32 MiB when PAGEMAP_SCAN is in use (only
    /// the pages the guest dirtied are reset), else 0 (without it the whole prefix is
    /// memset on every request, which host-bench measured slower than madvise).
    #[arg(long, env = "QR_HOST_POOL_MEMORY_KEEP_RESIDENT", default_value = "auto", value_parser = KeepResident::parse)]
    pub pool_memory_keep_resident: KeepResident,

    /// Whether the pool finds the pages a guest dirtied with Linux's PAGEMAP_SCAN ioctl
    /// (kernel >= 6.7) and resets only those, keeping them mapped: no madvise, so no TLB
    /// shootdown across worker threads and no page faults on the next request (host-bench:
    /// about twice the hello req/s). `auto` uses it where the kernel has it; `yes` requires
    /// it; `no` never uses it.
    #[arg(long, env = "QR_HOST_POOL_PAGEMAP_SCAN", value_enum, hide_possible_values = true, default_value_t = PagemapScan::Auto)]
    pub pool_pagemap_scan: PagemapScan,

    /// Bytes of each pooled table reset with memset instead of madvise.
    #[arg(long, env = "QR_HOST_POOL_TABLE_KEEP_RESIDENT", default_value_t = 64 * 1024)]
    pub pool_table_keep_resident: usize,

    /// Use wasmtime's on-demand allocator instead of the pooling allocator (for comparison).
    #[arg(long, env = "QR_HOST_NO_POOLING")]
    pub no_pooling: bool,
}

/// `--pool-pagemap-scan`: wasmtime's `Enabled`, as a CLI value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PagemapScan {
    /// Use it when the running kernel supports it.
    Auto,
    /// Require it: startup fails on a kernel without it.
    Yes,
    /// Never use it: reset with memset (keep-resident prefix) and madvise (the rest).
    No,
}

impl From<PagemapScan> for wasmtime::Enabled {
    fn from(value: PagemapScan) -> Self {
        match value {
            PagemapScan::Auto => Self::Auto,
            PagemapScan::Yes => Self::Yes,
            PagemapScan::No => Self::No,
        }
    }
}

/// `--pool-memory-keep-resident`: `auto` or a byte count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeepResident {
    /// [`SCANNED_KEEP_RESIDENT`] when PAGEMAP_SCAN is in use, else 0.
    Auto,
    Bytes(usize),
}

impl KeepResident {
    fn parse(value: &str) -> Result<Self, String> {
        if value == "auto" {
            return Ok(Self::Auto);
        }
        value
            .parse()
            .map(Self::Bytes)
            .map_err(|_| format!("{value:?} is neither `auto` nor a byte count"))
    }
}

/// One mebibyte, for readable defaults.
pub const MIB: usize = 1024 * 1024;

/// `--pool-memory-keep-resident` when PAGEMAP_SCAN is in use: covers the pages a 12 Mpx
/// phone photo's decode dirties (about 21 MiB: the body, the luma plane, the scan's buffers),
/// so they are reset in place instead of released with madvise and faulted in again by the
/// next request (16 MiB left 1318 faults a request; 32 MiB none, and 3% less CPU per such
/// decode, the same on small images: crates/qr-host/README.md). Only pages a request dirtied
/// stay resident; a rarer larger request has the rest released with madvise.
pub const SCANNED_KEEP_RESIDENT: usize = 32 * MIB;

impl Limits {
    /// Whether the pool will reset memories with PAGEMAP_SCAN on this machine.
    pub fn uses_pagemap_scan(&self) -> bool {
        match self.pool_pagemap_scan {
            PagemapScan::Yes => true,
            PagemapScan::No => false,
            PagemapScan::Auto => wasmtime::PoolingAllocationConfig::is_pagemap_scan_available(),
        }
    }

    /// `--pool-memory-keep-resident`, or its default for this machine.
    pub fn memory_keep_resident(&self) -> usize {
        match self.pool_memory_keep_resident {
            KeepResident::Bytes(bytes) => bytes,
            KeepResident::Auto if self.uses_pagemap_scan() => SCANNED_KEEP_RESIDENT,
            KeepResident::Auto => 0,
        }
    }
}

/// How often the epoch advances; the request deadline is checked at this granularity. Fine
/// enough that a 504 arrives within a few ms of the deadline, coarse enough to cost nothing.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

// Fixed limits: sizes that follow from what a spin-sdk component or a probe needs rather than
// from the machine or the traffic, so they are constants, not flags. The README's host limits
// table lists each with the flags.

/// Core instances one spin-sdk component needs (main module plus wit-component shims and
/// adapters); the pool reserves this many per component slot. Generous: unused ones cost only
/// a little metadata, too few makes instantiation fail.
pub const CORE_INSTANCES_PER_COMPONENT: u32 = 32;
/// Linear memories per component: Rust guests have one; headroom for an adapter's own.
pub const MEMORIES_PER_COMPONENT: u32 = 2;
/// Tables per component: the main module's function table plus shim tables.
pub const TABLES_PER_COMPONENT: u32 = 8;

/// Admin connections at once: Prometheus and a few probes need a handful; the rest wait in
/// the backlog, so the admin port cannot be used to exhaust the host's memory or descriptors.
pub const ADMIN_MAX_CONNECTIONS: usize = 16;

/// Head and write timeout on the admin listener: a probe is one small request and answer.
pub const ADMIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest an admin connection is kept (a Prometheus scraper reconnects).
pub const ADMIN_LIFETIME: Duration = Duration::from_secs(60);

/// Pause after a failed `accept` (typically EMFILE) before the next, instead of spinning.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Log lines queued for the writer thread; past this, new lines are dropped rather than
/// making a request wait (tracing-appender's default, about 128k lines).
pub const LOG_QUEUE_LINES: usize = 128_000;

/// Zero slots or connections would accept requests and never serve them.
fn at_least_one() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::new().range(1..)
}

fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

impl Default for Limits {
    /// The same defaults `--help` shows.
    fn default() -> Self {
        Cli::parse_from(["qr-host"]).limits
    }
}

impl Cli {
    /// The cache directory to use, or `None` when caching is off.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        if let Some(dir) = &self.cache_dir {
            return Some(dir.clone());
        }
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")));
        Some(match base {
            Some(base) => base.join("qr-host"),
            None => PathBuf::from("target/qr-host-cache"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_need_no_arguments() {
        let cli = Cli::parse_from(["qr-host"]);
        assert_eq!(cli.manifest, PathBuf::from("spin.toml"));
        assert_eq!(cli.listen.to_string(), DEFAULT_LISTEN);
        assert!(cli.limits.max_concurrency >= 1);
    }

    #[test]
    fn durations_take_human_units() {
        let cli = Cli::parse_from(["qr-host", "--request-timeout", "250ms"]);
        assert_eq!(cli.limits.request_timeout, Duration::from_millis(250));
    }

    #[test]
    fn zero_concurrency_is_refused() {
        assert!(Cli::try_parse_from(["qr-host", "--max-concurrency", "0"]).is_err());
    }

    #[test]
    fn keep_resident_follows_the_reset_strategy_unless_set() {
        let limits = |args: &[&str]| {
            Cli::parse_from(std::iter::once("qr-host").chain(args.iter().copied())).limits
        };
        let scanned = limits(&["--pool-pagemap-scan", "yes"]);
        assert_eq!(scanned.memory_keep_resident(), SCANNED_KEEP_RESIDENT);
        let memset = limits(&["--pool-pagemap-scan", "no"]);
        assert_eq!(memset.memory_keep_resident(), 0);
        let explicit = limits(&[
            "--pool-pagemap-scan",
            "no",
            "--pool-memory-keep-resident",
            "4096",
        ]);
        assert_eq!(explicit.memory_keep_resident(), 4096);
        assert!(Cli::try_parse_from(["qr-host", "--pool-memory-keep-resident", "lots"]).is_err());
    }

    #[test]
    fn a_tiny_header_buffer_is_refused() {
        assert!(Cli::try_parse_from(["qr-host", "--max-header-bytes", "100"]).is_err());
    }
}
