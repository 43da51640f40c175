//! Extensions and phones on the web page: search and page through them, edit an extension,
//! assign a phone's line keys, and a phone's page with its last fetch, its settings (each with
//! where its value comes from; its profile and its own settings editable), the files it will get
//! (each previewed as rendered), its uploads (a `-phone.cfg` upload shows what the handset
//! changed) and its last check-sync push with a resync button.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tera::Context;

use crate::admin::web::client::{Answer, encode};
use crate::admin::web::dashboard::Notice;
use crate::admin::web::session::Session;
use crate::admin::web::settings::put_setting;
use crate::admin::web::{CsrfOnly, FormFields, Web, done, field, forged, forged_fields};
use crate::domain::{MODELS, Model};

/// Rows per page of a list.
const PAGE: u64 = 50;
/// Line-key inputs offered beyond the last used key of a phone of unknown model.
const SPARE_KEYS: u8 = 2;

pub(crate) fn routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/extensions/{number}", get(extension).post(save_extension))
        .route("/extensions/{number}/password", post(show_password))
        .route(
            "/extensions/{number}/directory",
            post(save_directory_listing),
        )
        .route("/phones/{mac}", get(phone))
        .route("/phones/{mac}/lines", post(save_lines))
        .route("/phones/{mac}/resync", post(resync))
        .route("/phones/{mac}/uploads/{name}/accept", post(accept_upload))
        .route("/phones/{mac}/profile", post(save_profile))
        .route("/phones/{mac}/setting", post(save_setting))
        .route("/phones/{mac}/keys", post(save_keys))
        .route("/phones/{mac}/files/{name}", get(file))
        .route("/phones/{mac}/uploads/{name}", get(upload))
}

/// `?q=&offset=` of a list.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    q: Option<String>,
    offset: Option<u64>,
    notice: Option<String>,
    /// Phones only: `hour`, `day`, `never` or `not-hour`.
    seen: Option<String>,
    /// Phones only: those with a recent failure.
    failed: Option<String>,
    /// Phones only: `mac`, `last_seen` or `-last_seen`.
    sort: Option<String>,
}

impl ListQuery {
    /// The query's search and filters as a query string, without the offset.
    fn kept(&self) -> String {
        self.kept_sorted(self.sort.as_deref())
    }

    /// [`Self::kept`] in the order `sort`.
    fn kept_sorted(&self, sort: Option<&str>) -> String {
        let mut kept = format!("q={}", encode(self.q.as_deref().unwrap_or_default()));
        for (name, value) in [
            ("seen", self.seen.as_deref()),
            ("failed", self.failed.as_deref()),
            ("sort", sort),
        ] {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                kept.push_str(&format!("&{name}={}", encode(value)));
            }
        }
        kept
    }
}

/// A page of `kind` (`extensions`, `phones`) from the API, with the pager's offsets.
async fn list(web: &Web, session: &Session, kind: &str, query: ListQuery) -> Response {
    list_page(web, session, kind, query, None).await
}

/// [`list`], and with `refused` the page again after a refused add form: what was typed, and
/// the problems (then it answers 422).
pub(crate) async fn list_page(
    web: &Web,
    session: &Session,
    kind: &str,
    query: ListQuery,
    refused: Option<(&FormFields, Vec<String>)>,
) -> Response {
    let kept = query.kept();
    // The last-seen heading toggles newest first and oldest first.
    let toggled = if query.sort.as_deref() == Some("last_seen") {
        "-last_seen"
    } else {
        "last_seen"
    };
    let sort_toggle = query.kept_sorted(Some(toggled));
    let q = query.q.unwrap_or_default();
    let offset = query.offset.unwrap_or(0);
    let answer = web
        .api
        .get(&format!("/{kind}?{kept}&offset={offset}&limit={PAGE}"))
        .await;
    let page = answer.json();
    let total = page["total"].as_u64().unwrap_or(0);
    let mut context = Context::new();
    context.insert("q", &q);
    context.insert("page", &page);
    context.insert(
        "previous",
        &(offset > 0).then(|| offset.saturating_sub(PAGE)),
    );
    context.insert("next", &(offset + PAGE < total).then_some(offset + PAGE));
    context.insert("query", &encode(&q));
    context.insert("kept", &kept);
    context.insert("sort_toggle", &sort_toggle);
    context.insert("seen", &query.seen.unwrap_or_default());
    context.insert("failed", &query.failed.is_some_and(|f| f == "true"));
    context.insert("sort", &query.sort.unwrap_or_default());
    add_form_choices(web, &mut context).await;
    let problems = match refused {
        Some((form, problems)) => {
            context.insert("typed", form);
            Some(problems)
        }
        None => (!answer.ok()).then(|| answer.problems()),
    };
    web.pages.render_form(
        &format!("{kind}.html"),
        session,
        query.notice.as_deref(),
        context,
        problems,
    )
}

/// `GET /admin/extensions` (the add form posts to [`super::add_remove::add_extension`]).
pub(crate) async fn extensions(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Query(query): Query<ListQuery>,
) -> Response {
    list(&web, &session, "extensions", query).await
}

/// `GET /admin/phones` (the add form posts to [`super::add_remove::add_phone`]).
pub(crate) async fn phones(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Query(query): Query<ListQuery>,
) -> Response {
    list(&web, &session, "phones", query).await
}

/// What the list pages' add forms offer: the sites and the phone models.
async fn add_form_choices(web: &Web, context: &mut Context) {
    context.insert("sites", &web.api.get("/sites").await.json());
    let models: Vec<Value> = MODELS
        .iter()
        .map(|m| json!({ "name": m.name, "vendor": m.vendor.as_str(), "lines": m.lines }))
        .collect();
    context.insert("models", &models);
}

/// The extension form, filled from `values` (the stored extension, or what was sent).
async fn extension_form(
    web: &Web,
    session: &Session,
    number: &str,
    values: Value,
    problems: Option<Vec<String>>,
    notice: Option<&str>,
) -> Response {
    let sites = web.api.get("/sites").await.json();
    let mut context = Context::new();
    context.insert("number", number);
    context.insert("extension", &values);
    context.insert("sites", &sites);
    web.pages
        .render_form("extension.html", session, notice, context, problems)
}

async fn extension(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(number): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    let answer = web
        .api
        .get(&format!("/extensions/{}", encode(&number)))
        .await;
    if !answer.ok() {
        return not_found(&answer);
    }
    extension_form(
        &web,
        &session,
        &number,
        answer.json(),
        None,
        notice.notice.as_deref(),
    )
    .await
}

/// `POST /admin/extensions/{number}/password`: the page with the SIP password shown (each
/// showing is audited by the API).
async fn show_password(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(number): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let path = format!("/extensions/{}", encode(&number));
    let shown = web.api.get(&format!("{path}/password")).await;
    let answer = web.api.get(&path).await;
    if !shown.ok() || !answer.ok() {
        return not_found(if shown.ok() { &answer } else { &shown });
    }
    let mut values = answer.json();
    values["shown_password"] = shown.json()["password"].clone();
    extension_form(&web, &session, &number, values, None, None).await
}

/// `POST /admin/extensions/{number}/directory`: `listed` (the checkbox, present when ticked):
/// whether the extension is in the company directory phones get.
async fn save_directory_listing(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(number): Path<String>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let listed = form.contains_key("listed");
    let path = format!("/extensions/{}", encode(&number));
    let answer = web
        .api
        .send(
            Method::PUT,
            &format!("{path}/directory"),
            &json!({ "listed": listed }),
        )
        .await;
    if !answer.ok() {
        return not_found(&answer);
    }
    let notice = if listed {
        format!("Extension {number} is listed in the company directory.")
    } else {
        format!("Extension {number} is left out of the company directory.")
    };
    done(&path, &notice)
}

fn not_found(answer: &Answer) -> Response {
    (answer.status, answer.problems().join("\n")).into_response()
}

#[derive(Deserialize)]
struct ExtensionForm {
    csrf: String,
    display_name: String,
    label: String,
    auth_user: String,
    password: String,
    site: String,
    /// The checkbox: present when ticked.
    switchover: Option<String>,
}

async fn save_extension(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(number): Path<String>,
    Form(form): Form<ExtensionForm>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let switchover = form.switchover.is_some();
    let mut body = json!({
        "display_name": form.display_name,
        "label": form.label,
        "auth_user": form.auth_user,
        "site": form.site,
        "switchover_enabled": switchover,
    });
    // An empty password field keeps the password.
    if !form.password.is_empty() {
        body["password"] = json!(form.password);
    }
    // One API call, one transaction: every field is saved or none is.
    let path = format!("/extensions/{}", encode(&number));
    let answer = web.api.send(Method::PUT, &path, &body).await;
    if answer.ok() {
        return done(&path, &format!("Extension {number} saved."));
    }
    let mut shown = body;
    shown["home_site"] = json!(form.site);
    shown["switchover_enabled"] = json!(switchover);
    extension_form(
        &web,
        &session,
        &number,
        shown,
        Some(answer.problems()),
        None,
    )
    .await
}

/// The phone page, with `problems` after a refused change.
async fn phone_page(
    web: &Web,
    session: &Session,
    mac: &str,
    problems: Option<Vec<String>>,
    notice: Option<&str>,
) -> Response {
    let answer = web.api.get(&format!("/phones/{}", encode(mac))).await;
    if !answer.ok() {
        return not_found(&answer);
    }
    let phone = answer.json();
    let used = phone["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["line"].as_u64())
        .max()
        .unwrap_or(0);
    let on_key = |key: u64| {
        phone["lines"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|l| l["line"].as_u64() == Some(key))
            .and_then(|l| l["extension"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    // The model's line keys, all of them; a phone of unknown model gets its used keys and a
    // few spare.
    let offered = phone["model"]
        .as_str()
        .and_then(Model::find)
        .map_or(used + u64::from(SPARE_KEYS), |m| {
            u64::from(m.lines).max(used)
        });
    let keys: Vec<Value> = (1..=offered)
        .map(|key| json!({ "key": key, "extension": on_key(key) }))
        .collect();
    let settings = web
        .api
        .get(&format!("/phones/{}/settings", encode(mac)))
        .await
        .json();
    let mut context = Context::new();
    context.insert("phone", &phone);
    context.insert("keys", &keys);
    context.insert("settings", &settings["settings"]);
    let keys = web
        .api
        .get(&format!("/phones/{}/keys", encode(mac)))
        .await
        .json();
    let key_lines: Vec<String> = keys["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|k| {
            let text = |name: &str| k[name].as_str().unwrap_or_default().to_string();
            format!(
                "{},{},{},{}",
                k["key"].as_u64().unwrap_or_default(),
                text("type"),
                text("value"),
                text("label")
            )
        })
        .collect();
    context.insert("key_lines", &key_lines.join("\n"));
    context.insert("profile", &settings["profile"]);
    web.pages
        .render_form("phone.html", session, notice, context, problems)
}

async fn phone(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    phone_page(&web, &session, &mac, None, notice.notice.as_deref()).await
}

/// `POST /admin/phones/{mac}/lines`: `csrf` and `line_N` fields (empty: no extension).
async fn save_lines(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let lines: serde_json::Map<String, Value> = form
        .iter()
        .filter_map(|(name, value)| {
            let key = name.strip_prefix("line_")?;
            let value = value.trim();
            (!value.is_empty()).then(|| (key.to_string(), json!(value)))
        })
        .collect();
    let answer = put_phone(&web, &mac, "lines", &json!({ "lines": lines })).await;
    after_change(&web, &session, &mac, answer, "Line keys saved.").await
}

/// `PUT /phones/{mac}/{what}` of the API with `body`.
async fn put_phone(web: &Web, mac: &str, what: &str, body: &Value) -> Answer {
    let path = format!("/phones/{}/{what}", encode(mac));
    web.api.send(Method::PUT, &path, body).await
}

/// After a change of the phone `mac` through the API: its page with `notice`, or its page again
/// with what was refused.
async fn after_change(
    web: &Web,
    session: &Session,
    mac: &str,
    answer: Answer,
    notice: &str,
) -> Response {
    if answer.ok() {
        return done(&format!("/phones/{}", encode(mac)), notice);
    }
    phone_page(web, session, mac, Some(answer.problems()), None).await
}

/// `POST /admin/phones/{mac}/profile`: `csrf` and `profile` (empty: none).
async fn save_profile(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let profile = field(&form, "profile");
    let body = json!({ "profile": (!profile.is_empty()).then_some(profile) });
    let answer = put_phone(&web, &mac, "profile", &body).await;
    after_change(&web, &session, &mac, answer, "Profile saved.").await
}

/// `POST /admin/phones/{mac}/setting`: `csrf`, `parameter` and `value` (empty: removed), set
/// for this phone alone.
async fn save_setting(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    match put_setting(&web, "phone", &mac, &form).await {
        Ok(notice) => done(&format!("/phones/{}", encode(&mac)), &notice),
        Err(problems) => phone_page(&web, &session, &mac, Some(problems), None).await,
    }
}

/// `POST /admin/phones/{mac}/keys`: `csrf` and `keys`, one `key,type,value,label` a line; the
/// phone's own keys become exactly these.
async fn save_keys(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let mut keys = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in form
        .get("keys")
        .map_or("", String::as_str)
        .lines()
        .enumerate()
    {
        if line.trim().is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.splitn(4, ',').map(str::trim).collect();
        match cells.first().and_then(|k| k.parse::<u16>().ok()) {
            Some(key) => keys.push(json!({
                "key": key,
                "type": cells.get(1).copied().unwrap_or_default(),
                "value": cells.get(2).copied().unwrap_or_default(),
                "label": cells.get(3).copied().unwrap_or_default(),
            })),
            None => problems.push(format!(
                "line {}: begin with the key number (key,type,value,label)",
                index + 1
            )),
        }
    }
    if !problems.is_empty() {
        return phone_page(&web, &session, &mac, Some(problems), None).await;
    }
    let answer = put_phone(&web, &mac, "keys", &json!({ "keys": keys })).await;
    after_change(&web, &session, &mac, answer, "Keys saved.").await
}

async fn resync(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let notice = "Check-sync NOTIFY queued; the outcome shows below.";
    phone_action(&web, &session, &mac, &form.csrf, "resync", notice).await
}

async fn accept_upload(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path((mac, name)): Path<(String, String)>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let action = format!("uploads/{}/accept", encode(&name));
    let notice = format!("{name} accepted.");
    phone_action(&web, &session, &mac, &form.csrf, &action, &notice).await
}

/// A button on a phone's page: `POST /phones/{mac}/{action}` of the API, then back to the page
/// with `notice`, or the page with the API's problems.
async fn phone_action(
    web: &Web,
    session: &Session,
    mac: &str,
    csrf: &str,
    action: &str,
    notice: &str,
) -> Response {
    if let Some(refused) = forged(session, csrf) {
        return refused;
    }
    let path = format!("/phones/{}", encode(mac));
    let answer = web
        .api
        .call(Method::POST, &format!("{path}/{action}"), None, Vec::new())
        .await;
    if answer.ok() {
        done(&path, notice)
    } else {
        phone_page(web, session, mac, Some(answer.problems()), None).await
    }
}

/// A file as text on a page of its own (`what`: `files` or `uploads`).
async fn text_page(web: &Web, session: &Session, mac: &str, what: &str, name: &str) -> Response {
    let answer = web
        .api
        .get(&format!("/phones/{}/{what}/{}", encode(mac), encode(name)))
        .await;
    if !answer.ok() {
        return not_found(&answer);
    }
    let mut context = Context::new();
    context.insert("mac", mac);
    context.insert("name", name);
    context.insert("upload", &(what == "uploads"));
    context.insert("text", &String::from_utf8_lossy(&answer.body));
    web.pages.render("file.html", session, None, context)
}

async fn file(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path((mac, name)): Path<(String, String)>,
) -> Response {
    text_page(&web, &session, &mac, "files", &name).await
}

async fn upload(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path((mac, name)): Path<(String, String)>,
) -> Response {
    text_page(&web, &session, &mac, "uploads", &name).await
}
