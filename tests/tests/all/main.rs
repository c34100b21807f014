//! Every end-to-end test of QR Workshop in one test binary (as wasmtime's `tests/all`): one
//! module per area, so the suite links wasmtime, qr-host and the readers once instead of once
//! per file. Filter by module path: `cargo test --release -p qr-tests -- host_routing::`,
//! `-- cluster::`, `-- api_generate::styles`.
//!
//! The harness (processes, hosts, nginx, metrics) is the `qr_tests` library in `tests/src`;
//! [`readback`] holds what several modules use to read generated output back.

// A failed unwrap in a test is a failed test with its message.
#![allow(clippy::unwrap_used)]

mod api_decode;
mod api_generate;
mod cluster;
mod deploy_manifests;
mod host_backpressure;
mod host_cache;
mod host_cli;
mod host_drain;
mod host_guest_faults;
mod host_hostile;
mod host_http_limits;
mod host_manifest;
mod host_metrics;
mod host_routing;
mod hostile_load;
mod openapi_contract;
mod readback;
mod ui_browser;
mod wasmtime_serve;
