//! Phones in the admin API: list with last seen, detail (fetches, uploads, the files it will
//! get), an uploaded file, the rendered preview of each file, line-key assignment and deletion.

use std::collections::{BTreeMap, HashSet};
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
use crate::admin::api::{Api, ApiError};
use crate::domain::{
    Extension, ExtensionNumber, LineNumber, Mac, Model, Phone, PushRecord, SiteName,
    check_display_name, quoted,
};
use crate::http_common::with_content_type;
use crate::import::{Cell, ImportOptions, Row, apply_rows};
use crate::observe::activity::failed_phones;
use crate::provision::live::FetchAnswer;
use crate::provision::upload::content_type_of_upload;
use crate::push::pusher::Reason;
use crate::store::ChangeSet;

#[derive(Serialize, utoipa::ToSchema)]
struct LineView {
    line: u8,
    extension: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct LastSeenView {
    at_ms: i64,
    ip: String,
    user_agent: Option<String>,
    firmware: Option<String>,
    file: String,
    transport: String,
}

#[derive(Serialize, utoipa::ToSchema)]
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

pub(super) fn parse_mac(text: &str) -> Result<Mac, ApiError> {
    Mac::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// Which phones to list, and in which order.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PhoneFilter {
    /// `hour`: fetched a file in the last hour; `day`: in the last day; `never`: never
    /// fetched one; `not-hour`: not in the last hour (never included).
    seen: Option<String>,
    /// `true`: only phones with a recent boot or registration failure (a firmware image
    /// missing, a failed registration in an uploaded log), as the dashboard lists them.
    failed: Option<bool>,
    /// `mac` (the default), `last_seen` (newest first) or `-last_seen` (oldest first, never
    /// seen before all).
    sort: Option<String>,
}

/// When a listed phone was last seen, as `seen` asks.
#[derive(Clone, Copy)]
enum Seen {
    Any,
    Hour,
    Day,
    Never,
    NotHour,
}

/// The order `sort` asks for.
#[derive(Clone, Copy)]
enum Order {
    Mac,
    NewestFirst,
    OldestFirst,
}

/// A [`PhoneFilter`] read once, so a bad value is refused whatever the list holds.
struct Filter {
    seen: Seen,
    failed_only: bool,
    order: Order,
}

impl PhoneFilter {
    fn read(&self) -> Result<Filter, ApiError> {
        let seen = match self.seen.as_deref() {
            None | Some("") => Seen::Any,
            Some("hour") => Seen::Hour,
            Some("day") => Seen::Day,
            Some("never") => Seen::Never,
            Some("not-hour") => Seen::NotHour,
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "seen must be hour, day, never or not-hour, not {}",
                    quoted(other)
                )));
            }
        };
        let order = match self.sort.as_deref() {
            None | Some("") | Some("mac") => Order::Mac,
            Some("last_seen") => Order::NewestFirst,
            Some("-last_seen") => Order::OldestFirst,
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "sort must be mac, last_seen or -last_seen, not {}",
                    quoted(other)
                )));
            }
        };
        Ok(Filter {
            seen,
            failed_only: self.failed.unwrap_or(false),
            order,
        })
    }
}

fn seen_at(phone: &Phone) -> Option<i64> {
    phone.last_seen.as_ref().map(|s| s.at_ms)
}

impl Filter {
    fn keeps(&self, phone: &Phone, now_ms: i64, failed: &HashSet<String>) -> bool {
        let hour_ago = now_ms - 3_600_000;
        let seen = match self.seen {
            Seen::Any => true,
            Seen::Hour => seen_at(phone).is_some_and(|at| at >= hour_ago),
            Seen::Day => seen_at(phone).is_some_and(|at| at >= now_ms - 86_400_000),
            Seen::Never => seen_at(phone).is_none(),
            Seen::NotHour => seen_at(phone).is_none_or(|at| at < hour_ago),
        };
        seen && (!self.failed_only || failed.contains(&phone.mac.polycom_name()))
    }

    fn sort(&self, phones: &mut [&Phone]) {
        match self.order {
            Order::Mac => {}
            Order::NewestFirst => phones.sort_by_key(|p| std::cmp::Reverse(seen_at(p))),
            Order::OldestFirst => phones.sort_by_key(|p| seen_at(p)),
        }
    }
}

/// Lists phones with their last fetch, searching MAC and model, filtered by when they were last
/// seen or by a recent failure, and sorted by MAC or last seen.
#[utoipa::path(get, path = "/phones", operation_id = "list_phones", tag = "phones", params(Page, PhoneFilter),
    responses(
        (status = 200, description = "One page of phones", body = Paged<PhoneView>),
        (status = 400, description = "A bad paging parameter", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn list(
    State(api): State<Arc<Api>>,
    Query(page): Query<Page>,
    Query(filter): Query<PhoneFilter>,
) -> Result<impl IntoResponse, ApiError> {
    let search = Search::new(&page.q);
    // A MAC in any notation (`00-04-f2-14-ab-37`, `00:04:F2`, `0004.f214`) matches its digits.
    let mac_digits = page
        .q
        .as_deref()
        .filter(|q| {
            q.chars()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '-' | '.'))
        })
        .map(|q| {
            q.chars()
                .filter(char::is_ascii_hexdigit)
                .collect::<String>()
                .to_ascii_lowercase()
        })
        .filter(|digits| !digits.is_empty());
    let filter = filter.read()?;
    let phones = api.store.phones().await?;
    let failed: HashSet<String> = failed_phones().into_iter().map(|(mac, _)| mac).collect();
    let now = crate::clock::now_ms();
    let mut listed: Vec<&Phone> = phones
        .iter()
        .filter(|p| {
            search.matches(&[&p.mac.to_string(), p.model.as_deref().unwrap_or("")])
                || mac_digits
                    .as_ref()
                    .is_some_and(|digits| p.mac.polycom_name().contains(digits.as_str()))
        })
        .filter(|p| filter.keeps(p, now, &failed))
        .collect();
    filter.sort(&mut listed);
    paged(listed.into_iter().map(phone_view).collect(), &page)
}

#[derive(Serialize, utoipa::ToSchema)]
struct FetchView {
    file: String,
    count: i64,
    last_at_ms: i64,
    transport: String,
}

#[derive(Serialize, utoipa::ToSchema)]
struct PhoneDetail {
    #[serde(flatten)]
    phone: PhoneView,
    /// The files the phone will fetch.
    files: Vec<String>,
    /// The files it fetched.
    fetches: Vec<FetchView>,
    /// What it uploaded (logs, overrides, directory).
    uploads: Vec<UploadView>,
    /// The last check-sync push, if one was made.
    push: Option<PushView>,
}

/// The last check-sync NOTIFY sent to a phone and how it ended.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct PushView {
    /// `change` (an admin change altered its files) or `resync` (asked for).
    reason: String,
    /// Where it went, `address:port`.
    target: Option<String>,
    sent_at_ms: i64,
    /// `pending`, `acknowledged`, `refused`, `no answer` or `never seen`.
    outcome: &'static str,
    /// The phone's final SIP status code.
    status: Option<u16>,
    /// Times sent (1 + retransmissions).
    attempts: u32,
    finished_at_ms: Option<i64>,
    /// Whether the phone fetched a file since.
    refetched: bool,
}

/// The view of a push record; `last_seen_at` is when the phone last fetched a file.
pub(super) fn push_view(record: &PushRecord, last_seen_at: Option<i64>) -> PushView {
    PushView {
        refetched: last_seen_at.is_some_and(|at| at > record.sent_at_ms),
        reason: record.reason.clone(),
        target: record.target.clone(),
        sent_at_ms: record.sent_at_ms,
        outcome: record.outcome.as_str(),
        status: record.status,
        attempts: record.attempts,
        finished_at_ms: record.finished_at_ms,
    }
}

/// A file a phone uploaded; its content is at `/phones/{mac}/uploads/{name}`.
#[derive(Serialize, utoipa::ToSchema)]
struct UploadView {
    name: String,
    size: i64,
    updated_at_ms: i64,
    /// Whether an admin accepted it as it is now; until then it is untrusted (anyone who can
    /// pass for the phone could have sent it).
    accepted: bool,
}

/// Gets one phone with its fetches, uploads and the files it will get.
#[utoipa::path(get, path = "/phones/{mac}", operation_id = "get_phone", tag = "phones",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    responses(
        (status = 200, description = "The phone", body = PhoneDetail),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
    ))]
pub(super) async fn get_one(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let (mac, phone) = stored_phone(&api, &mac).await?;
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
    let uploads = api
        .store
        .uploads(&mac)
        .await?
        .into_iter()
        .map(|u| UploadView {
            name: u.name,
            size: u.size,
            updated_at_ms: u.updated_at_ms,
            accepted: u.accepted,
        })
        .collect();
    let last_seen_at = phone.last_seen.as_ref().map(|seen| seen.at_ms);
    let push = api
        .store
        .push(&mac)
        .await?
        .map(|record| push_view(&record, last_seen_at));
    Ok(Json(PhoneDetail {
        phone: phone_view(&phone),
        files: api.live.files_of_phone(&mac).unwrap_or_default(),
        fetches,
        uploads,
        push,
    }))
}

/// A phone queued for a push.
#[derive(Serialize, utoipa::ToSchema)]
struct Queued {
    /// Its MAC address.
    queued: String,
}

/// Asks the phone to fetch its files again now (a check-sync NOTIFY); the outcome shows in
/// `push` of `GET /phones/{mac}`.
#[utoipa::path(post, path = "/phones/{mac}/resync", operation_id = "resync_phone", tag = "phones",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    responses(
        (status = 202, description = "Queued", body = Queued),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
        (status = 409, description = "The phone was never seen (no address to notify), or pushing is off", body = ErrorBody),
    ))]
pub(super) async fn resync(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let (mac, phone) = stored_phone(&api, &mac).await?;
    let Some(queue) = &api.controls.pushes else {
        return Err(ApiError::Conflict(
            "pushing is off (--push-listen off)".into(),
        ));
    };
    if phone.last_seen.is_none() {
        return Err(ApiError::Conflict(format!(
            "phone {mac} was never seen: its address is unknown"
        )));
    }
    queue.push([mac], Reason::Resync);
    Ok((
        StatusCode::ACCEPTED,
        Json(Queued {
            queued: mac.to_string(),
        }),
    ))
}

/// The phone a path names, as stored (with last seen), or 400/404.
async fn stored_phone(api: &Api, text: &str) -> Result<(Mac, Phone), ApiError> {
    let mac = parse_mac(text)?;
    let phone = api
        .store
        .phone(&mac)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no phone {mac}")))?;
    Ok((mac, phone))
}

/// The files a known phone will fetch, or 404.
fn files_of(api: &Api, mac: &Mac) -> Result<Vec<String>, ApiError> {
    api.live
        .files_of_phone(mac)
        .ok_or_else(|| ApiError::NotFound(format!("no phone {mac}")))
}

/// The names of the files the phone will fetch.
#[utoipa::path(get, path = "/phones/{mac}/files", operation_id = "list_phone_files", tag = "phones",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    responses(
        (status = 200, description = "File names", body = Vec<String>),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
    ))]
pub(super) async fn files(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let mac = parse_mac(&mac)?;
    let files = files_of(&api, &mac)?;
    Ok(Json(files))
}

/// One of the phone's files, rendered as the phone gets it (a preview: not a fetch).
#[utoipa::path(get, path = "/phones/{mac}/files/{name}", operation_id = "preview_phone_file", tag = "phones",
    params(
        ("mac" = String, Path, description = "MAC address, any notation"),
        ("name" = String, Path, description = "One of the names of `/phones/{mac}/files`"),
    ),
    responses(
        (status = 200, description = "The file", content(
            (String = "text/xml; charset=utf-8"), (String = "text/plain; charset=utf-8"))),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone, or not one of its files", body = ErrorBody),
    ))]
pub(super) async fn file(
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
        Ok(FetchAnswer::NotFound(reason)) => Err(ApiError::NotFound(reason.to_string())),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}

/// A file the phone uploaded, as it sent it.
#[utoipa::path(get, path = "/phones/{mac}/uploads/{name}", operation_id = "get_phone_upload", tag = "phones",
    params(
        ("mac" = String, Path, description = "MAC address, any notation"),
        ("name" = String, Path, description = "Upload name, e.g. `0004f214ab37-phone.cfg`"),
    ),
    responses(
        (status = 200, description = "The upload", content(
            (String = "text/xml; charset=utf-8"), (String = "text/plain; charset=utf-8"))),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such upload", body = ErrorBody),
    ))]
pub(super) async fn upload(
    State(api): State<Arc<Api>>,
    Path((mac, name)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let mac = parse_mac(&mac)?;
    let upload = api
        .store
        .upload(&mac, &name)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("phone {mac} uploaded no {name:?}")))?;
    Ok(with_content_type(
        upload.content,
        content_type_of_upload(&upload.name),
    ))
}

/// The answer to accepting an upload.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AcceptedUpload {
    /// The upload accepted.
    accepted: String,
}

/// Accepts a file the phone uploaded, as it is now: it no longer shows as untrusted. A newer
/// upload of the same name is untrusted again.
#[utoipa::path(post, path = "/phones/{mac}/uploads/{name}/accept", operation_id = "accept_phone_upload", tag = "phones",
    params(
        ("mac" = String, Path, description = "MAC address, any notation"),
        ("name" = String, Path, description = "Upload name, e.g. `0004f214ab37-phone.cfg`"),
    ),
    responses(
        (status = 200, description = "Accepted", body = AcceptedUpload),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such upload", body = ErrorBody),
    ))]
pub(super) async fn accept_upload(
    State(api): State<Arc<Api>>,
    Path((mac, name)): Path<(String, String)>,
) -> Result<Json<AcceptedUpload>, ApiError> {
    let mac = parse_mac(&mac)?;
    if !api.store.accept_upload(&mac, &name).await? {
        return Err(ApiError::NotFound(format!(
            "phone {mac} uploaded no {name:?}"
        )));
    }
    tracing::info!(target: "audit", actor = "api", action = "upload-accept", subject = %mac, detail = %name, "admin change");
    Ok(Json(AcceptedUpload { accepted: name }))
}

/// Body of `PUT /phones/{mac}/lines`: every line key of the phone, and optionally its model.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LinesInput {
    /// Extension number by line key (1, 2, ...).
    pub(super) lines: BTreeMap<LineNumber, String>,
    /// Phone model, e.g. `VVX 410`.
    pub(super) model: Option<String>,
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
        switchover: None,
    }
}

/// The phone and the files it will now get.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct LinesAnswer {
    mac: String,
    files: Vec<String>,
}

/// Sets the phone's line keys to exactly the given ones (creating the phone if needed);
/// extensions moved here leave their old keys.
#[utoipa::path(put, path = "/phones/{mac}/lines", operation_id = "assign_lines", tag = "phones",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    request_body = LinesInput,
    responses(
        (status = 200, description = "Assigned", body = LinesAnswer),
        (status = 400, description = "Not a MAC address, or not a JSON object of the known fields",
            body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
        (status = 422, description = "Invalid fields, each named", body = ErrorBody),
    ))]
pub(super) async fn assign_lines(
    State(api): State<Arc<Api>>,
    Path(mac): Path<String>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: LinesInput = json_body(&body)?;
    let mac = parse_mac(&mac)?;
    assign(&api, mac, input, &NewExtensions::new()).await
}

/// An extension to create where a line key names a number that does not exist yet.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct NewExtension {
    /// Its display name.
    pub(super) display_name: String,
    /// Its home site; left out: the `default` site.
    #[serde(default)]
    pub(super) site: Option<String>,
}

/// Extensions to create, by number.
pub(super) type NewExtensions = BTreeMap<String, NewExtension>;

/// The row that creates extension `number` from `new` on key `line_key` of phone `mac` (a
/// password is generated, as for an imported row without one).
fn creation_row(
    number: ExtensionNumber,
    new: &NewExtension,
    mac: Mac,
    model: Cell<&'static Model>,
    line_key: LineNumber,
    field: &str,
    problems: &mut Vec<(String, String)>,
) -> Option<Row> {
    let site = match new.site.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Cell::Absent,
        Some(site) => match SiteName::parse(site) {
            Ok(site) => Cell::Value(site),
            Err(e) => {
                problems.push((format!("{field}.site"), e.to_string()));
                return None;
            }
        },
    };
    let display_name = new.display_name.trim();
    if let Err(e) = check_display_name(display_name) {
        problems.push((format!("{field}.display_name"), e.to_string()));
        return None;
    }
    Some(Row {
        line: 0,
        extension: number,
        display_name: display_name.to_string(),
        password: Cell::Absent,
        label: Cell::Absent,
        auth_user: Cell::Absent,
        mac: Cell::Value(mac),
        model,
        site,
        line_key,
        switchover: None,
    })
}

/// Sets the line keys of phone `mac` (creating it if needed, and creating the extensions
/// `new` describes where a key names a number that does not exist yet): one import of the rows
/// that place each extension, in one transaction.
pub(super) async fn assign(
    api: &Api,
    mac: Mac,
    input: LinesInput,
    new: &NewExtensions,
) -> Result<Response, ApiError> {
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
        if *line == 0 {
            fields.0.push((field, "line keys start at 1".into()));
            continue;
        }
        let Some(extension) = snapshot.extensions.iter().find(|e| e.number == number) else {
            let wanted = new.iter().find(|(n, _)| n.trim() == number.as_str());
            match wanted {
                Some((_, wanted)) => {
                    let key = format!("new_extensions.{number}");
                    rows.extend(creation_row(
                        number,
                        wanted,
                        mac,
                        model.clone(),
                        *line,
                        &key,
                        &mut fields.0,
                    ));
                }
                None => fields.0.push((
                    field,
                    format!(
                        "no extension {number}: give its display name (new_extensions) to create it"
                    ),
                )),
            }
            continue;
        };
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
    apply_rows(
        api.store.as_ref(),
        &rows,
        &ImportOptions::by(super::API_ACTOR),
    )
    .await
    .map_err(refused)?;
    reload(api).await;
    let files = api.live.files_of_phone(&mac).unwrap_or_default();
    Ok(Json(LinesAnswer {
        mac: mac.to_string(),
        files,
    })
    .into_response())
}

/// Deletes the phone with its line keys, fetch records and uploads.
#[utoipa::path(delete, path = "/phones/{mac}", operation_id = "delete_phone", tag = "phones",
    params(("mac" = String, Path, description = "MAC address, any notation")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Not a MAC address", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such phone", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
    ))]
pub(super) async fn delete(
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
    apply_and_reload(&api, &changes).await
}
