//! Sites in the admin API: list, get, create, update (call server, ports, time, dialing,
//! voice mail, alternate site). Fields left out keep their value.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::domain::{NumberRanges, Site, SiteId, SiteName, quoted};
use crate::serve::api::error::ErrorBody;
use crate::serve::api::fields::{Fields, json_body, reload};
use crate::serve::api::{Api, ApiError};

/// Each site's name by id.
pub(super) fn site_names(sites: &[Site]) -> HashMap<SiteId, String> {
    sites.iter().map(|s| (s.id, s.name.to_string())).collect()
}

/// A site and its settings.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SiteView {
    name: String,
    sip_server: Option<String>,
    sip_port: u16,
    utc_offset_seconds: i32,
    daylight_saving: bool,
    sntp_server: String,
    extension_length: u8,
    local_dialing: u8,
    mwi_beep: bool,
    registration_expiry: Option<u32>,
    alternate_site: Option<String>,
    voicemail_server: Option<String>,
    voicemail_backup_server: Option<String>,
    /// Numbers the call server uses itself, e.g. `200-299,500`.
    reserved_numbers: String,
    /// Whether its switchover-enabled extensions are on the alternate site now.
    switched_over: bool,
}

pub(super) fn site_view(site: &Site, names: &HashMap<SiteId, String>) -> SiteView {
    let s = &site.settings;
    SiteView {
        name: site.name.to_string(),
        sip_server: s.sip_server.clone(),
        sip_port: s.effective_sip_port(),
        utc_offset_seconds: s.utc_offset_seconds,
        daylight_saving: s.daylight_saving,
        sntp_server: s.sntp_server.clone(),
        extension_length: s.extension_length.digits(),
        local_dialing: s.local_dialing.digits(),
        mwi_beep: s.mwi_beep,
        registration_expiry: s.registration_expiry,
        alternate_site: s.alternate_site.and_then(|id| names.get(&id).cloned()),
        voicemail_server: s.voicemail_server.clone(),
        voicemail_backup_server: s.voicemail_backup_server.clone(),
        reserved_numbers: s.reserved_numbers.to_string(),
        switched_over: site.switched_over,
    }
}

/// Lists every site.
#[utoipa::path(get, path = "/sites", operation_id = "list_sites", tag = "sites",
    responses(
        (status = 200, description = "Every site", body = Vec<SiteView>),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn list(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    let sites = api.store.sites().await?;
    let names = site_names(&sites);
    Ok(Json(
        sites
            .iter()
            .map(|s| site_view(s, &names))
            .collect::<Vec<_>>(),
    ))
}

/// Gets one site (the name is matched without regard to case).
#[utoipa::path(get, path = "/sites/{name}", operation_id = "get_site", tag = "sites",
    params(("name" = String, Path, description = "Site name")),
    responses(
        (status = 200, description = "The site", body = SiteView),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ))]
pub(super) async fn get_one(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let sites = api.store.sites().await?;
    let names = site_names(&sites);
    let site = sites
        .iter()
        .find(|s| s.name.as_str().eq_ignore_ascii_case(&name))
        .ok_or_else(|| ApiError::NotFound(format!("no site {name:?}")))?;
    Ok(Json(site_view(site, &names)))
}

/// Body of `POST /sites` and `PUT /sites/{name}`: fields left out keep their value (a new site
/// starts from the MAXCS defaults, with SIP port 5060); `""` clears `sip_server`,
/// `alternate_site`, `voicemail_server` and `voicemail_backup_server`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
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
    reserved_numbers: Option<String>,
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
    if let Some(text) = input.reserved_numbers {
        match NumberRanges::parse(&text) {
            Ok(ranges) => settings.reserved_numbers = ranges,
            Err(e) => fields.0.push(("reserved_numbers".into(), e.to_string())),
        }
    }
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
    Ok((status, Json(site_view(site, &names))).into_response())
}

fn site_name(text: &str) -> Result<SiteName, ApiError> {
    SiteName::parse(text).map_err(|e| ApiError::Invalid(vec![("name".into(), e.to_string())]))
}

/// Creates a site.
#[utoipa::path(post, path = "/sites", operation_id = "create_site", tag = "sites", request_body = SiteInput,
    responses(
        (status = 201, description = "Created", body = SiteView),
        (status = 400, description = "Not a JSON object of the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 409, description = "The site exists", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    ))]
pub(super) async fn create(State(api): State<Arc<Api>>, body: Bytes) -> Result<Response, ApiError> {
    let input: SiteInput = json_body(&body)?;
    let name = site_name(input.name.as_deref().unwrap_or(""))?;
    save_site(&api, name, input, true).await
}

/// Changes the settings given.
#[utoipa::path(put, path = "/sites/{name}", operation_id = "update_site", tag = "sites",
    params(("name" = String, Path, description = "Site name")),
    request_body = SiteInput,
    responses(
        (status = 200, description = "Changed", body = SiteView),
        (status = 400, description = "Not a JSON object of the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    ))]
pub(super) async fn update(
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
