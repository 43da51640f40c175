//! The inbox of unassigned phones in the admin API ([`crate::policy::inbox`]): list it, dismiss
//! an entry, adopt a phone (give it extensions on its line keys and optionally a profile; its
//! model is taken from its user agent when not given), or download it as a CSV to fill in and
//! import. A phone adopted any other way (a CSV import, `PUT /phones/{mac}/lines`) leaves the
//! inbox too.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::admin::api::error::ErrorBody;
use crate::admin::api::fields::json_body;
use crate::admin::api::phones::{LinesInput, NewExtensions, assign, parse_mac};
use crate::admin::api::{Api, ApiError};
use crate::domain::{LineNumber, ProfileName};
use crate::policy::inbox::{Inbox, Unassigned};

fn inbox(api: &Api) -> Result<&Inbox, ApiError> {
    api.controls.inbox.as_deref().ok_or_else(|| {
        ApiError::NotFound("this server serves no phones, so it has no inbox".into())
    })
}

/// The entries, without phones the database knows by now.
fn entries(api: &Api) -> Result<Vec<Unassigned>, ApiError> {
    let view = api.live.view();
    Ok(inbox(api)?.list(|mac| view.knows(mac)))
}

/// Lists the phones that asked for their files but are not in the database, newest first.
#[utoipa::path(get, path = "/unassigned", operation_id = "list_unassigned", tag = "phones",
    responses(
        (status = 200, description = "The inbox", body = Vec<Unassigned>),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "This server serves no phones", body = ErrorBody),
    ))]
pub(super) async fn list(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(entries(&api)?))
}

/// The inbox as a CSV for the import: each phone's MAC and model filled in; add the extension,
/// its display name (and any other column) and import it.
#[utoipa::path(get, path = "/unassigned.csv", operation_id = "export_unassigned", tag = "phones",
    responses(
        (status = 200, description = "CSV with the columns extension, display_name, mac, model, line", body = String, content_type = "text/csv"),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "This server serves no phones", body = ErrorBody),
    ))]
pub(super) async fn export(State(api): State<Arc<Api>>) -> Result<Response, ApiError> {
    let mut csv = String::from("extension,display_name,mac,model,line\n");
    for entry in entries(&api)? {
        let model = entry.model.unwrap_or_default();
        csv.push_str(&format!(",,{},{model},1\n", entry.mac));
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"unassigned.csv\"",
            ),
        ],
        csv,
    )
        .into_response())
}

/// Drops a phone from the inbox (it comes back if it asks again).
#[utoipa::path(delete, path = "/unassigned/{mac}", operation_id = "dismiss_unassigned", tag = "phones",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    responses(
        (status = 204, description = "Dismissed"),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "Not in the inbox", body = ErrorBody),
    ))]
pub(super) async fn dismiss(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<Response, ApiError> {
    let mac = parse_mac(&mac)?;
    if inbox(&api)?.remove(&mac) {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!("{mac} is not in the inbox")))
    }
}

/// Body of `POST /unassigned/{mac}/adopt`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AdoptInput {
    /// Extension number by line key (1, 2, ...); at least one.
    lines: BTreeMap<LineNumber, String>,
    /// Phone model; left out: the one its user agent named.
    model: Option<String>,
    /// A settings profile to give it.
    profile: Option<String>,
    /// Extensions to create, by number, where a line names one that does not exist yet: each
    /// with its display name and, optionally, its home site (left out: `default`); a SIP
    /// password is generated for each.
    #[serde(default)]
    new_extensions: NewExtensions,
}

/// Adopts a phone: it gets the extensions on its line keys (and the profile), so its next
/// request gets its files; a line naming a number that does not exist yet creates it from
/// `new_extensions`, in the same transaction. The phone need not be in the inbox (a MAC from
/// its label works too).
#[utoipa::path(post, path = "/unassigned/{mac}/adopt", operation_id = "adopt_phone", tag = "phones",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    request_body = AdoptInput,
    responses(
        (status = 200, description = "Adopted: the phone and the files it will now get", body = crate::admin::api::phones::LinesAnswer),
        (status = 400, description = "Not a MAC address, or not a JSON object of the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "This server serves no phones", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named; nothing was written", body = ErrorBody),
    ))]
pub(super) async fn adopt(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mac = parse_mac(&mac)?;
    let input: AdoptInput = json_body(&body)?;
    let mut problems = Vec::new();
    if input.lines.is_empty() {
        problems.push((
            "lines".to_string(),
            "give at least one extension (on key 1)".to_string(),
        ));
    }
    let profile = input
        .profile
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(Err(e)) = profile.map(ProfileName::parse) {
        problems.push(("profile".to_string(), e.to_string()));
    }
    let inbox = inbox(&api)?;
    if let Some(why) = inbox.get(&mac).and_then(|entry| entry.unsupported) {
        problems.push((
            "mac".to_string(),
            format!("{mac} is {why}; its files would never reach it"),
        ));
    }
    if !problems.is_empty() {
        return Err(ApiError::Invalid(problems));
    }
    let model = input
        .model
        .or_else(|| inbox.get(&mac).and_then(|entry| entry.model));
    let lines = LinesInput {
        lines: input.lines,
        model,
    };
    let answer = assign(&api, mac, lines, &input.new_extensions).await?;
    if let Some(profile) = profile {
        crate::admin::api::settings::give_profile(&api, mac, Some(profile.to_string())).await?;
    }
    inbox.remove(&mac);
    Ok(answer)
}
