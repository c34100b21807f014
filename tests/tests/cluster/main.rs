//! The nginx cluster tests: qr-host processes behind the real nginx, driven by the harness's
//! `qr_tests::cluster` (hosts, nginx, bounded client load). One test binary for all of them,
//! so the suite links one executable instead of six.

mod balance;
mod client_limits;
mod command;
mod failover;
mod overload;
mod rolling_restart;
