//! The central voice mail server in the admin API: read it, set it and its backup, mark it down
//! (phones' message-waiting and call-back go to the backup) and up again. Each change is one
//! store transaction with its audit entry; phones whose files change are pushed.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use crate::admin::api::error::ErrorBody;
use crate::admin::api::fields::{json_body, reload};
use crate::admin::api::{API_ACTOR, Api, ApiError};
use crate::domain::{Voicemail, host};

/// The central voice mail settings.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct VoicemailView {
    /// Central voice mail server; null: each site's own voice mail server is used.
    central: Option<String>,
    /// Takes over while the central one is marked down.
    backup: Option<String>,
    /// Marked down by an admin.
    central_down: bool,
    /// Where message-waiting subscriptions and call-back go now; null: each site's own.
    in_use: Option<String>,
}

fn view(vm: &Voicemail) -> VoicemailView {
    VoicemailView {
        central: vm.central.clone(),
        backup: vm.backup.clone(),
        central_down: vm.central_down,
        in_use: vm.central.as_ref().map(|_| vm.target("").to_string()),
    }
}

/// Body of `PUT /voicemail`: the central server (`""` for none) and its backup (left out,
/// null or `""` for none).
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct VoicemailInput {
    central: String,
    backup: Option<String>,
}

/// The central voice mail server, its backup and which is in use.
#[utoipa::path(get, path = "/voicemail", operation_id = "get_voicemail", tag = "voicemail",
    responses(
        (status = 200, description = "The settings", body = VoicemailView),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn get(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(view(&api.store.voicemail().await?)))
}

fn server(field: &str, value: Option<String>) -> Result<Option<String>, (String, String)> {
    match value.as_deref() {
        None | Some("") => Ok(None),
        Some(text) => host(text)
            .map(Some)
            .map_err(|e| (field.to_string(), e.to_string())),
    }
}

/// Sets the central voice mail server and its backup (the down mark stays).
#[utoipa::path(put, path = "/voicemail", operation_id = "set_voicemail", tag = "voicemail",
    request_body = VoicemailInput,
    responses(
        (status = 200, description = "Set", body = VoicemailView),
        (status = 400, description = "Not a JSON object of the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    ))]
pub(super) async fn set(
    State(api): State<Arc<Api>>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input: VoicemailInput = json_body(&body)?;
    let central = server("central", Some(input.central));
    let backup = server("backup", input.backup);
    let (central, backup) = match (central, backup) {
        (Ok(central), Ok(backup)) => (central, backup),
        (central, backup) => {
            let errors = [central.err(), backup.err()]
                .into_iter()
                .flatten()
                .collect();
            return Err(ApiError::Invalid(errors));
        }
    };
    api.store.set_voicemail(central, backup, API_ACTOR).await?;
    reload(&api).await;
    Ok(Json(view(&api.store.voicemail().await?)))
}

/// Marks the central voice mail server `down` (phones use the backup) or `up`.
#[utoipa::path(post, path = "/voicemail/{state}", operation_id = "mark_voicemail", tag = "voicemail",
    params(("state" = String, Path, description = "`down` or `up`")),
    responses(
        (status = 200, description = "Marked", body = VoicemailView),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "Neither down nor up", body = ErrorBody),
        (status = 409, description = "No central server, no backup, or already so", body = ErrorBody),
    ))]
pub(super) async fn mark(
    State(api): State<Arc<Api>>,
    Path(state): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let down = match state.as_str() {
        "down" => true,
        "up" => false,
        _ => return Err(ApiError::NotFound("no such API route".into())),
    };
    api.store.mark_voicemail(down, API_ACTOR).await?;
    reload(&api).await;
    Ok(Json(view(&api.store.voicemail().await?)))
}
