//! Prometheus metrics: requests and latency by route and status, decisions
//! by outcome, clocks overdue (read from the register at each scrape).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State as Shared};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::State;

/// The service's metrics.
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    decisions: IntCounterVec,
    overdue: IntGauge,
}

impl Metrics {
    /// Fresh metrics in their own registry.
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "accord_http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "accord_http_request_duration_seconds",
                "HTTP request latency by route and status",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0,
            ]),
            &["route", "status"],
        )?;
        let decisions = IntCounterVec::new(
            Opts::new("accord_decisions_total", "Decisions made, by outcome"),
            &["outcome"],
        )?;
        let overdue = IntGauge::new(
            "accord_clocks_overdue",
            "Clocks of open cases past their deadline, at the last scrape",
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(decisions.clone()))?;
        registry.register(Box::new(overdue.clone()))?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            decisions,
            overdue,
        })
    }

    /// A decision made.
    pub fn decided(&self, outcome: &str) {
        self.decisions.with_label_values(&[outcome]).inc();
    }

    /// Clocks overdue now.
    pub fn overdue(&self, count: usize) {
        self.overdue.set(i64::try_from(count).unwrap_or(i64::MAX));
    }

    /// The text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

/// Counts and times every request by its route (the matched pattern, so
/// ids do not explode the label space), and marks every response with the
/// rule set's fingerprint.
pub async fn observe(Shared(state): Shared<Arc<State>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    // Only the methods routes take are labels; any other word a client
    // sends is `other`, so that no request can grow the label space.
    let method = match *request.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    };
    let mut response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    state
        .metrics
        .requests
        .with_label_values(&[route.as_str(), method, status.as_str()])
        .inc();
    state
        .metrics
        .latency
        .with_label_values(&[route.as_str(), status.as_str()])
        .observe(started.elapsed().as_secs_f64());
    response
        .headers_mut()
        .insert("accord-ruleset", state.fingerprint.clone());
    response
}
