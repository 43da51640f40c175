//! The admin path's own budget: requests to the admin API and web page (`/api/…`, `/admin/…`)
//! in flight at once, in all and per client address. One past it is answered `503` at once and
//! its connection closed, so a flood of admin requests (slow login bodies, say) holds a bounded
//! number of connections and the phones' requests, which take nothing from this budget, never
//! wait behind it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::transport::address_slots::AddressSlots;

/// Default most admin requests in flight at once.
pub const DEFAULT_ADMIN_REQUESTS: usize = 64;
/// Default most admin requests in flight at once from one address.
pub const DEFAULT_ADMIN_REQUESTS_PER_ADDRESS: usize = 16;

/// The budget, shared by every HTTP(S) listener.
#[derive(Debug, Clone)]
pub struct AdminBudget {
    in_flight: Arc<Semaphore>,
    per_address: usize,
    by_address: Arc<AddressSlots>,
}

impl AdminBudget {
    /// At most `total` admin requests at once, `per_address` of them from one address.
    pub fn new(total: usize, per_address: usize) -> AdminBudget {
        AdminBudget {
            in_flight: Arc::new(Semaphore::new(total)),
            per_address,
            by_address: Arc::default(),
        }
    }

    /// Serves `request` within the budget, or answers `503` at once.
    async fn serve(&self, client: Option<IpAddr>, request: Request, next: Next) -> Response {
        let by_address = match client {
            Some(ip) => match self.by_address.open(ip.to_canonical(), self.per_address) {
                Some(slot) => Some(slot),
                None => return busy(),
            },
            None => None,
        };
        let Ok(permit) = Arc::clone(&self.in_flight).try_acquire_owned() else {
            return busy();
        };
        let response = next.run(request).await;
        drop((permit, by_address));
        response
    }
}

impl Default for AdminBudget {
    fn default() -> Self {
        AdminBudget::new(DEFAULT_ADMIN_REQUESTS, DEFAULT_ADMIN_REQUESTS_PER_ADDRESS)
    }
}

fn busy() -> Response {
    crate::observe::metrics::connection_refused("admin");
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        "too many admin requests at once; try again in a few seconds\n",
    )
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// Middleware of the admin routes: each request within `budget`.
pub async fn within_budget(
    State(budget): State<AdminBudget>,
    request: Request,
    next: Next,
) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip());
    budget.serve(client, request, next).await
}
