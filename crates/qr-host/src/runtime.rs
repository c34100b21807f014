//! The wasm side of qr-host: one engine, components compiled once, a fresh store per request.
//!
//! Everything expensive happens in [`Runtime::new`], before the host listens: engine and pool,
//! compiling (or loading precompiled) components, linking, pre-instantiation. Per request,
//! [`Runtime::run`] instantiates a `ProxyPre` into a new `Store` whose limits all come from
//! [`Limits`], and contains whatever the guest does (trap, endless loop, memory growth) to
//! that one store. [`Runtime::call`] is that same path with the body collected, the entry
//! host-bench times and in-process tests drive; [`Runtime::instantiate`] is its first step alone.

use anyhow::Context as _;
use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ResourceLimiter, Store,
    StoreLimits, StoreLimitsBuilder, Trap, UpdateDeadline,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::cache::{ArtifactCache, LoadSource};
use crate::config::{
    CORE_INSTANCES_PER_COMPONENT, EPOCH_TICK, Limits, MEMORIES_PER_COMPONENT, TABLES_PER_COMPONENT,
};
use crate::metrics::Metrics;

/// How one component was loaded at startup.
#[derive(Debug, Clone)]
pub struct ComponentLoad {
    pub id: String,
    pub source: LoadSource,
    pub elapsed: Duration,
}

/// The engine, the pre-instantiated components and the epoch ticker that enforces deadlines.
pub struct Runtime {
    engine: Engine,
    components: BTreeMap<String, ProxyPre<GuestState>>,
    limits: Limits,
    metrics: Metrics,
    /// Kept alive for as long as the runtime; stops the ticker when dropped.
    _epoch: EpochThread,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("components", &self.components.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Runtime {
    /// Builds the engine from `limits`, loads every component (from `cache` when it holds a
    /// compatible artifact) and pre-instantiates it. Fails on any component that does not
    /// compile or does not fit the `wasi:http/proxy` world, before anything listens.
    pub fn new(
        components: &BTreeMap<String, PathBuf>,
        limits: &Limits,
        cache: Option<&Path>,
        metrics: Metrics,
    ) -> anyhow::Result<(Self, Vec<ComponentLoad>)> {
        Self::with_engine_config(components, limits, &engine_config(limits), cache, metrics)
    }

    /// [`Runtime::new`] on an engine built from `config` rather than [`engine_config`]'s:
    /// for benchmarks that measure what one engine setting costs (host-bench times requests
    /// without the deadline's epoch checks this way). qr-host serves only with
    /// [`engine_config`]; without epoch interruption a busy guest ignores its deadline.
    pub fn with_engine_config(
        components: &BTreeMap<String, PathBuf>,
        limits: &Limits,
        config: &Config,
        cache: Option<&Path>,
        metrics: Metrics,
    ) -> anyhow::Result<(Self, Vec<ComponentLoad>)> {
        let engine = Engine::new(config)
            .map_err(anyhow::Error::from)
            .context("creating the wasm engine")?;
        let cache = cache.and_then(|dir| ArtifactCache::open(dir, &engine));
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(anyhow::Error::from)
            .context("linking WASI (p2) into the host")?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)
            .map_err(anyhow::Error::from)
            .context("linking wasi:http into the host")?;

        let mut pres = BTreeMap::new();
        let mut loads = Vec::with_capacity(components.len());
        for (id, path) in components {
            let start = Instant::now();
            let (component, source) = load_component(&engine, path, cache.as_ref())
                .with_context(|| format!("loading component {id:?} from {}", path.display()))?;
            let pre = linker
                .instantiate_pre(&component)
                .and_then(ProxyPre::new)
                .map_err(anyhow::Error::from)
                .with_context(|| {
                    format!("component {id:?} is not a wasi:http/proxy component qr-host can run")
                })?;
            let load = ComponentLoad {
                id: id.clone(),
                source,
                elapsed: start.elapsed(),
            };
            metrics.record_load(&load);
            pres.insert(id.clone(), pre);
            loads.push(load);
        }
        let epoch = EpochThread::spawn(engine.clone()).context("starting the epoch thread")?;
        let runtime = Self {
            engine,
            components: pres,
            limits: limits.clone(),
            metrics,
            _epoch: epoch,
        };
        Ok((runtime, loads))
    }

    /// Runs `req` on component `id` and resolves to the response head as soon as the guest
    /// sets it; the body then streams while the guest keeps running in its own task. `slot` is
    /// the caller's concurrency permit: it lives in that task, so a slot is free only when the
    /// instance is gone.
    pub async fn run<B>(
        &self,
        id: &str,
        req: hyper::Request<B>,
        body_guard: Arc<BodyGuardState>,
        slot: impl Send + 'static,
    ) -> Result<hyper::Response<HyperOutgoingBody>, Failure>
    where
        B: hyper::body::Body<Data = bytes::Bytes, Error = wasmtime_wasi_http::Error>
            + Send
            + 'static,
    {
        let Some(pre) = self.components.get(id).cloned() else {
            return Err(Failure::Internal(format!("no component {id:?}")));
        };
        let deadline = Instant::now() + self.limits.request_timeout;
        let mut store = self.new_store(deadline);
        let (tx, rx) = oneshot::channel();
        let (req, out) = {
            let mut http = store.data_mut().http();
            let req = http.new_incoming_request(Scheme::Http, req);
            let out = http.new_response_outparam(tx);
            match (req, out) {
                (Ok(req), Ok(out)) => (req, out),
                (Err(e), _) | (_, Err(e)) => return Err(Failure::Internal(e.to_string())),
            }
        };

        let metrics = self.metrics.clone();
        let component = id.to_owned();
        let task = tokio::spawn(async move {
            let run = async {
                let start = Instant::now();
                let proxy = pre.instantiate_async(&mut store).await?;
                metrics
                    .instantiation
                    .get_or_create(&crate::metrics::ComponentLabels {
                        component: component.clone(),
                    })
                    .observe(start.elapsed().as_secs_f64());
                proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut store, req, out)
                    .await
            };
            // The epoch callback stops wasm that computes past the deadline; this timeout stops
            // a guest that waits past it inside a host call (reading a slow body, sleeping).
            let result = tokio::time::timeout_at(deadline.into(), run).await;
            let failure = classify(result, store.data(), &component, &metrics);
            metrics
                .guest_memory
                .get_or_create(&crate::metrics::ComponentLabels {
                    component: component.clone(),
                })
                .observe(store.data().limits.peak_memory as f64);
            // The instance goes back to the pool before the slot is released.
            drop(store);
            drop(slot);
            failure
        });

        match rx.await {
            Ok(Ok(response)) => {
                if let Some(problem) = body_guard.tripped() {
                    return Err(Failure::Body(problem));
                }
                Ok(response)
            }
            Ok(Err(code)) => Err(body_guard
                .tripped()
                .map(Failure::Body)
                .unwrap_or_else(|| Failure::GuestError(format!("guest reported {code:?}")))),
            // The guest finished or failed without setting a response: its task says why.
            Err(_) => {
                let failure = match task.await {
                    Ok(Some(failure)) => failure,
                    Ok(None) => Failure::GuestError("guest returned without a response".into()),
                    Err(join) => Failure::Internal(join.to_string()),
                };
                Err(match (failure, body_guard.tripped()) {
                    // A guest that fails after its body read failed failed because of the body.
                    (Failure::Trap(_) | Failure::GuestError(_), Some(problem)) => {
                        Failure::Body(problem)
                    }
                    (failure, _) => failure,
                })
            }
        }
    }

    /// One whole request as qr-host serves it, minus the HTTP server around it (connection,
    /// admission, routing, access log): [`Runtime::run`] with a fresh store and every limit
    /// ([`Limits`]' memory cap, the epoch deadline, outbound HTTP refused), instantiation,
    /// the `wasi:http` handler, the response body read to its end, and the instance released
    /// (back to the pool, its memory reset, or unmapped) before this returns. host-bench times
    /// exactly this; in-process tests call it.
    pub async fn call(
        &self,
        id: &str,
        req: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, Failure> {
        let req = req.map(|body| Full::new(body).map_err(|never| match never {}));
        // Dropped by `run`'s task after the store: resolving it means the instance is gone.
        let (released_tx, released) = oneshot::channel::<()>();
        let response = self.run(id, req, Arc::default(), released_tx).await?;
        let (head, body) = response.into_parts();
        let body = body.collect().await;
        let _ = released.await;
        let body = body
            .map_err(|e| Failure::GuestError(format!("response body: {e:?}")))?
            .to_bytes();
        Ok(http::Response::from_parts(head, body))
    }

    /// The first step of every request alone: a fresh store with every limit, component `id`
    /// instantiated into it. Dropping the returned [`Instance`] releases it as the end of a
    /// request does; host-bench times the two apart.
    pub async fn instantiate(&self, id: &str) -> anyhow::Result<Instance> {
        let pre = self
            .components
            .get(id)
            .with_context(|| format!("no component {id:?}"))?;
        let mut store = self.new_store(Instant::now() + self.limits.request_timeout);
        pre.instantiate_async(&mut store)
            .await
            .map_err(anyhow::Error::from)?;
        Ok(Instance(store))
    }

    /// Every store is built here, so every per-request limit is applied in one place.
    fn new_store(&self, deadline: Instant) -> Store<GuestState> {
        let limits = &self.limits;
        let state = GuestState {
            table: ResourceTable::new(),
            // Guests get no env, args, files or sockets; their stdout/stderr become host logs.
            wasi: WasiCtx::builder().inherit_stdout().inherit_stderr().build(),
            http: WasiHttpCtx::new(),
            hooks: DenyOutbound,
            limits: GuestLimits::new(limits.max_memory_bytes),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|state| &mut state.limits);
        // Yield to tokio at every epoch tick so a busy guest never blocks a worker thread,
        // and trap once the wall-clock deadline has passed.
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if Instant::now() >= deadline {
                Err(Trap::Interrupt.into())
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        store
    }
}

/// A component instance in its own store, from [`Runtime::instantiate`]; dropping it releases
/// the instance (back to the pool or unmapped).
pub struct Instance(#[allow(dead_code)] Store<GuestState>);

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Instance").finish_non_exhaustive()
    }
}

/// The engine configuration, derived from `limits` only (host-bench builds its engines with
/// this too).
pub fn engine_config(limits: &Limits) -> Config {
    let mut config = Config::new();
    config.epoch_interruption(true);
    // wasi:http@0.2 guests never use the component-model async ABI; without it each store
    // skips the concurrent-task bookkeeping on every call and its fiber disposal on drop.
    config.concurrency_support(false);
    // Instantiation maps the memory image copy-on-write instead of copying data segments.
    config.memory_init_cow(true);
    if !limits.no_pooling {
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pooling_config(limits)));
    }
    config
}

/// Sizes the pool from the concurrency limit: a request holds exactly one component
/// instance while it holds a concurrency slot, so the pool never runs dry.
pub fn pooling_config(limits: &Limits) -> PoolingAllocationConfig {
    let slots = u32::try_from(limits.max_concurrency).unwrap_or(u32::MAX);
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(slots)
        .total_core_instances(slots.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
        .max_core_instances_per_component(CORE_INSTANCES_PER_COMPONENT)
        .total_memories(slots.saturating_mul(MEMORIES_PER_COMPONENT))
        .max_memories_per_component(MEMORIES_PER_COMPONENT)
        .total_tables(slots.saturating_mul(TABLES_PER_COMPONENT))
        .max_tables_per_component(TABLES_PER_COMPONENT)
        .total_stacks(slots)
        .max_memory_size(limits.max_memory_bytes)
        .linear_memory_keep_resident(limits.memory_keep_resident())
        .pagemap_scan(limits.pool_pagemap_scan.into())
        .table_keep_resident(limits.pool_table_keep_resident);
    pool
}

fn load_component(
    engine: &Engine,
    path: &Path,
    cache: Option<&ArtifactCache>,
) -> anyhow::Result<(Component, LoadSource)> {
    let wasm = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if let Some(cache) = cache
        && let Some(component) = cache.load(&wasm)
    {
        return Ok((component, LoadSource::Cache));
    }
    let component = Component::new(engine, &wasm)?;
    if let Some(cache) = cache {
        cache.store(&wasm, &component);
    }
    Ok((component, LoadSource::Compiled))
}

/// Why a request did not get the guest's response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The request deadline passed.
    Timeout,
    /// The guest was refused memory growth and then failed.
    MemoryLimit,
    /// The guest trapped; the string is for logs only.
    Trap(String),
    /// The guest returned an error or no response; for logs only.
    GuestError(String),
    /// The request body broke a limit (too large, too slow).
    Body(crate::problem::HostProblem),
    /// The host could not run the guest at all; for logs only.
    Internal(String),
}

/// Turns the end of a guest task into a failure (or `None`), counting traps and timeouts.
fn classify(
    result: Result<wasmtime::Result<()>, tokio::time::error::Elapsed>,
    state: &GuestState,
    component: &str,
    metrics: &Metrics,
) -> Option<Failure> {
    let failure = match result {
        Ok(Ok(())) => return None,
        Err(_elapsed) => Failure::Timeout,
        Ok(Err(error)) => match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => Failure::Timeout,
            _ if state.limits.memory_refused => Failure::MemoryLimit,
            Some(trap) => Failure::Trap(format!("{trap}: {error:?}")),
            None => Failure::GuestError(format!("{error:?}")),
        },
    };
    let counter = match &failure {
        Failure::Timeout => &metrics.timeouts,
        Failure::MemoryLimit => &metrics.memory_limit_hits,
        Failure::Trap(_) => &metrics.traps,
        _ => return Some(failure),
    };
    Metrics::for_component(counter, component).inc();
    Some(failure)
}

/// What one request's store holds.
struct GuestState {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    hooks: DenyOutbound,
    limits: GuestLimits,
}

impl WasiView for GuestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for GuestState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// Outbound HTTP is refused: the app's manifest grants `allowed_outbound_hosts = []`, and Spin
/// enforces that list, so qr-host must not be more permissive than Spin.
struct DenyOutbound;

impl WasiHttpHooks for DenyOutbound {
    fn send_request(
        &mut self,
        _request: http::Request<wasmtime_wasi_http::WasiBody>,
        _options: Option<wasmtime_wasi_http::RequestOptions>,
        _fut: Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
    ) -> Box<
        dyn Future<
                Output = Result<
                    (
                        http::Response<wasmtime_wasi_http::WasiBody>,
                        Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>,
                    ),
                    wasmtime_wasi_http::Error,
                >,
            > + Send,
    > {
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

/// wasmtime's `StoreLimits` (the memory cap) plus a record of what the guest asked for, so a
/// failed request can be blamed on the cap and the peak can be exported.
struct GuestLimits {
    inner: StoreLimits,
    memory_refused: bool,
    peak_memory: usize,
}

impl GuestLimits {
    fn new(max_memory_bytes: usize) -> Self {
        Self {
            inner: StoreLimitsBuilder::new()
                .memory_size(max_memory_bytes)
                .build(),
            memory_refused: false,
            peak_memory: 0,
        }
    }
}

impl ResourceLimiter for GuestLimits {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if allowed {
            self.peak_memory = self.peak_memory.max(desired);
        } else {
            self.memory_refused = true;
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }
}

/// Shared between a request body and the request handler: which body limit tripped, if any.
#[derive(Debug, Default)]
pub struct BodyGuardState {
    too_large: AtomicBool,
    too_slow: AtomicBool,
}

impl BodyGuardState {
    pub fn trip_too_large(&self) {
        self.too_large.store(true, Ordering::Relaxed);
    }

    pub fn trip_too_slow(&self) {
        self.too_slow.store(true, Ordering::Relaxed);
    }

    /// The problem to answer with, when a body limit tripped.
    pub fn tripped(&self) -> Option<crate::problem::HostProblem> {
        use crate::problem::HostProblem;
        if self.too_large.load(Ordering::Relaxed) {
            Some(HostProblem::BodyTooLarge)
        } else if self.too_slow.load(Ordering::Relaxed) {
            Some(HostProblem::BodyReadTimeout)
        } else {
            None
        }
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct EpochThread {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl EpochThread {
    fn spawn(engine: Engine) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let handle = std::thread::Builder::new()
            .name("qr-host-epoch".into())
            .spawn({
                let stop = stop.clone();
                move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                }
            })?;
        Ok(Self {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for EpochThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
