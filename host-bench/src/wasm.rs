//! The wasmtime embedding the benchmarks time: qr-host's engine settings and per-request flow
//! (a fresh `Store`, `ProxyPre` instantiated into it, `wasi:http/incoming-handler` called),
//! without the server around it, so what is measured is the wasm side alone.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow};
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use serde::Serialize;
use tokio::sync::oneshot;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// How instances get their memory: the lever the host-overhead section sweeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
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

/// qr-host's own engine configuration (`qr_host::runtime::engine_config`), with the
/// allocation levers this bench sweeps overridden, so the bench measures what qr-host runs.
pub fn engine(allocation: Allocation) -> Result<Engine> {
    let limits = match allocation {
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
    };
    Engine::new(&qr_host::runtime::engine_config(&limits)).map_err(anyhow::Error::from)
}

/// Compiles a component with Cranelift (what a cold cache costs).
pub fn compile(engine: &Engine, wasm: &[u8]) -> Result<Component> {
    Component::new(engine, wasm).map_err(anyhow::Error::from)
}

/// Loads a precompiled artifact the way qr-host's cache does (mmap of the `.cwasm`).
pub fn deserialize(engine: &Engine, cwasm: &Path) -> Result<Component> {
    // SAFETY: the file was written by `Component::serialize` for an engine with the same
    // settings in this process, which is what `deserialize_file` requires.
    unsafe { Component::deserialize_file(engine, cwasm) }.map_err(anyhow::Error::from)
}

/// A component ready to serve: linked against WASI p2 and wasi:http, pre-instantiated.
#[derive(Clone)]
pub struct Guest {
    engine: Engine,
    pre: ProxyPre<State>,
}

impl std::fmt::Debug for Guest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guest").finish_non_exhaustive()
    }
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
    /// Links `component` as qr-host does and checks it is a `wasi:http/proxy` component.
    pub fn new(engine: &Engine, component: &Component) -> Result<Self> {
        let mut linker = Linker::new(engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker).map_err(anyhow::Error::from)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
            .map_err(anyhow::Error::from)?;
        let pre = linker
            .instantiate_pre(component)
            .and_then(ProxyPre::new)
            .map_err(anyhow::Error::from)
            .context("not a wasi:http/proxy component")?;
        Ok(Guest {
            engine: engine.clone(),
            pre,
        })
    }

    /// A fresh store, as qr-host builds one per request (no deadline: nothing ticks the epoch).
    fn store(&self) -> Store<State> {
        let state = State {
            table: ResourceTable::new(),
            wasi: WasiCtx::builder().build(),
            http: WasiHttpCtx::new(),
        };
        let mut store = Store::new(&self.engine, state);
        store.set_epoch_deadline(u64::MAX);
        store
    }

    /// Instantiates into a fresh store and drops it: instantiation alone, returned to the
    /// pool (or unmapped) on drop. Returns how long store creation plus instantiation took.
    pub async fn instantiate(&self) -> Result<Duration> {
        let start = Instant::now();
        let mut store = self.store();
        self.pre
            .instantiate_async(&mut store)
            .await
            .map_err(anyhow::Error::from)?;
        let elapsed = start.elapsed();
        // Dropping the store releases the instance (back to the pool), outside the timing.
        drop(store);
        Ok(elapsed)
    }

    /// One request the way qr-host serves it: fresh store, instantiate, call the handler,
    /// read the whole response body. Fails unless the guest answers 200.
    pub async fn handle(&self, call: &Call) -> Result<Bytes> {
        let mut store = self.store();
        let request = http::Request::builder()
            .method(call.method)
            .uri(format!("http://localhost{}", call.path_and_query))
            .header("content-type", call.content_type)
            .body(
                Full::new(call.body.clone())
                    .map_err(|never| -> wasmtime_wasi_http::Error { match never {} }),
            )?;
        let (tx, rx) = oneshot::channel();
        let (req, out) = {
            let mut http = store.data_mut().http();
            let req = http
                .new_incoming_request(Scheme::Http, request)
                .map_err(anyhow::Error::from)?;
            let out = http
                .new_response_outparam(tx)
                .map_err(anyhow::Error::from)?;
            (req, out)
        };
        let pre = &self.pre;
        let guest = async move {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy
                .wasi_http_incoming_handler()
                .call_handle(&mut store, req, out)
                .await
        };
        let response = async {
            let response = rx
                .await?
                .map_err(|code| anyhow!("guest error code {code:?}"))?;
            let status = response.status();
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| anyhow!("body: {e:?}"))?;
            anyhow::ensure!(status == 200, "guest answered {status}");
            anyhow::Ok(body.to_bytes())
        };
        let (ran, body) = tokio::join!(guest, response);
        ran.map_err(anyhow::Error::from)?;
        body
    }
}

/// What one benchmark store holds: WASI with nothing granted, wasi:http with default hooks.
struct State {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: Default::default(),
        }
    }
}

/// A single-threaded tokio runtime for timing in-process calls without work stealing noise.
pub fn current_thread() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
