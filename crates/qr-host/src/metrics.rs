//! Every metric qr-host exports, recorded in one place, rendered by `prometheus-client`.
//!
//! Labels are bounded: `route` is the manifest pattern (never the raw path), `method` one of
//! [`METHOD_LABELS`], `component` a manifest id, `status` an HTTP code, `reason` a host problem
//! slug. A client can therefore never create a new series: memory and `/metrics` stay the same
//! size whatever it sends. Names are listed in the
//! README; renaming one breaks dashboards, so treat them as API.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// Every value the `method` label takes: the methods of RFC 9110 and PATCH, then `other`.
pub const METHOD_LABELS: [&str; 10] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "other",
];

/// The `method` label of a request: its name when it is a standard method, else `other`. The
/// method token is client-chosen (up to the header buffer, 16 KiB), so it is never a label.
pub fn method_label(method: &http::Method) -> &'static str {
    METHOD_LABELS
        .iter()
        .find(|known| **known == method.as_str())
        .copied()
        .unwrap_or("other")
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub route: String,
    pub method: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ComponentLabels {
    pub component: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReasonLabels {
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LoadLabels {
    pub component: String,
    /// `cache` (deserialised precompiled artifact) or `compiled` (Cranelift ran).
    pub source: String,
}

fn latency_histogram() -> Histogram {
    // 100 µs .. ~13 s: from a pooled hello to the request deadline.
    Histogram::new(exponential_buckets(0.0001, 2.0, 18))
}

fn memory_histogram() -> Histogram {
    // 64 KiB (one wasm page) .. 4 GiB.
    Histogram::new(exponential_buckets(65536.0, 2.0, 17))
}

/// The metric handles. Cheap to clone (each handle is an `Arc`).
#[derive(Clone, Debug)]
pub struct Metrics {
    pub requests: Family<RequestLabels, Counter>,
    pub request_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    pub instantiation: Family<ComponentLabels, Histogram, fn() -> Histogram>,
    pub guest_memory: Family<ComponentLabels, Histogram, fn() -> Histogram>,
    pub in_flight: Gauge,
    pub connections: Gauge,
    pub body_buffer_bytes: Gauge,
    pub queue_depth: Gauge,
    pub queue_wait: Histogram,
    pub rejections: Family<ReasonLabels, Counter>,
    pub traps: Family<ComponentLabels, Counter>,
    pub timeouts: Family<ComponentLabels, Counter>,
    pub memory_limit_hits: Family<ComponentLabels, Counter>,
    pub component_loads: Family<LoadLabels, Counter>,
    pub component_load_time: Family<LoadLabels, Gauge<f64, AtomicU64>>,
    pub draining: Gauge,
}

impl Metrics {
    /// Creates the handles and registers them under the `qr_host` prefix.
    pub fn new(registry: &mut Registry) -> Self {
        let m = Self {
            requests: Family::default(),
            request_duration: Family::new_with_constructor(latency_histogram),
            instantiation: Family::new_with_constructor(latency_histogram),
            guest_memory: Family::new_with_constructor(memory_histogram),
            in_flight: Gauge::default(),
            connections: Gauge::default(),
            body_buffer_bytes: Gauge::default(),
            queue_depth: Gauge::default(),
            queue_wait: latency_histogram(),
            rejections: Family::default(),
            traps: Family::default(),
            timeouts: Family::default(),
            memory_limit_hits: Family::default(),
            component_loads: Family::default(),
            component_load_time: Family::default(),
            draining: Gauge::default(),
        };
        let r = registry.sub_registry_with_prefix("qr_host");
        r.register(
            "requests",
            "HTTP requests answered, by manifest route, method and status",
            m.requests.clone(),
        );
        r.register_with_unit(
            "request_duration",
            "Time from request head to response head, by manifest route",
            Unit::Seconds,
            m.request_duration.clone(),
        );
        r.register_with_unit(
            "instantiation",
            "Time to instantiate a component into a fresh store",
            Unit::Seconds,
            m.instantiation.clone(),
        );
        r.register_with_unit(
            "guest_memory_peak",
            "Largest linear memory a request's instance grew to",
            Unit::Bytes,
            m.guest_memory.clone(),
        );
        r.register(
            "in_flight_requests",
            "Requests currently running wasm (holding a concurrency slot)",
            m.in_flight.clone(),
        );
        r.register(
            "open_connections",
            "App connections open (each holds one of --max-connections)",
            m.connections.clone(),
        );
        r.register_with_unit(
            "body_buffer",
            "Request-body bytes held in memory, all requests together (of --max-buffered-body-bytes)",
            Unit::Bytes,
            m.body_buffer_bytes.clone(),
        );
        r.register(
            "queue_depth",
            "Requests waiting for a concurrency slot",
            m.queue_depth.clone(),
        );
        r.register_with_unit(
            "queue_wait",
            "Time requests waited for a concurrency slot",
            Unit::Seconds,
            m.queue_wait.clone(),
        );
        r.register(
            "rejections",
            "Requests and connections the host refused or cut short, by reason (problem type slug, queue-full, queue-timeout, over-capacity, body-budget, peer-connections, write-timeout)",
            m.rejections.clone(),
        );
        r.register("traps", "Component instances that trapped", m.traps.clone());
        r.register(
            "timeouts",
            "Requests stopped at the request deadline",
            m.timeouts.clone(),
        );
        r.register(
            "memory_limit_hits",
            "Requests whose instance was refused memory growth",
            m.memory_limit_hits.clone(),
        );
        r.register(
            "component_loads",
            "Components loaded at startup, by source: cache (precompiled) or compiled",
            m.component_loads.clone(),
        );
        r.register_with_unit(
            "component_load",
            "Time to load each component at startup",
            Unit::Seconds,
            m.component_load_time.clone(),
        );
        r.register(
            "draining",
            "1 while the host drains for shutdown, else 0",
            m.draining.clone(),
        );
        m
    }

    pub fn reject(&self, reason: &str) {
        self.rejections
            .get_or_create(&ReasonLabels {
                reason: reason.to_owned(),
            })
            .inc();
    }

    pub fn answered(&self, route: &str, method: &http::Method, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method_label(method),
                status,
            })
            .inc();
        self.request_duration
            .get_or_create(&RouteLabels {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Records how a component was loaded at startup.
    pub fn record_load(&self, load: &crate::runtime::ComponentLoad) {
        let labels = LoadLabels {
            component: load.id.clone(),
            source: load.source.as_str().to_owned(),
        };
        self.component_loads.get_or_create(&labels).inc();
        self.component_load_time
            .get_or_create(&labels)
            .set(load.elapsed.as_secs_f64());
    }

    /// The counter of `family` for one component (a cheap handle clone).
    pub fn for_component(family: &Family<ComponentLabels, Counter>, component: &str) -> Counter {
        family
            .get_or_create(&ComponentLabels {
                component: component.to_owned(),
            })
            .clone()
    }
}

/// Renders the registry in the OpenMetrics text format, which Prometheus scrapes natively.
pub fn render(registry: &Registry) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, registry);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn standard_methods_keep_their_name_and_any_other_is_other() {
        assert_eq!(method_label(&http::Method::GET), "GET");
        assert_eq!(method_label(&http::Method::PATCH), "PATCH");
        let junk = http::Method::from_bytes(b"XKCDQWERTY").expect("token");
        assert_eq!(method_label(&junk), "other");
        // Method names are case-sensitive (RFC 9110 9.1): `get` is not GET.
        let lower = http::Method::from_bytes(b"get").expect("token");
        assert_eq!(method_label(&lower), "other");
    }
}
