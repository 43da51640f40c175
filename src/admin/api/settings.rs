//! Settings without templates in the admin API: every setting, one setting set or removed, a
//! settings CSV imported (the same code and report as `phoneprov settings import`), and one
//! phone's profile and effective settings with where each value comes from.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use crate::admin::api::csv::{ImportQuery, csv_of, file_refused};
use crate::admin::api::error::ErrorBody;
use crate::admin::api::fields::{json_body, refused, reload};
use crate::admin::api::phones::parse_mac;
use crate::admin::api::{API_ACTOR, Api, ApiError};
use crate::domain::{Effective, ExtensionNumber, Mac};
use crate::import::{
    ImportOptions, KeysReport, Names, PROFILE_PARAMETER, SettingsReport, TableRow, apply_key_rows,
    apply_settings_rows, import_settings, write_keys,
};

/// One stored setting (values of password parameters are left out).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct SettingView {
    /// `deployment`, `site`, `vendor`, `model`, `profile` or `phone`.
    scope: String,
    /// The site, vendor, model, profile or MAC; empty for the deployment.
    target: String,
    /// The parameter (vendor-native, or neutral: `@language`, `@vlan`, `@lldp`, `@codecs`,
    /// `@admin_password`).
    parameter: String,
    /// The value; `null` for a password parameter.
    value: Option<String>,
}

/// Every setting and profile assignment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct SettingsView {
    /// The settings, by scope, target and parameter.
    settings: Vec<SettingView>,
    /// The phones given a profile: `{mac, profile}`.
    profiles: Vec<ProfileView>,
}

/// A phone's profile.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub(super) struct ProfileView {
    /// The phone.
    #[serde(default)]
    mac: String,
    /// Its profile; `null` for none.
    profile: Option<String>,
}

/// Body of `PUT /settings`: one setting; an empty value removes it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SettingInput {
    /// `deployment`, `site`, `vendor`, `model`, `profile` or `phone`.
    scope: String,
    /// The site, vendor, model, profile or MAC; empty (or left out) for the deployment.
    #[serde(default)]
    target: String,
    /// The parameter.
    parameter: String,
    /// Its value; empty removes the setting.
    value: String,
}

/// A phone's profile and the settings it gets.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct PhoneSettingsView {
    /// Its profile, if any.
    profile: Option<String>,
    /// Every parameter its files set from settings, with its value and where it comes from.
    settings: Vec<Effective>,
}

/// Every setting and profile assignment.
#[utoipa::path(get, path = "/settings", operation_id = "list_settings", tag = "settings",
    responses(
        (status = 200, description = "Every setting", body = SettingsView),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn list(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    let book = api.store.settings().await?;
    let settings = book
        .settings()
        .iter()
        .map(|s| SettingView {
            scope: s.scope.kind().to_string(),
            target: s.scope.target(),
            parameter: s.parameter.to_string(),
            value: (!s.parameter.is_secret()).then(|| s.value.clone()),
        })
        .collect();
    let mut profiles: Vec<ProfileView> = book
        .profiles()
        .iter()
        .map(|(mac, profile)| ProfileView {
            mac: mac.polycom_name(),
            profile: Some(profile.to_string()),
        })
        .collect();
    profiles.sort_by(|a, b| a.mac.cmp(&b.mac));
    Ok(Json(SettingsView { settings, profiles }))
}

async fn apply_rows(api: &Api, rows: &[TableRow]) -> Result<SettingsReport, ApiError> {
    let report = apply_settings_rows(
        api.store.as_ref(),
        rows,
        Names::Current,
        &ImportOptions::by(API_ACTOR),
    )
    .await
    .map_err(refused)?;
    reload(api).await;
    Ok(report)
}

/// Sets one setting (an empty value removes it); a known parameter's value is checked, an
/// unknown one is set with a warning in the report.
#[utoipa::path(put, path = "/settings", operation_id = "set_setting", tag = "settings",
    request_body = SettingInput,
    responses(
        (status = 200, description = "Set, with any warning", body = SettingsReport),
        (status = 400, description = "Not a JSON object of the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    ))]
pub(super) async fn set(
    State(api): State<Arc<Api>>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let input: SettingInput = json_body(&body)?;
    let row = TableRow {
        line: 1,
        cells: vec![input.scope, input.target, input.parameter, input.value],
    };
    Ok(Json(apply_rows(&api, &[row]).await?))
}

/// Imports settings from CSV (`scope,target,parameter,value`), all or nothing.
#[utoipa::path(post, path = "/settings/import", operation_id = "import_settings", tag = "settings",
    params(ImportQuery),
    request_body(content((String = "text/csv"))),
    responses(
        (status = 200, description = "What the import did, or would do", body = SettingsReport),
        (status = 400, description = "A bad parameter", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
        (status = 413, description = "Larger than --api-body-limit", body = ErrorBody),
        (status = 422, description = "Errors in the file, each with line and column; nothing \
            was written", body = ErrorBody),
    ))]
pub(super) async fn import(
    State(api): State<Arc<Api>>,
    Query(query): Query<ImportQuery>,
    request: Request,
) -> Result<impl IntoResponse, ApiError> {
    let body = csv_of(request).await?;
    let mut report = import_settings(api.store.as_ref(), &body, &query.options()?)
        .await
        .map_err(file_refused)?;
    if report.revision.is_some() {
        reload(&api).await;
        report.limits = api.live.limit_warnings();
    }
    Ok(Json(report))
}

/// A phone's profile and effective settings, with where each value comes from.
#[utoipa::path(get, path = "/phones/{mac}/settings", operation_id = "phone_settings", tag = "settings",
    params(("mac" = String, Path, description = "The phone's MAC, any notation")),
    responses(
        (status = 200, description = "The phone's settings", body = PhoneSettingsView),
        (status = 400, description = "Not a MAC", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
    ))]
pub(super) async fn of_phone(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let mac = parse_mac(&mac)?;
    let (profile, settings) = api
        .live
        .settings_of_phone(&mac)
        .ok_or_else(|| ApiError::NotFound(format!("no phone {mac}")))?;
    Ok(Json(PhoneSettingsView { profile, settings }))
}

/// Gives a phone a profile (`null` takes it away).
#[utoipa::path(put, path = "/phones/{mac}/profile", operation_id = "set_phone_profile", tag = "settings",
    params(("mac" = String, Path, description = "The phone's MAC, any notation")),
    request_body = ProfileView,
    responses(
        (status = 200, description = "Given", body = SettingsReport),
        (status = 400, description = "Not a MAC, or not a JSON object", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 422, description = "No such phone, or not a profile name", body = ErrorBody),
    ))]
pub(super) async fn set_profile(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let mac = parse_mac(&mac)?;
    let input: ProfileView = json_body(&body)?;
    Ok(Json(give_profile(&api, mac, input.profile).await?))
}

/// Gives phone `mac` the profile (`None` takes it away).
pub(super) async fn give_profile(
    api: &Api,
    mac: Mac,
    profile: Option<String>,
) -> Result<SettingsReport, ApiError> {
    let row = TableRow {
        line: 1,
        cells: vec![
            "phone".to_string(),
            mac.polycom_name(),
            PROFILE_PARAMETER.to_string(),
            profile.unwrap_or_default(),
        ],
    };
    apply_rows(api, &[row]).await
}

/// Whether an extension is listed in the company directory.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct DirectoryListing {
    /// Listed (the default) or not.
    listed: bool,
}

/// Lists an extension in the company directory phones get, or takes it out.
#[utoipa::path(put, path = "/extensions/{number}/directory", operation_id = "set_extension_directory", tag = "extensions",
    params(("number" = String, Path, description = "Extension number")),
    request_body = DirectoryListing,
    responses(
        (status = 200, description = "Set", body = DirectoryListing),
        (status = 400, description = "Not a number, or not the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such extension", body = ErrorBody),
    ))]
pub(super) async fn set_in_directory(
    State(api): State<Arc<Api>>,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let number =
        ExtensionNumber::parse(&number).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let input: DirectoryListing = json_body(&body)?;
    api.store
        .set_in_directory(&number, input.listed, API_ACTOR)
        .await?;
    reload(&api).await;
    Ok(Json(input))
}

/// Body of `PUT /phones/{mac}/keys`: every programmed key of the phone.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct KeysInput {
    /// The keys; an empty list clears them.
    keys: Vec<KeyInput>,
}

/// One key of `PUT /phones/{mac}/keys`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct KeyInput {
    /// Its number, from 1.
    key: u16,
    /// `line`, `blf`, `speeddial`, `park`, `pickup`, `dnd` or `voicemail`.
    #[serde(rename = "type")]
    kind: String,
    /// Its number, extension, line or code.
    #[serde(default)]
    value: String,
    /// What it shows.
    #[serde(default)]
    label: String,
}

/// A phone's keys.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct KeysView {
    /// Its own keys and its profile's, in key order.
    keys: Vec<crate::domain::ProgrammedKey>,
}

/// A phone's programmed keys (its own and its profile's).
#[utoipa::path(get, path = "/phones/{mac}/keys", operation_id = "phone_keys", tag = "settings",
    params(("mac" = String, Path, description = "The phone's MAC, any notation")),
    responses(
        (status = 200, description = "The keys", body = KeysView),
        (status = 400, description = "Not a MAC", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn keys(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let mac = parse_mac(&mac)?;
    let book = api.store.settings().await?;
    Ok(Json(KeysView {
        keys: book.keys_of_phone(&mac),
    }))
}

/// Sets a phone's own programmed keys to exactly these; each is checked against the phone's
/// model and firmware.
#[utoipa::path(put, path = "/phones/{mac}/keys", operation_id = "set_phone_keys", tag = "settings",
    params(("mac" = String, Path, description = "The phone's MAC, any notation")),
    request_body = KeysInput,
    responses(
        (status = 200, description = "Set", body = KeysReport),
        (status = 400, description = "Not a MAC, or not a JSON object", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
        (status = 422, description = "Invalid keys, each named", body = ErrorBody),
    ))]
pub(super) async fn set_keys(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let mac = parse_mac(&mac)?;
    let input: KeysInput = json_body(&body)?;
    let rows: Vec<TableRow> = input
        .keys
        .into_iter()
        .enumerate()
        .map(|(i, k)| TableRow {
            line: i as u64 + 1,
            cells: vec![
                mac.polycom_name(),
                k.key.to_string(),
                k.kind,
                k.value,
                k.label,
            ],
        })
        .collect();
    let options = ImportOptions::by(API_ACTOR);
    let report = if rows.is_empty() {
        let revision = api.store.revision().await?;
        write_keys(
            api.store.as_ref(),
            vec![(crate::domain::KeyOwner::Phone(mac), Vec::new())],
            revision,
            &options,
        )
        .await
    } else {
        apply_key_rows(api.store.as_ref(), &rows, &options).await
    }
    .map_err(refused)?;
    reload(&api).await;
    Ok(Json(report))
}
