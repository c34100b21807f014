//! What the benchmarks time on the wasm side: qr-host's own embedding, never a copy of it.
//! Engines come from `qr_host::runtime::engine_config`, loading from qr-host's artifact cache,
//! and every request goes through `qr_host::runtime::Runtime::call`: a fresh store with the
//! shipped limits (memory cap, epoch deadline, outbound HTTP refused, the pool), instantiate,
//! the `wasi:http` handler, the body read, the instance released. Only the HTTP server around
//! it (sockets, admission, routing, access log) is left out; the HTTP sections time that.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};
use bytes::Bytes;
use prometheus_client::registry::Registry;
use qr_host::runtime::Runtime;
use serde::{Deserialize, Serialize};
use wasmtime::Engine;

/// How instances get their memory: the lever the host-overhead section sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Allocation {
    /// wasmtime's default: mmap per instance, munmap on drop.
    OnDemand,
    /// The pooling allocator with `slots` component instances, resetting the first
    /// `keep_resident` bytes of each memory with memset (the rest with madvise). With
    /// `pagemap_scan`, Linux's PAGEMAP_SCAN ioctl finds the pages the instance dirtied, and
    /// only those (up to `keep_resident` bytes) are reset, anywhere in the memory.
    Pooling {
        slots: u32,
        keep_resident: usize,
        pagemap_scan: bool,
    },
}

impl Allocation {
    /// qr-host's defaults on this machine (its `--max-concurrency` slots and
    /// `--pool-memory-keep-resident`, `--pool-pagemap-scan`), read from qr-host itself so the
    /// two cannot drift.
    pub fn qr_host_default() -> Self {
        let limits = qr_host::Limits::default();
        Allocation::Pooling {
            slots: u32::try_from(limits.max_concurrency).unwrap_or(u32::MAX),
            keep_resident: limits.memory_keep_resident(),
            pagemap_scan: limits.uses_pagemap_scan(),
        }
    }

    pub fn label(&self) -> String {
        match self {
            Allocation::OnDemand => "on-demand".into(),
            Allocation::Pooling {
                keep_resident,
                pagemap_scan,
                ..
            } => format!(
                "pooling, keep-resident {}{}",
                bytes_label(*keep_resident),
                if *pagemap_scan { " + pagemap_scan" } else { "" }
            ),
        }
    }
}

/// `0`, `64 KiB`, `1 MiB`.
pub fn bytes_label(bytes: usize) -> String {
    match bytes {
        0 => "0".into(),
        b if b % (1024 * 1024) == 0 => format!("{} MiB", b / (1024 * 1024)),
        b => format!("{} KiB", b / 1024),
    }
}

/// Logical CPUs, the default size of qr-host's pool and worker set.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// qr-host's default limits with the allocation levers this bench sweeps overridden.
pub fn limits(allocation: Allocation) -> qr_host::Limits {
    match allocation {
        Allocation::OnDemand => qr_host::Limits {
            no_pooling: true,
            ..qr_host::Limits::default()
        },
        Allocation::Pooling {
            slots,
            keep_resident,
            pagemap_scan,
        } => qr_host::Limits {
            max_concurrency: slots as usize,
            pool_memory_keep_resident: qr_host::config::KeepResident::Bytes(keep_resident),
            pool_table_keep_resident: keep_resident.min(64 * 1024),
            pool_pagemap_scan: if pagemap_scan {
                qr_host::config::PagemapScan::Yes
            } else {
                qr_host::config::PagemapScan::No
            },
            ..qr_host::Limits::default()
        },
    }
}

/// qr-host's own engine configuration (`qr_host::runtime::engine_config`) for `allocation`.
pub fn engine(allocation: Allocation) -> Result<Engine> {
    Engine::new(&qr_host::runtime::engine_config(&limits(allocation))).map_err(anyhow::Error::from)
}

/// qr-host's precompiled-artifact cache for every guest ([`Guest::new`]) and qr-host process the
/// benchmarks start: one artifact per component and engine configuration.
pub fn artifact_cache() -> Result<std::path::PathBuf> {
    Ok(crate::paths::scratch()?.join("qr-host-cache"))
}

/// A component loaded by qr-host's runtime, ready to serve requests.
#[derive(Debug)]
pub struct Guest {
    runtime: Runtime,
    id: String,
}

/// A request for [`Guest::handle`]: method, path and query, content type, body.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub path_and_query: String,
    pub content_type: &'static str,
    pub body: Bytes,
}

impl Guest {
    /// qr-host's `Runtime` for `allocation` serving only the component built as `name`
    /// (`qr_generate`), loaded through qr-host's artifact cache as qr-host starts (the first
    /// load compiles and stores it).
    pub fn new(name: &str, allocation: Allocation) -> Result<Self> {
        Self::at(name, &crate::paths::component(name), allocation)
    }

    /// [`Guest::new`] for the component file at `wasm` (another build of it, for A/B runs).
    pub fn at(name: &str, wasm: &std::path::Path, allocation: Allocation) -> Result<Self> {
        let limits = limits(allocation);
        Self::with_config(
            name,
            wasm,
            &limits,
            &qr_host::runtime::engine_config(&limits),
        )
    }

    /// [`Guest::new`] with qr-host's default pool on an engine without epoch interruption:
    /// the component compiled without the epoch checks qr-host's request deadline puts into
    /// every loop and function entry, to time what they cost. Never how qr-host serves.
    pub fn without_deadline_checks(name: &str) -> Result<Self> {
        let limits = limits(Allocation::qr_host_default());
        let mut config = qr_host::runtime::engine_config(&limits);
        config.epoch_interruption(false);
        Self::with_config(name, &crate::paths::component(name), &limits, &config)
    }

    fn with_config(
        name: &str,
        wasm: &std::path::Path,
        limits: &qr_host::Limits,
        config: &wasmtime::Config,
    ) -> Result<Self> {
        let components = BTreeMap::from([(name.to_owned(), wasm.to_owned())]);
        let metrics = qr_host::metrics::Metrics::new(&mut Registry::default());
        let (runtime, _) = Runtime::with_engine_config(
            &components,
            limits,
            config,
            Some(&artifact_cache()?),
            metrics,
        )?;
        Ok(Guest {
            runtime,
            id: name.to_owned(),
        })
    }

    /// A fresh store with every limit and the component instantiated into it: how long that
    /// took. The instance is released (back to the pool or unmapped) after the timing.
    pub async fn instantiate(&self) -> Result<Duration> {
        let start = Instant::now();
        let instance = self.runtime.instantiate(&self.id).await?;
        let elapsed = start.elapsed();
        drop(instance);
        Ok(elapsed)
    }

    /// One request through [`Guest::handle`]: how long it took.
    pub async fn time_call(&self, call: &Call) -> Result<Duration> {
        let start = Instant::now();
        self.handle(call).await?;
        Ok(start.elapsed())
    }

    /// One request through `Runtime::call`, the path qr-host serves every request by (see the
    /// module doc). Fails unless the guest answers 200.
    pub async fn handle(&self, call: &Call) -> Result<Bytes> {
        let (status, body) = self.respond(call).await?;
        anyhow::ensure!(status == 200, "guest answered {status}");
        Ok(body)
    }

    /// [`Guest::handle`] whatever the guest answers: its status and body (a problem+json
    /// body says why a request was refused). Fails only when the host does (a trap, the
    /// deadline, the memory cap).
    pub async fn respond(&self, call: &Call) -> Result<(http::StatusCode, Bytes)> {
        let request = http::Request::builder()
            .method(call.method)
            .uri(format!("http://localhost{}", call.path_and_query))
            .header("content-type", call.content_type)
            .body(call.body.clone())?;
        let response = self
            .runtime
            .call(&self.id, request)
            .await
            .map_err(|failure| anyhow!("{failure:?}"))?;
        Ok((response.status(), response.into_body()))
    }
}

/// A single-threaded tokio runtime for timing in-process calls without work stealing noise.
pub fn current_thread() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
