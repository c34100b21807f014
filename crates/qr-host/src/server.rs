//! The HTTP side of qr-host: accept, admit, route, run, answer, drain.
//!
//! [`Server::run`] takes already-bound listeners and a shutdown future, so `main` stays thin and
//! tests can pass port-0 listeners. Connections are bounded in number (`--max-connections`,
//! `--max-connections-per-peer`) and in time on every phase: head (`--header-read-timeout`,
//! also the keep-alive idle time), body (`--body-read-timeout`, `--body-min-rate`), response
//! write (`--write-timeout`) and whole life (`--max-connection-lifetime`). Bodies are read into
//! memory (under a host-wide byte budget) before a request may take one of the
//! `--max-concurrency` wasm slots, so slow clients never hold a slot. Nothing is spawned
//! without a permit. On shutdown the app listener closes at once, readiness turns 503, and
//! in-flight requests finish (up to `--drain-timeout`) before `run` returns.

use bytes::Bytes;
use http::{HeaderValue, Method, Request, Response, StatusCode, header};
use http_body_util::{BodyExt, Full, combinators::UnsyncBoxBody};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::registry::Registry;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::admission::{Admission, Rejected};
use crate::body::{BodyBudget, BodyError};
use crate::config::{ACCEPT_BACKOFF, ADMIN_LIFETIME, ADMIN_MAX_CONNECTIONS, ADMIN_TIMEOUT, Limits};
use crate::conn::{PeerConnections, TimedIo};
use crate::metrics::Metrics;
use crate::problem::HostProblem;
use crate::routes::Router;
use crate::runtime::{BodyGuardState, Failure, Runtime};

/// Spin's host health endpoint, answered before routing (liveness: 200 while serving).
pub const SPIN_HEALTH_PATH: &str = "/.well-known/spin/health";

/// Response bodies: the guest's streamed body or a host-made one.
pub type HostBody = UnsyncBoxBody<Bytes, wasmtime_wasi_http::Error>;

/// Request headers Spin sets for components; any client-sent copies are dropped first, so a
/// client cannot spoof, for example, `spin-client-addr`.
const SPIN_HEADERS: [&str; 7] = [
    "spin-full-url",
    "spin-path-info",
    "spin-matched-route",
    "spin-component-route",
    "spin-raw-component-route",
    "spin-base-path",
    "spin-client-addr",
];

/// Everything a request needs, shared by all connections.
#[derive(Debug)]
pub struct Server {
    runtime: Runtime,
    router: Router<String>,
    limits: Limits,
    admission: Admission,
    metrics: Metrics,
    registry: Registry,
    /// App connection permits (`--max-connections`); the open count is a metric gauge, and
    /// readiness is false while it is at the cap.
    connections: Arc<Semaphore>,
    peers: Arc<PeerConnections>,
    bodies: BodyBudget,
    /// Turns true when the drain starts; every connection watches it.
    shutdown: tokio::sync::watch::Sender<bool>,
    draining: AtomicBool,
    next_request_id: AtomicU64,
}

impl Server {
    pub fn new(
        runtime: Runtime,
        router: Router<String>,
        limits: Limits,
        metrics: Metrics,
        registry: Registry,
    ) -> Arc<Self> {
        Arc::new(Self {
            runtime,
            router,
            admission: Admission::new(&limits, metrics.clone()),
            connections: Arc::new(Semaphore::new(limits.max_connections)),
            peers: Arc::default(),
            bodies: BodyBudget::new(&limits),
            shutdown: tokio::sync::watch::Sender::new(false),
            limits,
            metrics,
            registry,
            draining: AtomicBool::new(false),
            next_request_id: AtomicU64::new(1),
        })
    }

    /// Serves `app` (and `admin`, if given) until `shutdown` resolves, then drains.
    pub async fn run(
        self: Arc<Self>,
        app: TcpListener,
        admin: Option<TcpListener>,
        shutdown: impl Future<Output = ()>,
    ) -> anyhow::Result<()> {
        let connections = self.connections.clone();
        let admin_task = admin.map(|admin| tokio::spawn(self.clone().serve_admin(admin)));

        tokio::pin!(shutdown);
        loop {
            let permit = tokio::select! {
                () = &mut shutdown => break,
                permit = connections.clone().acquire_owned() => permit?,
            };
            let (stream, peer) = tokio::select! {
                () = &mut shutdown => break,
                accepted = app.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Typically EMFILE: back off instead of spinning, keep serving.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(ACCEPT_BACKOFF).await;
                        continue;
                    }
                },
            };
            let Some(place) = self
                .peers
                .enter(peer.ip(), self.limits.max_connections_per_peer)
            else {
                // Closing at once costs the least; the peer already holds its share.
                self.metrics.reject("peer-connections");
                continue;
            };
            let _ = stream.set_nodelay(true);
            self.clone().spawn_connection(stream, peer, (permit, place));
        }

        drop(app);
        self.draining.store(true, Ordering::SeqCst);
        self.metrics.draining.set(1);
        let in_flight = self.metrics.in_flight.get();
        tracing::info!(
            in_flight,
            "draining: stopped accepting, finishing in-flight requests"
        );
        self.shutdown.send_replace(true);
        let drained = tokio::time::timeout(self.limits.drain_timeout, async {
            // Every connection gives its permit back when it has closed.
            let all = u32::try_from(self.limits.max_connections).unwrap_or(u32::MAX);
            drop(connections.acquire_many(all).await);
            // Streamed bodies can outlive their connection's last read: wait for every slot.
            self.admission.wait_idle().await;
        })
        .await;
        match drained {
            Ok(()) => tracing::info!("drained: all requests finished"),
            Err(_) => tracing::warn!(
                in_flight = self.metrics.in_flight.get(),
                "drain timeout passed; exiting with requests still running"
            ),
        }
        if let Some(task) = admin_task {
            task.abort();
        }
        Ok(())
    }

    /// Serves one connection in its own task, which holds `permits` until the socket closes.
    /// The connection ends gracefully (after its current request) on drain or after
    /// `--max-connection-lifetime` (its next response says `Connection: close`), whichever
    /// comes first.
    fn spawn_connection(
        self: Arc<Self>,
        stream: tokio::net::TcpStream,
        peer: SocketAddr,
        permits: impl Send + 'static,
    ) {
        let local = stream.local_addr().ok();
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .keep_alive(true)
            .header_read_timeout(self.limits.header_read_timeout)
            .max_buf_size(self.limits.max_header_bytes as usize);
        // Past its lifetime a connection says `Connection: close` on its next response, so the
        // client knows not to reuse it. Closing it between requests instead would race with a
        // keep-alive client that is sending its next request at that moment (a POST lost that
        // way cannot be retried safely); nginx's `keepalive_time` does the same.
        let expired = Arc::new(AtomicBool::new(false));
        let server = self.clone();
        let service = service_fn({
            let expired = expired.clone();
            move |req| {
                let (server, expired) = (server.clone(), expired.clone());
                async move {
                    let mut response = server.handle(req, peer, local).await;
                    if expired.load(Ordering::Relaxed) {
                        response
                            .headers_mut()
                            .insert(header::CONNECTION, HeaderValue::from_static("close"));
                    }
                    Ok::<_, std::convert::Infallible>(response)
                }
            }
        });
        let server = self.clone();
        let io = TokioIo::new(TimedIo::new(stream, self.limits.write_timeout));
        let lifetime = self.limits.max_connection_lifetime;
        // A client that sends nothing more after the lifetime is closed once it has been
        // silent as long as any idle client may be (the head timeout is the idle timeout).
        let grace = self.limits.header_read_timeout;
        let mut shutdown = self.shutdown.subscribe();
        self.metrics.connections.inc();
        tokio::spawn(async move {
            let connection = builder.serve_connection(io, service);
            tokio::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                () = async {
                    tokio::time::sleep(lifetime).await;
                    expired.store(true, Ordering::Relaxed);
                    tokio::time::sleep(grace).await;
                } => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
                () = async { drop(shutdown.wait_for(|draining| *draining).await) } => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = ended {
                if let Some(reason) = timed_out(&error) {
                    server.metrics.reject(reason);
                }
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            server.metrics.connections.dec();
            drop(permits);
        });
    }

    /// One request, start to response head, with its access log line and metrics.
    async fn handle(
        &self,
        mut req: Request<Incoming>,
        peer: SocketAddr,
        local: Option<SocketAddr>,
    ) -> Response<HostBody> {
        let start = Instant::now();
        let id = self.next_request_id.fetch_add(1, Ordering::Relaxed);
        let method = req.method().clone();
        let path = req.uri().path().to_owned();

        // Any method goes to the component, as under Spin: the component knows which methods
        // its routes answer (the app's answer 405 problem+json with `Allow`). A client-chosen
        // method never becomes a label or log value (`method_label` maps it to `other`).
        let label = crate::metrics::method_label(&method);
        let (route, component, response) = if path == SPIN_HEALTH_PATH {
            ("spin-health".to_owned(), None, self.health(&method))
        } else if let Some(matched) = self.router.route(&path) {
            let route = matched.route.to_string();
            let component = matched.target.clone();
            set_spin_headers(&mut req, &route, matched.path_info, peer, local);
            let response = self.run_component(&component, req).await;
            (route, Some(component), response)
        } else {
            let response = self.problem(
                HostProblem::NoRoute,
                format!("no route in the manifest matches {path}"),
            );
            ("none".to_owned(), None, response)
        };

        let status = response.status();
        let elapsed = start.elapsed();
        self.metrics
            .answered(&route, &method, status.as_u16(), elapsed);
        tracing::info!(
            target: "qr_host::access",
            id,
            method = label,
            path = %path,
            route = %route,
            component = component.as_deref().unwrap_or("-"),
            status = status.as_u16(),
            micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            %peer,
        );
        response
    }

    fn health(&self, method: &Method) -> Response<HostBody> {
        if method != Method::GET && method != Method::HEAD {
            let mut response = self.problem(
                HostProblem::MethodNotAllowed,
                "the health endpoint answers GET and HEAD",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
            response
        } else if self.draining.load(Ordering::SeqCst) {
            self.problem(HostProblem::Draining, "the host is shutting down")
        } else {
            text_response(StatusCode::OK, "OK")
        }
    }

    /// Admission, body limits, then the component.
    async fn run_component(&self, component: &str, req: Request<Incoming>) -> Response<HostBody> {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > self.limits.max_body_bytes) {
            return self.problem(HostProblem::BodyTooLarge, self.body_limit_detail());
        }

        let (parts, body) = req.into_parts();
        let buffered = match crate::body::buffer(body, declared, &self.limits, &self.bodies).await {
            Ok(buffered) => buffered,
            Err(error) => return self.body_error_response(error),
        };

        let slot = match self.admission.enter().await {
            Ok(slot) => slot,
            Err(rejected) => {
                let reason = match rejected {
                    Rejected::QueueFull => "all slots busy and the wait queue is full",
                    Rejected::QueueTimeout => "no slot became free within the queue timeout",
                    Rejected::OverCapacity => {
                        "the requests ahead would take longer than the queue-wait budget"
                    }
                };
                self.metrics.reject(rejected.as_str());
                return HostProblem::Overloaded
                    .unavailable(reason, self.limits.retry_after_secs)
                    .map(full_body);
            }
        };

        let req = with_host_header(Request::from_parts(parts, full_body(buffered.bytes)));
        // The body's share of the byte budget lives as long as the instance, like the slot.
        let held = (slot, buffered.budget);
        let guard = Arc::new(BodyGuardState::default());
        match self.runtime.run(component, req, guard, held).await {
            Ok(response) => response,
            Err(failure) => self.failure_response(component, failure),
        }
    }

    fn failure_response(&self, component: &str, failure: Failure) -> Response<HostBody> {
        let timeout = humantime::format_duration(self.limits.request_timeout);
        let (problem, detail) = match failure {
            Failure::Timeout => (
                HostProblem::RequestTimeout,
                format!("component {component} did not finish within {timeout}"),
            ),
            Failure::MemoryLimit => (
                HostProblem::MemoryLimit,
                format!(
                    "component {component} needed more than {} bytes of memory",
                    self.limits.max_memory_bytes
                ),
            ),
            Failure::Body(problem) => (problem, self.body_problem_detail(problem)),
            Failure::Trap(log) => {
                tracing::error!(component, error = %log, "component trapped");
                (
                    HostProblem::GuestTrap,
                    format!("component {component} failed; the host logged the cause"),
                )
            }
            Failure::GuestError(log) | Failure::Internal(log) => {
                tracing::error!(component, error = %log, "component gave no response");
                (
                    HostProblem::GuestError,
                    format!("component {component} returned no response"),
                )
            }
        };
        self.problem(problem, detail)
    }

    fn body_error_response(&self, error: BodyError) -> Response<HostBody> {
        match error {
            BodyError::TooLarge => {
                self.problem(HostProblem::BodyTooLarge, self.body_limit_detail())
            }
            BodyError::TooSlow | BodyError::Aborted => self.problem(
                HostProblem::BodyReadTimeout,
                self.body_problem_detail(HostProblem::BodyReadTimeout),
            ),
            BodyError::BudgetFull => {
                self.metrics.reject("body-budget");
                HostProblem::Overloaded
                    .unavailable(
                        "the host holds as many request bodies in memory as it may",
                        self.limits.retry_after_secs,
                    )
                    .map(full_body)
            }
        }
    }

    fn body_limit_detail(&self) -> String {
        format!(
            "request bodies are limited to {} bytes",
            self.limits.max_body_bytes
        )
    }

    fn body_problem_detail(&self, problem: HostProblem) -> String {
        if problem == HostProblem::BodyTooLarge {
            self.body_limit_detail()
        } else {
            format!(
                "the body paused for more than {} or arrived slower than {} bytes/s on average",
                humantime::format_duration(self.limits.body_read_timeout),
                self.limits.body_min_rate
            )
        }
    }

    /// A host problem response, counted as a rejection by its slug.
    fn problem(&self, problem: HostProblem, detail: impl Into<String>) -> Response<HostBody> {
        self.metrics.reject(problem.slug());
        problem.response(detail).map(full_body)
    }

    /// The admin listener: metrics and probes, never app traffic.
    async fn serve_admin(self: Arc<Self>, admin: TcpListener) {
        let permits = Arc::new(Semaphore::new(ADMIN_MAX_CONNECTIONS));
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let stream = match admin.accept().await {
                Ok((stream, _)) => stream,
                Err(error) => {
                    tracing::warn!(%error, "admin accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let server = self.clone();
            let service = service_fn(move |req: Request<Incoming>| {
                let server = server.clone();
                async move { Ok::<_, std::convert::Infallible>(server.admin(&req)) }
            });
            tokio::spawn(async move {
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(ADMIN_TIMEOUT)
                    .serve_connection(TokioIo::new(TimedIo::new(stream, ADMIN_TIMEOUT)), service);
                // A scrape or probe is one quick request or a few; nothing keeps the connection.
                let _ = tokio::time::timeout(ADMIN_LIFETIME, connection).await;
                drop(permit);
            });
        }
    }

    fn admin(&self, req: &Request<Incoming>) -> Response<HostBody> {
        if req.method() != Method::GET {
            return text_response(StatusCode::METHOD_NOT_ALLOWED, "GET only");
        }
        match req.uri().path() {
            "/metrics" => {
                self.metrics
                    .body_buffer_bytes
                    .set((self.limits.max_buffered_body_bytes - self.bodies.available()) as i64);
                let mut response =
                    text_response(StatusCode::OK, crate::metrics::render(&self.registry));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    ),
                );
                response
            }
            "/livez" => text_response(StatusCode::OK, "OK"),
            "/readyz" if self.draining.load(Ordering::SeqCst) => {
                text_response(StatusCode::SERVICE_UNAVAILABLE, "draining")
            }
            "/readyz" if self.metrics.connections.get() >= self.limits.max_connections as i64 => {
                text_response(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "saturated: every app connection is taken",
                )
            }
            "/readyz" => text_response(StatusCode::OK, "ready"),
            _ => text_response(
                StatusCode::NOT_FOUND,
                "admin paths: /metrics /livez /readyz",
            ),
        }
    }
}

/// The `reason` label for a connection cut because the client stopped reading
/// (`write-timeout`, from [`TimedIo`]). hyper's head timer is not counted: it also closes
/// ordinary idle keep-alive connections, which are no rejection.
fn timed_out(error: &hyper::Error) -> Option<&'static str> {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return Some("write-timeout");
        }
        source = cause.source();
    }
    None
}

fn full_body(bytes: Bytes) -> HostBody {
    Full::new(bytes)
        .map_err(|never| match never {})
        .boxed_unsync()
}

fn text_response(status: StatusCode, text: impl Into<String>) -> Response<HostBody> {
    let mut response = Response::new(full_body(Bytes::from(text.into())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// wasi:http needs an authority; HTTP/1.0 clients may send no `Host`.
fn with_host_header<B>(mut req: Request<B>) -> Request<B> {
    if !req.headers().contains_key(header::HOST) {
        req.headers_mut()
            .insert(header::HOST, HeaderValue::from_static("localhost"));
    }
    req
}

/// The headers Spin gives a component about the match (see Spin's trigger-http `headers.rs`).
fn set_spin_headers<B>(
    req: &mut Request<B>,
    route: &str,
    path_info: &str,
    peer: SocketAddr,
    local: Option<SocketAddr>,
) {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| local.map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_owned());
    let full_url = format!(
        "http://{host}{}",
        req.uri().path_and_query().map_or("/", |pq| pq.as_str())
    );
    let headers = req.headers_mut();
    for name in SPIN_HEADERS {
        headers.remove(name);
    }
    let prefix = route.strip_suffix("/...").unwrap_or(route);
    let values = [
        ("spin-full-url", full_url.as_str()),
        ("spin-path-info", path_info),
        ("spin-matched-route", route),
        ("spin-component-route", prefix),
        ("spin-raw-component-route", route),
        ("spin-base-path", "/"),
        ("spin-client-addr", &peer.to_string()),
    ];
    for (name, value) in values {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
}
