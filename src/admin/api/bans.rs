//! Provisioning bans in the admin API: the addresses the enumeration defense banned (too many
//! requests for unknown phone files), and lifting a ban.

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::admin::api::error::ErrorBody;
use crate::admin::api::{Api, ApiError};
use crate::policy::guard::{Ban, Guard};

fn guard(api: &Api) -> Result<&Guard, ApiError> {
    api.controls
        .guard
        .as_deref()
        .ok_or_else(|| ApiError::Conflict("no phone-facing server runs here".into()))
}

/// The addresses banned from provisioning now, newest first.
#[utoipa::path(get, path = "/bans", operation_id = "list_bans", tag = "security",
    responses(
        (status = 200, description = "Banned addresses", body = Vec<Ban>),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 409, description = "No phone-facing server runs here", body = ErrorBody),
    ))]
pub(super) async fn list(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(guard(&api)?.bans()))
}

/// Lifts the ban of an address.
#[utoipa::path(delete, path = "/bans/{address}", operation_id = "lift_ban", tag = "security",
    params(("address" = String, Path, description = "The banned IP address")),
    responses(
        (status = 204, description = "Lifted"),
        (status = 400, description = "Not an IP address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "The address is not banned", body = ErrorBody),
        (status = 409, description = "No phone-facing server runs here", body = ErrorBody),
    ))]
pub(super) async fn lift(
    State(api): State<Arc<Api>>,
    Path(address): Path<String>,
) -> Result<Response, ApiError> {
    let ip: IpAddr = address
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("{address:?} is not an IP address")))?;
    // Lifted here at once, and in the store for the other nodes (which may hold a ban this node
    // has not taken in yet).
    let here = guard(&api)?.lift(ip);
    let stored = api.store.lift_ban(&ip.to_string()).await?;
    if here || stored {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!("{ip} is not banned")))
    }
}
