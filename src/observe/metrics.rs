//! Prometheus metrics at `/metrics` (no token: counts only, nothing secret):
//!
//! - `phoneprov_http_requests_total{route, status}`: every HTTP request, by matched route
//!   (`/{*path}` for phone files, `/api/v1/...` for the API) and status code;
//! - `phoneprov_fetches_total{kind}`: files served to phones, by kind (`polycom`, `aastra`,
//!   `yealink`, `firmware`, `upload`);
//! - `phoneprov_render_cache_hits_total`, `phoneprov_render_cache_misses_total`: answers from
//!   the render cache, and files rendered;
//! - `phoneprov_connections_refused_total{server}`: connections closed at accept because their
//!   address held its limit already (`HTTP`, `HTTPS`).

use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::{BuildError, PrometheusBuilder, PrometheusHandle};

/// Installs the process-wide Prometheus recorder and keeps its histograms tidy.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    // A process has one recorder: a second server in the same process (tests) shares it.
    static INSTALLED: std::sync::OnceLock<PrometheusHandle> = std::sync::OnceLock::new();
    if let Some(handle) = INSTALLED.get() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new().install_recorder()?;
    let upkeep = handle.clone();
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_secs(5));
        loop {
            ticker.tick().await;
            upkeep.run_upkeep();
        }
    });
    Ok(INSTALLED.get_or_init(|| handle).clone())
}

/// `GET /metrics` in the Prometheus text format.
pub fn router(handle: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(move || async move { handle.render() }))
}

/// Middleware counting every request by matched route and status.
pub async fn count_requests(request: Request, next: Next) -> Response {
    let matched = request.extensions().get::<MatchedPath>().cloned();
    let response = next.run(request).await;
    let route = matched.as_ref().map_or("unmatched", MatchedPath::as_str);
    let status = response.status().as_u16();
    REQUEST_COUNTERS.with_borrow_mut(|counters| {
        match counters
            .iter()
            .find(|(known, code, _)| *code == status && known == route)
        {
            Some((_, _, counter)) => counter.increment(1),
            None => {
                let counter = metrics::counter!(
                    "phoneprov_http_requests_total",
                    "route" => route.to_string(),
                    "status" => status.to_string()
                );
                counter.increment(1);
                counters.push((route.to_string(), status, counter));
            }
        }
    });
    response
}

/// Counts a file served to a phone.
pub fn fetched(kind: &'static str) {
    FETCH_COUNTERS.with_borrow_mut(|counters| {
        match counters.iter().find(|(known, _)| *known == kind) {
            Some((_, counter)) => counter.increment(1),
            None => {
                let counter = metrics::counter!("phoneprov_fetches_total", "kind" => kind);
                counter.increment(1);
                counters.push((kind, counter));
            }
        }
    });
    crate::observe::activity::count_fetch();
}

/// Counts a file answered from the render cache.
pub fn render_cache_hit() {
    CACHE_HITS.with(|hits| hits.increment(1));
}

thread_local! {
    /// This thread's handle of the render cache's hit counter (registered once per thread).
    static CACHE_HITS: metrics::Counter = metrics::counter!("phoneprov_render_cache_hits_total");
    /// This thread's handles of the fetch counter, by kind. Registering a labelled counter
    /// builds its key (allocations) on every call, so each worker registers each kind once and
    /// then only adds to it. (The server installs its recorder before it serves a fetch; a
    /// handle taken with no recorder installed counts nowhere.)
    static FETCH_COUNTERS: std::cell::RefCell<Vec<(&'static str, metrics::Counter)>> =
        const { std::cell::RefCell::new(Vec::new()) };
    /// This thread's handles of the request counter, by route and status, for the same reason
    /// (a few routes and statuses: a list is searched faster than a key is built).
    static REQUEST_COUNTERS: std::cell::RefCell<Vec<(String, u16, metrics::Counter)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Counts a connection closed at accept for its address's limit.
pub fn connection_refused(server: &'static str) {
    metrics::counter!("phoneprov_connections_refused_total", "server" => server).increment(1);
}
