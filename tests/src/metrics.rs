//! A scrape of a Prometheus/OpenMetrics `/metrics` page, read with `prometheus-parse`.

use prometheus_parse::{Scrape, Value};

/// qr-host's labelled counters of events that need not have happened (requests on a host just
/// started, rejections, traps, timeouts, memory-limit hits): prometheus-client writes a
/// labelled family only once it has a series, so before the first event the family is absent
/// and reads 0.
pub const EVENT_COUNTERS: [&str; 5] = [
    "qr_host_requests",
    "qr_host_rejections",
    "qr_host_traps",
    "qr_host_timeouts",
    "qr_host_memory_limit_hits",
];

/// The samples of one scrape.
#[derive(Debug)]
pub struct Metrics {
    scrape: Scrape,
    text: String,
}

impl Metrics {
    /// Parses an exposition; panics with the text if it does not parse.
    pub fn parse(text: &str) -> Metrics {
        let scrape = Scrape::parse(text.lines().map(|line| Ok(line.to_owned())))
            .unwrap_or_else(|e| panic!("not Prometheus text ({e}):\n{text}"));
        Metrics {
            scrape,
            text: text.to_owned(),
        }
    }

    /// The sum of the plain samples (counter, gauge, a histogram's `_count` and `_sum`) named
    /// `name` whose labels include every `(key, value)` of `labels`; `None` when none matches.
    /// A labelled counter family has no sample before its first increment.
    pub fn sum(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let values: Vec<f64> = self
            .scrape
            .samples
            .iter()
            .filter(|s| s.metric == name)
            .filter(|s| labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
            .filter_map(|s| match s.value {
                Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => Some(v),
                Value::Histogram(_) | Value::Summary(_) => None,
            })
            .collect();
        (!values.is_empty()).then(|| values.iter().sum())
    }

    /// [`Metrics::sum`], panicking with the whole text when no sample matches: a renamed or
    /// missing metric fails the test instead of reading as 0.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.sum(name, labels)
            .unwrap_or_else(|| panic!("no sample {name} {labels:?} in:\n{}", self.text))
    }

    /// [`Metrics::sum`] of a counter, 0 when no sample matches but its family is declared
    /// (`# TYPE`) or is one of [`EVENT_COUNTERS`]; panics otherwise, so a renamed or missing
    /// metric still fails instead of reading as 0.
    pub fn counter(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        if let Some(sum) = self.sum(name, labels) {
            return sum;
        }
        let family_of = |family: &str| {
            name.strip_prefix(family).is_some_and(|suffix| {
                ["", "_total", "_sum", "_count", "_bucket", "_created"].contains(&suffix)
            })
        };
        let declared = self.text.lines().any(|line| {
            line.strip_prefix("# TYPE ")
                .and_then(|rest| rest.split_once(' '))
                .is_some_and(|(family, _)| family_of(family))
        });
        assert!(
            declared || EVENT_COUNTERS.iter().any(|family| family_of(family)),
            "metric {name} is not in the exposition:\n{}",
            self.text
        );
        0.0
    }

    /// How many samples the scrape holds.
    pub fn sample_count(&self) -> usize {
        self.scrape.samples.len()
    }

    /// The exposition as scraped.
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# TYPE qr_host_rejections counter\n\
        # TYPE qr_host_in_flight_requests gauge\n\
        qr_host_in_flight_requests 2\n\
        # TYPE qr_host_requests counter\n\
        qr_host_requests_total{route=\"a\",status=\"200\"} 3\n\
        qr_host_requests_total{route=\"b\",status=\"200\"} 4\n\
        # EOF\n";

    #[test]
    fn sums_match_labels_and_a_declared_family_without_series_reads_zero() {
        let metrics = Metrics::parse(TEXT);
        assert_eq!(metrics.counter("qr_host_requests_total", &[]), 7.0);
        assert_eq!(
            metrics.counter("qr_host_requests_total", &[("route", "b")]),
            4.0
        );
        assert_eq!(metrics.value("qr_host_in_flight_requests", &[]), 2.0);
        assert_eq!(metrics.counter("qr_host_rejections_total", &[]), 0.0);
        // An event counter with no event yet is absent, and reads 0.
        assert_eq!(metrics.counter("qr_host_traps_total", &[]), 0.0);
        assert_eq!(
            metrics.sum("qr_host_requests_total", &[("status", "500")]),
            None
        );
    }

    #[test]
    #[should_panic(expected = "is not in the exposition")]
    fn a_counter_the_exposition_does_not_declare_fails() {
        Metrics::parse(TEXT).counter("qr_host_in_flight", &[]);
    }

    #[test]
    #[should_panic(expected = "no sample")]
    fn a_missing_gauge_fails() {
        Metrics::parse(TEXT).value("qr_host_open_connections", &[]);
    }
}
