//! The admin API (JSON under `/api/v1`), behind a bearer token compared in constant time:
//! extensions, phones (with last seen, fetches and the files each phone will get, rendered for
//! preview), sites, CSV import (the same code and report as `phoneprov import`) and export.
//! Errors are JSON `{"error": "...", "details": [...]}` with the fitting status; bad input is never
//! a 500. After a change the live data is reloaded at once.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::domain::{Extension, ExtensionNumber, Mac, Phone, Site, SiteId};
use crate::import::{ImportError, ImportOptions, RowError, export_csv, import_csv};
use crate::serve::edits;
use crate::serve::http::with_content_type;
use crate::serve::live::{FetchAnswer, Live};
use crate::serve::token::same_secret;
use crate::store::{Store, StoreError};

/// Default largest import body (16 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;
/// Default and largest page size.
const PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

pub(crate) struct Api {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) live: Arc<Live>,
    token: String,
}

/// The API router, to be nested under `/api/v1`.
pub fn router(store: Arc<dyn Store>, live: Arc<Live>, token: String, body_limit: usize) -> Router {
    let api = Arc::new(Api { store, live, token });
    Router::new()
        .route("/extensions", get(extensions).post(edits::create_extension))
        .route(
            "/extensions/{number}",
            get(extension)
                .put(edits::update_extension)
                .delete(edits::delete_extension),
        )
        .route("/phones", get(phones))
        .route("/phones/{mac}", get(phone).delete(edits::delete_phone))
        .route(
            "/phones/{mac}/lines",
            axum::routing::put(edits::assign_lines),
        )
        .route("/phones/{mac}/files", get(phone_files))
        .route("/phones/{mac}/files/{name}", get(phone_file))
        .route("/sites", get(sites).post(edits::create_site))
        .route("/sites/{name}", get(site).put(edits::update_site))
        .route(
            "/import",
            post(import).layer(DefaultBodyLimit::max(body_limit)),
        )
        .route("/export", get(export))
        .route("/", any(no_route))
        .route("/{*rest}", any(no_route))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&api), authorize))
        .with_state(api)
}

async fn no_route() -> ApiError {
    ApiError::NotFound("no such API route".into())
}

/// The error answer of every API route.
#[derive(Debug)]
pub enum ApiError {
    /// 401: no or a wrong token.
    Unauthorized,
    /// 404.
    NotFound(String),
    /// 400: a malformed parameter.
    BadRequest(String),
    /// 422: the CSV has errors (every one listed).
    Rejected(Vec<RowError>),
    /// 409: the data changed meanwhile.
    Conflict(String),
    /// 413: the body is larger than allowed.
    TooLarge,
    /// 422: invalid fields of a JSON body, as `(field, message)`.
    Invalid(Vec<(String, String)>),
    /// 500: the database failed.
    Internal(String),
}

#[derive(Serialize)]
struct ErrorBody<T: Serialize> {
    error: String,
    details: Vec<T>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, details): (StatusCode, String, Vec<RowError>) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "a valid bearer token is required (Authorization: Bearer TOKEN)".into(),
                vec![],
            ),
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, what, vec![]),
            ApiError::BadRequest(what) => (StatusCode::BAD_REQUEST, what, vec![]),
            ApiError::Conflict(what) => (StatusCode::CONFLICT, what, vec![]),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is larger than allowed (--api-body-limit)".into(),
                vec![],
            ),
            ApiError::Rejected(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{} error(s) in the file; nothing was written", errors.len()),
                errors,
            ),
            ApiError::Invalid(fields) => {
                let details: Vec<serde_json::Value> = fields
                    .iter()
                    .map(|(field, message)| serde_json::json!({"field": field, "message": message}))
                    .collect();
                let body = ErrorBody {
                    error: format!("{} invalid field(s); nothing was written", details.len()),
                    details,
                };
                return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
            }
            ApiError::Internal(what) => {
                tracing::error!("admin API: {what}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; see the server log".into(),
                    vec![],
                )
            }
        };
        let mut response = (status, Json(ErrorBody { error, details })).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => ApiError::Conflict(e.to_string()),
            StoreError::NotFound(what) => ApiError::NotFound(format!("{what} not found")),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

async fn authorize(State(api): State<Arc<Api>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if same_secret(presented.as_bytes(), api.token.as_bytes()) {
        next.run(request).await
    } else {
        ApiError::Unauthorized.into_response()
    }
}

#[derive(Debug, Deserialize)]
struct Page {
    offset: Option<usize>,
    limit: Option<usize>,
    q: Option<String>,
}

#[derive(Serialize)]
struct Paged<T: Serialize> {
    total: usize,
    offset: usize,
    limit: usize,
    items: Vec<T>,
}

fn paged<T: Serialize>(all: Vec<T>, page: &Page) -> Result<Json<Paged<T>>, ApiError> {
    let limit = page.limit.unwrap_or(PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::BadRequest(format!(
            "limit must be 1 to {MAX_PAGE}"
        )));
    }
    let offset = page.offset.unwrap_or(0);
    let total = all.len();
    let items = all.into_iter().skip(offset).take(limit).collect();
    Ok(Json(Paged {
        total,
        offset,
        limit,
        items,
    }))
}

#[derive(Clone, Serialize)]
struct Placement {
    mac: String,
    line: u8,
}

/// An extension as the API shows it (the password itself only in the export).
#[derive(Serialize)]
struct ExtensionView {
    number: String,
    display_name: String,
    label: Option<String>,
    auth_user: Option<String>,
    password_set: bool,
    home_site: String,
    current_site: String,
    switchover_enabled: bool,
    phone: Option<Placement>,
}

pub(crate) fn site_names(sites: &[Site]) -> HashMap<SiteId, String> {
    sites.iter().map(|s| (s.id, s.name.to_string())).collect()
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
) -> ExtensionView {
    ExtensionView {
        number: e.number.to_string(),
        display_name: e.display_name.clone(),
        label: e.label.clone(),
        auth_user: e.auth_user.clone(),
        password_set: !e.password.is_empty(),
        home_site: sites.get(&e.home_site).cloned().unwrap_or_default(),
        current_site: sites.get(&e.current_site).cloned().unwrap_or_default(),
        switchover_enabled: e.switchover_enabled,
        phone: placements.get(&e.number).cloned(),
    }
}

/// A search query, lowercased once; `None` matches everything.
struct Search(Option<String>);

impl Search {
    fn new(query: &Option<String>) -> Search {
        Search(query.as_ref().map(|q| q.to_lowercase()))
    }

    fn matches(&self, fields: &[&str]) -> bool {
        let Some(query) = &self.0 else { return true };
        fields.iter().any(|f| f.to_lowercase().contains(query))
    }
}

async fn extensions(
    State(api): State<Arc<Api>>,
    Query(page): Query<Page>,
) -> Result<impl IntoResponse, ApiError> {
    let snapshot = api.store.snapshot().await?;
    let sites = site_names(&snapshot.sites);
    let placements = placements(&snapshot.phones);
    let search = Search::new(&page.q);
    let all = snapshot
        .extensions
        .iter()
        .filter(|e| search.matches(&[e.number.as_str(), &e.display_name]))
        .map(|e| extension_view(e, &sites, &placements))
        .collect();
    paged(all, &page)
}

/// One extension as JSON, read fresh from the store (also the answer to an edit).
pub(crate) async fn extension_json(api: &Api, number: &str) -> Result<Response, ApiError> {
    let snapshot = api.store.snapshot().await?;
    let extension = snapshot
        .extensions
        .iter()
        .find(|e| e.number.as_str() == number)
        .ok_or_else(|| ApiError::NotFound(format!("no extension {number:?}")))?;
    let placements = placements(&snapshot.phones);
    Ok(Json(extension_view(
        extension,
        &site_names(&snapshot.sites),
        &placements,
    ))
    .into_response())
}

async fn extension(
    State(api): State<Arc<Api>>,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    extension_json(&api, &number).await
}

#[derive(Serialize)]
struct LineView {
    line: u8,
    extension: String,
}

#[derive(Serialize)]
struct LastSeenView {
    at_ms: i64,
    ip: String,
    user_agent: Option<String>,
    firmware: Option<String>,
    file: String,
    transport: String,
}

#[derive(Serialize)]
struct PhoneView {
    mac: String,
    vendor: String,
    vendor_pinned: bool,
    model: Option<String>,
    lines: Vec<LineView>,
    last_seen: Option<LastSeenView>,
}

fn phone_view(p: &Phone) -> PhoneView {
    PhoneView {
        mac: p.mac.to_string(),
        vendor: p.vendor.to_string(),
        vendor_pinned: p.vendor_pinned,
        model: p.model.clone(),
        lines: p
            .lines
            .iter()
            .map(|(line, n)| LineView {
                line: *line,
                extension: n.to_string(),
            })
            .collect(),
        last_seen: p.last_seen.as_ref().map(|s| LastSeenView {
            at_ms: s.at_ms,
            ip: s.ip.clone(),
            user_agent: s.user_agent.clone(),
            firmware: s.firmware.clone(),
            file: s.file.clone(),
            transport: s.transport.to_string(),
        }),
    }
}

pub(crate) fn parse_mac(text: &str) -> Result<Mac, ApiError> {
    Mac::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))
}

async fn phones(
    State(api): State<Arc<Api>>,
    Query(page): Query<Page>,
) -> Result<impl IntoResponse, ApiError> {
    let search = Search::new(&page.q);
    let all = api
        .store
        .phones()
        .await?
        .iter()
        .filter(|p| search.matches(&[&p.mac.to_string(), p.model.as_deref().unwrap_or("")]))
        .map(phone_view)
        .collect();
    paged(all, &page)
}

#[derive(Serialize)]
struct FetchView {
    file: String,
    count: i64,
    last_at_ms: i64,
    transport: String,
}

#[derive(Serialize)]
struct PhoneDetail {
    #[serde(flatten)]
    phone: PhoneView,
    files: Vec<String>,
    fetches: Vec<FetchView>,
}

async fn phone(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let mac = parse_mac(&mac)?;
    let phone = api
        .store
        .phone(&mac)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no phone {mac}")))?;
    let fetches = api
        .store
        .fetches(&mac)
        .await?
        .into_iter()
        .map(|f| FetchView {
            file: f.file,
            count: f.count,
            last_at_ms: f.last_at_ms,
            transport: f.transport.to_string(),
        })
        .collect();
    Ok(Json(PhoneDetail {
        phone: phone_view(&phone),
        files: api.live.files_of_phone(&mac).unwrap_or_default(),
        fetches,
    }))
}

/// The files a known phone will fetch, or 404.
fn files_of(api: &Api, mac: &Mac) -> Result<Vec<String>, ApiError> {
    api.live
        .files_of_phone(mac)
        .ok_or_else(|| ApiError::NotFound(format!("no phone {mac}")))
}

async fn phone_files(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let mac = parse_mac(&mac)?;
    let files = files_of(&api, &mac)?;
    Ok(Json(files))
}

async fn phone_file(
    State(api): State<Arc<Api>>,
    Path((mac, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let mac = parse_mac(&mac)?;
    let files = files_of(&api, &mac)?;
    if !files.contains(&name) {
        return Err(ApiError::NotFound(format!(
            "{name} is not one of the files of phone {mac}"
        )));
    }
    match api.live.fetch(&name) {
        Ok(FetchAnswer::Found(file)) => {
            Ok(with_content_type(file.content.clone(), file.content_type))
        }
        Ok(FetchAnswer::NotFound(reason)) => Err(ApiError::NotFound(reason)),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

#[derive(Serialize)]
pub(crate) struct SiteView {
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
}

pub(crate) fn site_view(site: &Site, names: &HashMap<SiteId, String>) -> SiteView {
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
    }
}

async fn sites(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    let sites = api.store.sites().await?;
    let names = site_names(&sites);
    Ok(Json(
        sites
            .iter()
            .map(|s| site_view(s, &names))
            .collect::<Vec<_>>(),
    ))
}

async fn site(
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

#[derive(Debug, Deserialize)]
struct ImportQuery {
    dry_run: Option<bool>,
    mode: Option<String>,
}

/// The CSV of an import request: the body itself, or the first file of a multipart form.
async fn csv_of(request: Request) -> Result<Bytes, ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let refused = |status: StatusCode, text: String| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            ApiError::BadRequest(format!("cannot read the request body: {text}"))
        }
    };
    if !multipart {
        return Bytes::from_request(request, &())
            .await
            .map_err(|e| refused(e.status(), e.body_text()));
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| ApiError::BadRequest(format!("invalid multipart form: {}", e.body_text())))?;
    let field_error =
        |e: axum::extract::multipart::MultipartError| refused(e.status(), e.body_text());
    while let Some(field) = form.next_field().await.map_err(field_error)? {
        if field.file_name().is_some() || field.name() == Some("file") {
            return field.bytes().await.map_err(field_error);
        }
    }
    Err(ApiError::BadRequest(
        "the multipart form has no file".into(),
    ))
}

async fn import(
    State(api): State<Arc<Api>>,
    Query(query): Query<ImportQuery>,
    request: Request,
) -> Result<impl IntoResponse, ApiError> {
    let body = csv_of(request).await?;
    let replace = match query.mode.as_deref() {
        None | Some("upsert") => false,
        Some("replace") => true,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "mode must be upsert or replace, not {other:?}"
            )));
        }
    };
    let options = ImportOptions {
        dry_run: query.dry_run.unwrap_or(false),
        replace,
    };
    let report = import_csv(api.store.as_ref(), &body, &options, &|_, _| {})
        .await
        .map_err(|e| match e {
            ImportError::Rejected(errors) => ApiError::Rejected(errors),
            ImportError::Store(e) => ApiError::from(e),
            ImportError::Random(e) => ApiError::Internal(e.to_string()),
        })?;
    if report.revision.is_some()
        && let Err(e) = api.live.refresh().await
    {
        tracing::warn!("imported, but cannot reload the live data yet: {e}");
    }
    Ok(Json(report))
}

async fn export(State(api): State<Arc<Api>>) -> Result<Response, ApiError> {
    let mut csv = Vec::new();
    export_csv(api.store.as_ref(), &mut csv)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(with_content_type(csv, "text/csv; charset=utf-8"))
}
