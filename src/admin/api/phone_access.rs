//! Who may fetch a phone's credential files, in the admin API: the phone's HTTP login (user name
//! and accepted passwords; the passwords are never shown back) and its trust-on-first-use
//! binding (shown, and reset so the next master-file fetch binds it again).

use std::net::IpAddr;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::admin::api::error::ErrorBody;
use crate::admin::api::fields::reload;
use crate::admin::api::phones::parse_mac;
use crate::admin::api::{API_ACTOR, Api, ApiError};
use crate::domain::PhoneLogin;

/// A phone's login for its credential files.
#[derive(Deserialize, utoipa::ToSchema)]
pub(super) struct LoginInput {
    /// The user name the phone sends (often its MAC).
    username: String,
    /// Every password accepted (1 to 8, 8 to 128 characters each), e.g. the new and the old one
    /// while phones change over.
    passwords: Vec<String>,
}

/// A phone's binding under trust on first use.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct BindingView {
    /// The address its credential files go to; none until its master file is fetched.
    address: Option<String>,
}

/// Sets the login a phone needs for its credential files (HTTP Digest, or Basic over HTTPS).
#[utoipa::path(put, path = "/phones/{mac}/login", operation_id = "set_phone_login", tag = "security",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    request_body = LoginInput,
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
        (status = 422, description = "A bad user name or password", body = ErrorBody),
    ))]
pub(super) async fn set_login(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
    Json(input): Json<LoginInput>,
) -> Result<Response, ApiError> {
    let mac = parse_mac(&mac)?;
    let login = PhoneLogin::new(&input.username, input.passwords)
        .map_err(|e| ApiError::Invalid(vec![("login".into(), e.to_string())]))?;
    api.store
        .set_phone_login(&mac, Some(&login), API_ACTOR)
        .await?;
    reload(&api).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes a phone's login: its credential files no longer need one.
#[utoipa::path(delete, path = "/phones/{mac}/login", operation_id = "remove_phone_login", tag = "security",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
    ))]
pub(super) async fn remove_login(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<Response, ApiError> {
    let mac = parse_mac(&mac)?;
    api.store.set_phone_login(&mac, None, API_ACTOR).await?;
    reload(&api).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn bound_address(api: &Api, mac: &crate::domain::Mac) -> Result<Option<IpAddr>, ApiError> {
    if let Some(access) = &api.controls.access {
        return Ok(access.bindings().bound(mac));
    }
    Ok(api
        .store
        .phone_bindings()
        .await?
        .into_iter()
        .find_map(|(bound, address)| (bound == *mac).then_some(address)))
}

/// The address a phone is bound to under trust on first use.
#[utoipa::path(get, path = "/phones/{mac}/binding", operation_id = "get_phone_binding", tag = "security",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    responses(
        (status = 200, description = "The binding", body = BindingView),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
    ))]
pub(super) async fn get_binding(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<Json<BindingView>, ApiError> {
    let mac = parse_mac(&mac)?;
    if api.store.phone(&mac).await?.is_none() {
        return Err(ApiError::NotFound(format!("no phone {mac}")));
    }
    Ok(Json(BindingView {
        address: bound_address(&api, &mac).await?.map(|a| a.to_string()),
    }))
}

/// Resets a phone's binding (a phone replaced or moved): the next fetch of its master file binds
/// it again.
#[utoipa::path(delete, path = "/phones/{mac}/binding", operation_id = "reset_phone_binding", tag = "security",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    responses(
        (status = 200, description = "Reset; the address it was bound to", body = BindingView),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
    ))]
pub(super) async fn reset_binding(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<Json<BindingView>, ApiError> {
    let mac = parse_mac(&mac)?;
    let was = bound_address(&api, &mac).await?;
    let stored = api.store.unbind_phone(&mac, API_ACTOR).await?;
    if let Some(access) = &api.controls.access {
        access.forget(&mac);
    }
    reload(&api).await;
    Ok(Json(BindingView {
        address: was.or(stored).map(|a| a.to_string()),
    }))
}
