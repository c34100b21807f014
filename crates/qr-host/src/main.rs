//! The `qr-host` binary: flags, logging, binding, signals. Everything else is in the library.

use anyhow::Context as _;
use clap::Parser as _;
use qr_host::Cli;
use qr_host::config::LOG_QUEUE_LINES;
use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use tokio::net::TcpListener;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Held until exit: dropping it flushes the log lines still queued.
    let _log_flush = init_tracing(cli.log_json);
    match serve(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("qr-host: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn serve(cli: Cli) -> anyhow::Result<()> {
    // Load before binding: a bad manifest or component never opens a port.
    let loaded = qr_host::load(&cli)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let app = TcpListener::bind(cli.listen)
            .await
            .with_context(|| format!("binding --listen {}", cli.listen))?;
        let admin = TcpListener::bind(cli.admin_listen)
            .await
            .with_context(|| format!("binding --admin-listen {}", cli.admin_listen))?;
        let shutdown = qr_host::shutdown_signal().context("installing signal handlers")?;
        // The one line tests and operators read: exact bound addresses (port 0 resolved) and
        // how long loading took. Printed on stdout, independent of the log format.
        println!(
            "qr-host listening on http://{} admin http://{} {}",
            app.local_addr()?,
            admin.local_addr()?,
            loaded.summary()
        );
        std::io::stdout().flush()?;
        qr_host::run(loaded.server, app, Some(admin), shutdown).await
    })
}

/// Logs go to stderr through a queue and a writer thread (tracing-appender's non-blocking
/// writer, lossy): a slow or stuck stderr (a full pipe, a stalled log shipper) drops lines
/// instead of blocking the runtime's worker threads, which would stall every request.
fn init_tracing(json: bool) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .lossy(true)
        .thread_name("qr-host-log")
        .finish(std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(writer);
    if json {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
    guard
}
