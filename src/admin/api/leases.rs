//! DHCP leases in the admin API: list them (as stored) and release one. A release goes through
//! the running DHCP server when there is one, so its lease book and the store agree.

use std::net::Ipv4Addr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::IntoResponse;

use crate::admin::api::error::ErrorBody;
use crate::admin::api::{Api, ApiError};
use crate::clock::now_ms;
use crate::dhcp::admin::{self, LeaseReport};

/// Lists every stored lease by address.
#[utoipa::path(get, path = "/dhcp/leases", operation_id = "list_leases", tag = "dhcp",
    responses(
        (status = 200, description = "Every lease", body = Vec<LeaseReport>),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn list(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    let now = now_ms();
    let leases = admin::list(api.store.as_ref()).await?;
    Ok(Json(
        leases
            .iter()
            .map(|lease| LeaseReport::of(lease, now))
            .collect::<Vec<_>>(),
    ))
}

/// Releases the lease of an address (a declined address comes off probation).
#[utoipa::path(delete, path = "/dhcp/leases/{address}", operation_id = "release_lease", tag = "dhcp",
    params(("address" = String, Path, description = "The leased IPv4 address")),
    responses(
        (status = 200, description = "The lease, released", body = LeaseReport),
        (status = 400, description = "Not an IPv4 address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No active lease holds the address", body = ErrorBody),
    ))]
pub(super) async fn release(
    State(api): State<Arc<Api>>,
    Path(address): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let parsed: Ipv4Addr = address
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("{address:?} is not an IPv4 address")))?;
    let released = admin::release(api.store.as_ref(), api.controls.leases.as_ref(), parsed)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no active lease of {parsed}")))?;
    Ok(Json(LeaseReport::of(&released, now_ms())))
}
