//! qr-host: serves a Spin app's HTTP components (spin.toml v2) on wasmtime, built for production.
//!
//! The expensive work happens once in [`load`]: read the manifest, build the engine and
//! instance pool from [`config::Limits`], compile or load precompiled components, and
//! pre-instantiate them. [`run`] then serves already-bound listeners until a shutdown future
//! resolves and drains in-flight requests. `main` is only flags, logging, binding and signals,
//! so tests can drive the same code with port-0 listeners.
//!
//! Layout: [`manifest`] and [`routes`] (Spin's route table), [`runtime`] and [`cache`] (wasm),
//! [`server`], [`conn`], [`admission`] and [`body`] (HTTP, connection bounds, backpressure,
//! body buffering), [`problem`]
//! (the host's own RFC 7807 answers), [`metrics`] (Prometheus), [`config`] (every limit).

pub mod admission;
pub mod body;
pub mod cache;
pub mod config;
pub mod conn;
pub mod manifest;
pub mod metrics;
pub mod problem;
pub mod routes;
pub mod runtime;
pub mod server;

use anyhow::Context as _;
use prometheus_client::registry::Registry;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;

pub use config::{Cli, Limits};
pub use runtime::ComponentLoad;
pub use server::Server;

/// A host that is ready to listen: everything loaded and checked.
#[derive(Debug)]
pub struct Loaded {
    pub server: Arc<Server>,
    /// How each component was loaded, in manifest id order.
    pub loads: Vec<ComponentLoad>,
    /// Manifest, engine and all components, start to finish.
    pub elapsed: Duration,
}

impl Loaded {
    /// `components=2 compiled=1 cached=1 load_ms=812`, the tail of the startup line.
    pub fn summary(&self) -> String {
        let cached = self
            .loads
            .iter()
            .filter(|l| l.source == cache::LoadSource::Cache)
            .count();
        format!(
            "components={} compiled={} cached={} load_ms={}",
            self.loads.len(),
            self.loads.len() - cached,
            cached,
            self.elapsed.as_millis()
        )
    }
}

/// Reads the manifest and prepares every component; nothing listens yet. A bad manifest, a
/// missing or invalid component, or an engine that cannot be built fails here.
pub fn load(cli: &Cli) -> anyhow::Result<Loaded> {
    let start = Instant::now();
    let app = manifest::load(&cli.manifest)?;
    for warning in &app.warnings {
        tracing::warn!("{warning}");
    }
    let mut registry = Registry::default();
    let metrics = metrics::Metrics::new(&mut registry);
    let cache_dir = cli.cache_dir();
    let (runtime, loads) = runtime::Runtime::new(
        &app.components,
        &cli.limits,
        cache_dir.as_deref(),
        metrics.clone(),
    )
    .context("preparing components")?;
    if !cli.limits.no_pooling {
        // Operators on kernels before 6.7 see here that pooled memories are reset the slower way.
        tracing::info!(
            slots = cli.limits.max_concurrency,
            pagemap_scan = cli.limits.uses_pagemap_scan(),
            keep_resident_bytes = cli.limits.memory_keep_resident(),
            "instance pool ready"
        );
    }
    for load in &loads {
        tracing::info!(
            component = %load.id,
            source = load.source.as_str(),
            ms = load.elapsed.as_millis() as u64,
            "component ready"
        );
    }
    let server = Server::new(runtime, app.router, cli.limits.clone(), metrics, registry);
    Ok(Loaded {
        server,
        loads,
        elapsed: start.elapsed(),
    })
}

/// Serves until `shutdown` resolves, then drains (see [`Server::run`]).
pub async fn run(
    server: Arc<Server>,
    app: TcpListener,
    admin: Option<TcpListener>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    server.run(app, admin, shutdown).await
}

/// Registers SIGTERM (orchestrators) and SIGINT (ctrl-c) handlers now, and returns a future
/// that resolves on the first of them. Registering eagerly matters: until a handler exists, a
/// SIGTERM sent right after the startup line would kill the process instead of draining it.
/// Must be called inside a tokio runtime.
#[cfg(unix)]
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM received"),
            _ = int.recv() => tracing::info!("SIGINT received"),
        }
    })
}
