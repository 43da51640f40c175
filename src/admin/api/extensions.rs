//! Extensions in the admin API: list (paged, searched), get, create, update, delete. A change is
//! a one-row import (the same checks, planning and single transaction, refused if the data changed
//! meanwhile); the answer is the extension as stored.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::admin::api::error::ErrorBody;
use crate::admin::api::fields::{Fields, apply_and_reload, json_body, refused, reload};
use crate::admin::api::listing::{Page, Paged, Search, paged};
use crate::admin::api::sites::site_names;
use crate::admin::api::{API_ACTOR, Api, ApiError};
use crate::domain::{
    Deployment, Extension, ExtensionNumber, Phone, ServerView, SiteId, SiteName, check_auth_user,
    check_display_name, check_label, check_password,
};
use crate::import::{Cell, ImportOptions, Row, apply_rows};
use crate::store::ChangeSet;

/// The line key an extension sits on.
#[derive(Clone, Serialize, utoipa::ToSchema)]
struct Placement {
    mac: String,
    line: u8,
}

/// An extension as the API shows it (the password itself only in the export).
#[derive(Serialize, utoipa::ToSchema)]
struct ExtensionView {
    number: String,
    display_name: String,
    label: Option<String>,
    auth_user: Option<String>,
    password_set: bool,
    home_site: String,
    current_site: String,
    switchover_enabled: bool,
    /// Listed in the company directory phones get.
    in_directory: bool,
    /// Registration distribution: its primary call server (`address:port`) at its current site.
    primary_server: Option<String>,
    /// And its backup (another server of the site).
    backup_server: Option<String>,
    /// The call server its files name now (`address:port`): what its phone registers to,
    /// switchover included; `null` while the served data does not have it yet.
    registers_to: Option<String>,
    /// The backup server its files name now, as the phone will use it (a one-server site's is
    /// its alternate's first server; while switched over, its home server).
    registers_backup: Option<String>,
    phone: Option<Placement>,
}

/// Where each extension sits, from every phone's line keys: built once per request, so a list
/// of extensions does not search all phones for each one.
type Placements = HashMap<ExtensionNumber, Placement>;

fn placements(phones: &[Phone]) -> Placements {
    phones
        .iter()
        .flat_map(|p| {
            p.lines.iter().map(|(line, number)| {
                let placement = Placement {
                    mac: p.mac.to_string(),
                    line: *line,
                };
                (number.clone(), placement)
            })
        })
        .collect()
}

fn extension_view(
    e: &Extension,
    sites: &HashMap<SiteId, String>,
    placements: &Placements,
    served: &Deployment,
) -> ExtensionView {
    let (registers_to, registers_backup) = match served.extension(&e.number) {
        Some(live) => {
            let (primary, backup) = served.servers_of(live);
            let named = |s: ServerView| format!("{}:{}", s.address, s.port);
            (Some(named(primary)), backup.map(named))
        }
        None => (None, None),
    };
    ExtensionView {
        registers_to,
        registers_backup,
        number: e.number.to_string(),
        display_name: e.display_name.clone(),
        label: e.label.clone(),
        auth_user: e.auth_user.clone(),
        password_set: !e.password.is_empty(),
        home_site: sites.get(&e.home_site).cloned().unwrap_or_default(),
        current_site: sites.get(&e.current_site).cloned().unwrap_or_default(),
        switchover_enabled: e.switchover_enabled,
        in_directory: e.in_directory,
        primary_server: e.registration.as_ref().map(|r| r.primary.clone()),
        backup_server: e.registration.as_ref().and_then(|r| r.backup.clone()),
        phone: placements.get(&e.number).cloned(),
    }
}

/// Lists extensions, searching number and display name.
#[utoipa::path(get, path = "/extensions", operation_id = "list_extensions", tag = "extensions", params(Page),
    responses(
        (status = 200, description = "One page of extensions", body = Paged<ExtensionView>),
        (status = 400, description = "A bad paging parameter", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn list(
    State(api): State<Arc<Api>>,
    Query(page): Query<Page>,
) -> Result<impl IntoResponse, ApiError> {
    let snapshot = api.store.snapshot().await?;
    let sites = site_names(&snapshot.sites);
    let placements = placements(&snapshot.phones);
    let (served, _) = api.live.current();
    let search = Search::new(&page.q);
    let all = snapshot
        .extensions
        .iter()
        .filter(|e| search.matches(&[e.number.as_str(), &e.display_name]))
        .map(|e| extension_view(e, &sites, &placements, &served))
        .collect();
    paged(all, &page)
}

/// One extension as JSON, read fresh from the store (also the answer to an edit).
async fn extension_json(api: &Api, number: &str) -> Result<Response, ApiError> {
    let snapshot = api.store.snapshot().await?;
    let extension = snapshot
        .extensions
        .iter()
        .find(|e| e.number.as_str() == number)
        .ok_or_else(|| ApiError::NotFound(format!("no extension {number:?}")))?;
    let placements = placements(&snapshot.phones);
    let (served, _) = api.live.current();
    Ok(Json(extension_view(
        extension,
        &site_names(&snapshot.sites),
        &placements,
        &served,
    ))
    .into_response())
}

/// Gets one extension.
#[utoipa::path(get, path = "/extensions/{number}", operation_id = "get_extension", tag = "extensions",
    params(("number" = String, Path, description = "Extension number")),
    responses(
        (status = 200, description = "The extension", body = ExtensionView),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such extension", body = ErrorBody),
    ))]
pub(super) async fn get_one(
    State(api): State<Arc<Api>>,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    extension_json(&api, &number).await
}

/// An extension's SIP password, for the call server that needs the same one.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct PasswordView {
    number: String,
    password: String,
}

/// Shows an extension's SIP password (a generated one included), for entering it on the call
/// server; each showing is an audit entry.
#[utoipa::path(get, path = "/extensions/{number}/password", operation_id = "get_extension_password", tag = "extensions",
    params(("number" = String, Path, description = "Extension number")),
    responses(
        (status = 200, description = "The password", body = PasswordView),
        (status = 400, description = "Not an extension number", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such extension", body = ErrorBody),
    ))]
pub(super) async fn password(
    State(api): State<Arc<Api>>,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let number =
        ExtensionNumber::parse(&number).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let extension = api
        .store
        .extension(&number)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no extension {number}")))?;
    api.store
        .note(API_ACTOR, "password-shown", number.as_str(), "")
        .await?;
    Ok(Json(PasswordView {
        number: number.to_string(),
        password: extension.password,
    })
    .into_response())
}

/// Body of `POST /extensions` and `PUT /extensions/{number}`. A field left out keeps its value
/// (or the default for a new extension); `""` clears `label`, `auth_user` and `site`. The change
/// is one transaction: when any field is refused, nothing is written.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ExtensionInput {
    number: Option<String>,
    display_name: Option<String>,
    password: Option<String>,
    label: Option<String>,
    auth_user: Option<String>,
    site: Option<String>,
    /// Whether it follows its home site's switchover (the site needs an alternate that does not
    /// use the number itself); checked with the other fields, in the same transaction.
    switchover_enabled: Option<bool>,
}

async fn upsert(
    api: &Api,
    number: ExtensionNumber,
    input: ExtensionInput,
    create: bool,
) -> Result<Response, ApiError> {
    let existing = api.store.extension(&number).await?;
    match (&existing, create) {
        (Some(_), true) => {
            return Err(ApiError::Conflict(format!(
                "extension {number} already exists"
            )));
        }
        (None, false) => return Err(ApiError::NotFound(format!("no extension {number}"))),
        _ => {}
    }
    let mut fields = Fields(Vec::new());
    let display_name = match (input.display_name, &existing) {
        (Some(name), _) => {
            if let Err(e) = check_display_name(&name) {
                fields.0.push(("display_name".into(), e.to_string()));
            }
            name
        }
        (None, Some(e)) => e.display_name.clone(),
        (None, None) => {
            fields
                .0
                .push(("display_name".into(), "must be given".into()));
            String::new()
        }
    };
    let row = Row {
        line: 0,
        extension: number.clone(),
        display_name,
        password: fields.cell("password", input.password.as_deref(), |v| {
            check_password(v).map(|()| v.to_string())
        }),
        label: fields.cell("label", input.label.as_deref(), |v| {
            check_label(v).map(|()| v.to_string())
        }),
        auth_user: fields.cell("auth_user", input.auth_user.as_deref(), |v| {
            check_auth_user(v).map(|()| v.to_string())
        }),
        mac: Cell::Absent,
        model: Cell::Absent,
        site: fields.cell("site", input.site.as_deref(), SiteName::parse),
        line_key: 1,
        switchover: input.switchover_enabled,
    };
    if !fields.0.is_empty() {
        return Err(ApiError::Invalid(fields.0));
    }
    apply_rows(
        api.store.as_ref(),
        &[row],
        &ImportOptions::by(super::API_ACTOR),
    )
    .await
    .map_err(refused)?;
    reload(api).await;
    let mut response = extension_json(api, number.as_str()).await?;
    if create {
        *response.status_mut() = StatusCode::CREATED;
    }
    Ok(response)
}

fn number_of(text: &str, field: &str) -> Result<ExtensionNumber, ApiError> {
    ExtensionNumber::parse(text).map_err(|e| ApiError::Invalid(vec![(field.into(), e.to_string())]))
}

/// Creates an extension (409 if the number exists); a password left out is generated.
#[utoipa::path(post, path = "/extensions", operation_id = "create_extension", tag = "extensions", request_body = ExtensionInput,
    responses(
        (status = 201, description = "Created", body = ExtensionView),
        (status = 400, description = "Not a JSON object of the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 409, description = "The number exists, or the data changed meanwhile",
            body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    ))]
pub(super) async fn create(State(api): State<Arc<Api>>, body: Bytes) -> Result<Response, ApiError> {
    let input: ExtensionInput = json_body(&body)?;
    let number = number_of(input.number.as_deref().unwrap_or(""), "number")?;
    upsert(&api, number, input, true).await
}

/// Changes the fields given.
#[utoipa::path(put, path = "/extensions/{number}", operation_id = "update_extension", tag = "extensions",
    params(("number" = String, Path, description = "Extension number")),
    request_body = ExtensionInput,
    responses(
        (status = 200, description = "Changed", body = ExtensionView),
        (status = 400, description = "Not a JSON object of the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such extension", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    ))]
pub(super) async fn update(
    State(api): State<Arc<Api>>,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ExtensionInput = json_body(&body)?;
    let number = number_of(&number, "number")?;
    if input
        .number
        .as_deref()
        .is_some_and(|n| n != number.as_str())
    {
        return Err(ApiError::Invalid(vec![(
            "number".into(),
            "cannot be changed".into(),
        )]));
    }
    upsert(&api, number, input, false).await
}

/// Deletes an extension, taking it off its line key.
#[utoipa::path(delete, path = "/extensions/{number}", operation_id = "delete_extension", tag = "extensions",
    params(("number" = String, Path, description = "Extension number")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such extension", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
        (status = 422, description = "Not an extension number", body = ErrorBody),
    ))]
pub(super) async fn delete(
    State(api): State<Arc<Api>>,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let number = number_of(&number, "number")?;
    let snapshot = api.store.snapshot().await?;
    if !snapshot.extensions.iter().any(|e| e.number == number) {
        return Err(ApiError::NotFound(format!("no extension {number}")));
    }
    let mut changes = ChangeSet {
        expected_revision: snapshot.revision,
        delete_extensions: vec![number.clone()],
        ..ChangeSet::default()
    };
    for phone in snapshot
        .phones
        .iter()
        .filter(|p| p.lines.values().any(|n| *n == number))
    {
        let mut lines = phone.lines.clone();
        lines.retain(|_, n| *n != number);
        changes.replace_lines.push((phone.mac, lines));
    }
    apply_and_reload(&api, &changes).await
}
