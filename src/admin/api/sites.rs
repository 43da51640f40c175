//! Sites in the admin API: list, get, create, update (call servers, ports, time, dialing,
//! voice mail, alternate site). Fields left out keep their value.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::admin::api::error::ErrorBody;
use crate::admin::api::fields::{json_body, reload};
use crate::admin::api::{API_ACTOR, Api, ApiError};
use crate::domain::{CallServer, Extension, Site, SiteId, SiteName};
use crate::site_edit::{SiteEditError, SiteInput, edited_settings};

/// Each site's name by id.
pub(super) fn site_names(sites: &[Site]) -> HashMap<SiteId, String> {
    sites.iter().map(|s| (s.id, s.name.to_string())).collect()
}

/// A site and its settings.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SiteView {
    name: String,
    /// The first call server's address (the one-server shorthand).
    sip_server: Option<String>,
    /// Every call server, in order.
    call_servers: Vec<CallServer>,
    sip_port: u16,
    /// The time zone (IANA name), when set: it decides the offset and daylight saving rules.
    time_zone: Option<String>,
    /// Without a time zone: offset of standard time from UTC in seconds (none: UTC).
    utc_offset_seconds: Option<i32>,
    /// Without a time zone: whether daylight saving applies (US rules).
    daylight_saving: bool,
    sntp_server: String,
    extension_length: u8,
    local_dialing: u8,
    mwi_beep: bool,
    registration_expiry: Option<u32>,
    alternate_site: Option<String>,
    voicemail_server: Option<String>,
    /// Numbers the call server uses itself, e.g. `200-299,500`.
    reserved_numbers: String,
    /// Trust on first use: credential files go only to the address that first fetched the
    /// phone's master file.
    trust_first_address: bool,
    /// Numbers dialled at once, first in the dial plan.
    emergency_numbers: String,
    /// The site's own dial plan (digit-map rules separated by `|`), or none: the North American
    /// plan from `extension_length` and `local_dialing`.
    dial_plan: Option<String>,
    /// Local time the phones' daily re-check window opens, or `off`.
    recheck: String,
    /// Whether its switchover-enabled extensions are on the alternate site now.
    switched_over: bool,
    /// Each call server (`address:port`) with the number of the site's extensions it is
    /// primary and backup for (registration distribution).
    load: Vec<ServerLoad>,
}

/// How many extensions a call server carries.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct ServerLoad {
    server: String,
    primary: usize,
    backup: usize,
}

fn load_of(site: &Site, extensions: &[Extension]) -> Vec<ServerLoad> {
    let mut load: Vec<ServerLoad> = site
        .settings
        .bins()
        .into_iter()
        .map(|bin| ServerLoad {
            server: bin.key,
            primary: 0,
            backup: 0,
        })
        .collect();
    for registration in extensions
        .iter()
        .filter(|e| e.current_site == site.id)
        .filter_map(|e| e.registration.as_ref())
    {
        for server in &mut load {
            if server.server == registration.primary {
                server.primary += 1;
            }
            if registration.backup.as_ref() == Some(&server.server) {
                server.backup += 1;
            }
        }
    }
    load
}

pub(super) fn site_view(
    site: &Site,
    names: &HashMap<SiteId, String>,
    extensions: &[Extension],
) -> SiteView {
    let s = &site.settings;
    SiteView {
        name: site.name.to_string(),
        sip_server: s.sip_server().map(str::to_string),
        call_servers: s.call_servers.clone(),
        sip_port: s.effective_sip_port(),
        time_zone: s.time_zone.as_ref().map(ToString::to_string),
        utc_offset_seconds: s.utc_offset_seconds,
        daylight_saving: s.daylight_saving,
        sntp_server: s.sntp_server.clone(),
        extension_length: s.extension_length.digits(),
        local_dialing: s.local_dialing.digits(),
        mwi_beep: s.mwi_beep,
        registration_expiry: s.registration_expiry,
        alternate_site: s.alternate_site.and_then(|id| names.get(&id).cloned()),
        voicemail_server: s.voicemail_server.clone(),
        reserved_numbers: s.reserved_numbers.to_string(),
        trust_first_address: s.trust_first_address,
        emergency_numbers: s.emergency_numbers.to_string(),
        dial_plan: s.dial_plan.as_ref().map(ToString::to_string),
        recheck: s.recheck.to_string(),
        switched_over: site.switched_over,
        load: load_of(site, extensions),
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
    let extensions = api.store.extensions().await?;
    Ok(Json(
        sites
            .iter()
            .map(|s| site_view(s, &names, &extensions))
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
    let extensions = api.store.extensions().await?;
    let site = sites
        .iter()
        .find(|s| s.name.as_str().eq_ignore_ascii_case(&name))
        .ok_or_else(|| ApiError::NotFound(format!("no site {name:?}")))?;
    Ok(Json(site_view(site, &names, &extensions)))
}

async fn save_site(
    api: &Api,
    name: SiteName,
    input: SiteInput,
    create: bool,
) -> Result<Response, ApiError> {
    let sites = api.store.sites().await?;
    let settings = edited_settings(&sites, &name, input, create).map_err(|e| match e {
        SiteEditError::Exists(_) => ApiError::Conflict(e.to_string()),
        SiteEditError::Missing(_) => ApiError::NotFound(e.to_string()),
        SiteEditError::Invalid(fields) => ApiError::Invalid(fields),
    })?;
    if create {
        api.store.create_site(&name, &settings, API_ACTOR).await?;
    } else {
        api.store.update_site(&name, &settings, API_ACTOR).await?;
    }
    reload(api).await;
    let status = if create {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let sites = api.store.sites().await?;
    let names = site_names(&sites);
    let extensions = api.store.extensions().await?;
    let site = sites
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::NotFound(format!("no site {name}")))?;
    Ok((status, Json(site_view(site, &names, &extensions))).into_response())
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
