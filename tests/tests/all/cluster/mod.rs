//! The nginx cluster tests: qr-host processes behind the real nginx, driven by the harness's
//! `qr_tests::cluster` (hosts, nginx, bounded client load). `cargo test --release -p qr-tests
//! -- cluster::` runs them.

mod balance;
mod batch;
mod client_limits;
mod command;
mod failover;
mod overload;
mod rolling_restart;
