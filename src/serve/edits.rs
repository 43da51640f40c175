//! The admin API's changes: create, update and delete extensions, set a phone's line keys, delete
//! a phone. Each is a one-row import (the same checks, planning and single transaction, refused
//! if the data changed meanwhile), or a change set of deletions; the live data is reloaded after.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::domain::{
    Extension, ExtensionNumber, LineNumber, Mac, Model, SiteName, check_auth_user,
    check_display_name, check_label, check_password, quoted,
};
use crate::import::{Cell, ImportError, ImportOptions, Row, apply_rows};
use crate::serve::api::{Api, ApiError, extension_json, parse_mac, site_names};
use crate::store::ChangeSet;

/// Body of `POST /extensions` and `PUT /extensions/{number}`. A field left out keeps its value
/// (or the default for a new extension); `""` clears `label`, `auth_user` and `site`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionInput {
    number: Option<String>,
    display_name: Option<String>,
    password: Option<String>,
    label: Option<String>,
    auth_user: Option<String>,
    site: Option<String>,
}

/// Body of `PUT /phones/{mac}/lines`: every line key of the phone, and optionally its model.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinesInput {
    lines: BTreeMap<LineNumber, String>,
    model: Option<String>,
}

struct Fields(Vec<(String, String)>);

impl Fields {
    fn cell<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Cell<T> {
        match value {
            None => Cell::Absent,
            Some("") => Cell::Empty,
            Some(text) => match parse(text) {
                Ok(v) => Cell::Value(v),
                Err(e) => {
                    self.0.push((field.to_string(), e.to_string()));
                    Cell::Empty
                }
            },
        }
    }
}

/// A JSON body, or a 400 naming what is wrong with it.
fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
}

fn refused(e: ImportError) -> ApiError {
    match e {
        ImportError::Rejected(errors) => ApiError::Invalid(
            errors
                .into_iter()
                .map(|e| (e.column.unwrap_or_default(), e.message))
                .collect(),
        ),
        ImportError::Store(e) => ApiError::from(e),
        ImportError::Random(e) => ApiError::Internal(e.to_string()),
    }
}

async fn reload(api: &Api) {
    if let Err(e) = api.live.refresh().await {
        tracing::warn!("changed, but cannot reload the live data yet: {e}");
    }
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
    };
    if !fields.0.is_empty() {
        return Err(ApiError::Invalid(fields.0));
    }
    apply_rows(api.store.as_ref(), &[row], &ImportOptions::default())
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

/// `POST /extensions`: creates an extension (409 if the number exists).
pub(crate) async fn create_extension(
    State(api): State<Arc<Api>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ExtensionInput = json_body(&body)?;
    let number = number_of(input.number.as_deref().unwrap_or(""), "number")?;
    upsert(&api, number, input, true).await
}

/// `PUT /extensions/{number}`: changes the fields given.
pub(crate) async fn update_extension(
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

/// `DELETE /extensions/{number}`: deletes it, taking it off its line key.
pub(crate) async fn delete_extension(
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
    api.store.apply(&changes, &|_, _| {}).await?;
    reload(&api).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A row that changes only where `extension` sits (`Cell::Empty`: on no phone).
fn placement_row(
    extension: &Extension,
    mac: Cell<Mac>,
    model: Cell<&'static Model>,
    line_key: LineNumber,
) -> Row {
    Row {
        line: 0,
        extension: extension.number.clone(),
        display_name: extension.display_name.clone(),
        password: Cell::Absent,
        label: Cell::Absent,
        auth_user: Cell::Absent,
        mac,
        model,
        site: Cell::Absent,
        line_key,
    }
}

/// `PUT /phones/{mac}/lines`: the phone's line keys become exactly the given ones (creating the
/// phone if needed); extensions moved here leave their old keys.
pub(crate) async fn assign_lines(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: LinesInput = json_body(&body)?;
    let mac = parse_mac(&mac)?;
    let snapshot = api.store.snapshot().await?;
    let mut fields = Fields(Vec::new());
    let model = fields.cell("model", input.model.as_deref(), |v| {
        Model::find(v).ok_or_else(|| format!("{} is not a known phone model", quoted(v)))
    });
    let mut rows = Vec::new();
    for (line, number) in &input.lines {
        let field = format!("lines.{line}");
        let Ok(number) = ExtensionNumber::parse(number) else {
            fields.0.push((
                field,
                format!("{} is not an extension number", quoted(number)),
            ));
            continue;
        };
        let Some(extension) = snapshot.extensions.iter().find(|e| e.number == number) else {
            fields.0.push((field, format!("no extension {number}")));
            continue;
        };
        if *line == 0 {
            fields.0.push((field, "line keys start at 1".into()));
            continue;
        }
        rows.push(placement_row(
            extension,
            Cell::Value(mac),
            model.clone(),
            *line,
        ));
    }
    if let Some(phone) = snapshot.phones.iter().find(|p| p.mac == mac) {
        for number in phone.lines.values() {
            if rows.iter().any(|r| &r.extension == number) {
                continue;
            }
            if let Some(extension) = snapshot.extensions.iter().find(|e| &e.number == number) {
                rows.push(placement_row(extension, Cell::Empty, Cell::Absent, 1));
            }
        }
    }
    if !fields.0.is_empty() {
        return Err(ApiError::Invalid(fields.0));
    }
    apply_rows(api.store.as_ref(), &rows, &ImportOptions::default())
        .await
        .map_err(refused)?;
    reload(&api).await;
    let files = api.live.files_of_phone(&mac).unwrap_or_default();
    Ok(Json(serde_json::json!({ "mac": mac.to_string(), "files": files })).into_response())
}

/// `DELETE /phones/{mac}`: deletes the phone with its line keys, fetch records and uploads.
pub(crate) async fn delete_phone(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<Response, ApiError> {
    let mac = parse_mac(&mac)?;
    let snapshot = api.store.snapshot().await?;
    if !snapshot.phones.iter().any(|p| p.mac == mac) {
        return Err(ApiError::NotFound(format!("no phone {mac}")));
    }
    let changes = ChangeSet {
        expected_revision: snapshot.revision,
        delete_phones: vec![mac],
        ..ChangeSet::default()
    };
    api.store.apply(&changes, &|_, _| {}).await?;
    reload(&api).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Body of `POST /sites` and `PUT /sites/{name}`: fields left out keep their value (a new site
/// starts from the MAXCS defaults, with SIP port 5060); `""` clears `sip_server`,
/// `alternate_site`, `voicemail_server` and `voicemail_backup_server`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    name: Option<String>,
    sip_server: Option<String>,
    sip_port: Option<u16>,
    utc_offset_seconds: Option<i32>,
    daylight_saving: Option<bool>,
    sntp_server: Option<String>,
    extension_length: Option<i64>,
    local_dialing: Option<i64>,
    mwi_beep: Option<bool>,
    registration_expiry: Option<u32>,
    alternate_site: Option<String>,
    voicemail_server: Option<String>,
    voicemail_backup_server: Option<String>,
}

/// A host name or address: 1 to 253 characters, no spaces, control characters, quotes or `<>`.
fn host(field: &str, text: &str, fields: &mut Fields) -> Option<String> {
    let ok = (1..=253).contains(&text.len())
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>&/\\".contains(c));
    if !ok {
        fields.0.push((
            field.into(),
            format!("{} is not a host name or address", quoted(text)),
        ));
    }
    ok.then(|| text.to_string())
}

fn optional_host(
    field: &str,
    value: Option<String>,
    current: Option<String>,
    fields: &mut Fields,
) -> Option<String> {
    match value.as_deref() {
        None => current,
        Some("") => None,
        Some(text) => host(field, text, fields),
    }
}

async fn save_site(
    api: &Api,
    name: SiteName,
    input: SiteInput,
    create: bool,
) -> Result<Response, ApiError> {
    let sites = api.store.sites().await?;
    let existing = sites.iter().find(|s| s.name == name);
    match (existing, create) {
        (Some(_), true) => return Err(ApiError::Conflict(format!("site {name} already exists"))),
        (None, false) => return Err(ApiError::NotFound(format!("no site {name}"))),
        _ => {}
    }
    let mut settings = match existing {
        Some(site) => site.settings.clone(),
        None => crate::domain::SiteSettings {
            sip_port: None,
            ..crate::domain::SiteSettings::maxcs_defaults()
        },
    };
    let mut fields = Fields(Vec::new());
    settings.sip_server = optional_host(
        "sip_server",
        input.sip_server,
        settings.sip_server,
        &mut fields,
    );
    settings.voicemail_server = optional_host(
        "voicemail_server",
        input.voicemail_server,
        settings.voicemail_server,
        &mut fields,
    );
    settings.voicemail_backup_server = optional_host(
        "voicemail_backup_server",
        input.voicemail_backup_server,
        settings.voicemail_backup_server,
        &mut fields,
    );
    if let Some(sntp) = input.sntp_server {
        settings.sntp_server = host("sntp_server", &sntp, &mut fields).unwrap_or_default();
    }
    match input.sip_port {
        Some(0) => fields
            .0
            .push(("sip_port".into(), "must be 1 to 65535".into())),
        Some(port) => settings.sip_port = Some(port),
        None => {}
    }
    if let Some(offset) = input.utc_offset_seconds {
        if offset.abs() > 14 * 3600 {
            fields.0.push((
                "utc_offset_seconds".into(),
                "must be within 14 hours of UTC".into(),
            ));
        }
        settings.utc_offset_seconds = offset;
    }
    if let Some(digits) = input.extension_length {
        match crate::domain::ExtensionLength::from_digits(digits) {
            Some(length) => settings.extension_length = length,
            None => fields
                .0
                .push(("extension_length".into(), "must be 3 or 4".into())),
        }
    }
    if let Some(digits) = input.local_dialing {
        match crate::domain::LocalDialing::from_digits(digits) {
            Some(local) => settings.local_dialing = local,
            None => fields
                .0
                .push(("local_dialing".into(), "must be 7 or 10".into())),
        }
    }
    if let Some(dst) = input.daylight_saving {
        settings.daylight_saving = dst;
    }
    if let Some(beep) = input.mwi_beep {
        settings.mwi_beep = beep;
    }
    match input.registration_expiry {
        Some(0) => fields.0.push((
            "registration_expiry".into(),
            "must be 1 or more seconds".into(),
        )),
        Some(seconds) => settings.registration_expiry = Some(seconds),
        None => {}
    }
    match input.alternate_site.as_deref() {
        None => {}
        Some("") => settings.alternate_site = None,
        Some(other) => match sites
            .iter()
            .find(|s| s.name.as_str().eq_ignore_ascii_case(other))
        {
            Some(site) if site.name != name => settings.alternate_site = Some(site.id),
            Some(_) => fields.0.push((
                "alternate_site".into(),
                "a site cannot be its own alternate".into(),
            )),
            None => fields.0.push((
                "alternate_site".into(),
                format!("no site {}", quoted(other)),
            )),
        },
    }
    if !fields.0.is_empty() {
        return Err(ApiError::Invalid(fields.0));
    }
    if create {
        api.store.create_site(&name, &settings).await?;
    } else {
        api.store.update_site(&name, &settings).await?;
    }
    reload(api).await;
    let status = if create {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let sites = api.store.sites().await?;
    let names = site_names(&sites);
    let site = sites
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::NotFound(format!("no site {name}")))?;
    Ok((status, Json(crate::serve::api::site_view(site, &names))).into_response())
}

fn site_name(text: &str) -> Result<SiteName, ApiError> {
    SiteName::parse(text).map_err(|e| ApiError::Invalid(vec![("name".into(), e.to_string())]))
}

/// `POST /sites`: creates a site.
pub(crate) async fn create_site(
    State(api): State<Arc<Api>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: SiteInput = json_body(&body)?;
    let name = site_name(input.name.as_deref().unwrap_or(""))?;
    save_site(&api, name, input, true).await
}

/// `PUT /sites/{name}`: changes the settings given.
pub(crate) async fn update_site(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: SiteInput = json_body(&body)?;
    let name = site_name(&name)?;
    if input
        .name
        .as_deref()
        .is_some_and(|n| !n.eq_ignore_ascii_case(name.as_str()))
    {
        return Err(ApiError::Invalid(vec![(
            "name".into(),
            "cannot be changed".into(),
        )]));
    }
    save_site(&api, name, input, false).await
}
