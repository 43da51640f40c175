//! Adding a site and changing a site's settings (its own, and the phone settings of its phones)
//! on the web page (the call servers and the
//! alternate are the site page's other form, in [`super::sites`]). Both send one API call, so
//! the checks, the transaction and the audit entry are the API's: a refused form keeps what was
//! typed and names every bad field.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Form, Router};
use serde_json::{Map, Value, json};
use tera::Context;

use crate::admin::web::client::encode;
use crate::admin::web::session::Session;
use crate::admin::web::settings::put_setting;
use crate::admin::web::sites::{parse_servers, site_page};
use crate::admin::web::{FormFields, Web, done, field, forged_fields};

pub(crate) fn routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/sites/{name}/settings", post(save_settings))
        .route("/sites/{name}/setting", post(save_phone_setting))
}

/// Text fields of the settings form, sent as they are (`""` clears those the API clears).
const TEXT_FIELDS: &[&str] = &[
    "time_zone",
    "sntp_server",
    "emergency_numbers",
    "dial_plan",
    "recheck",
    "voicemail_server",
    "reserved_numbers",
];
/// Whole-number fields (an empty one is left out: it keeps its value).
const NUMBER_FIELDS: &[&str] = &[
    "sip_port",
    "extension_length",
    "local_dialing",
    "registration_expiry",
];
/// Checkboxes (present when ticked).
const CHECKBOXES: &[&str] = &["mwi_beep", "trust_first_address"];

/// The form's fields as the API's JSON body; a field that is not a whole number is named in
/// `problems`.
fn settings_body(form: &FormFields, problems: &mut Vec<String>) -> Map<String, Value> {
    let mut body = Map::new();
    for name in TEXT_FIELDS {
        if let Some(value) = form.get(*name) {
            body.insert((*name).into(), json!(value.trim()));
        }
    }
    for name in NUMBER_FIELDS {
        let text = field(form, name);
        if text.is_empty() {
            continue;
        }
        match text.parse::<i64>() {
            Ok(number) => {
                body.insert((*name).into(), json!(number));
            }
            Err(_) => problems.push(format!("{name}: {text:?} is not a whole number")),
        }
    }
    for name in CHECKBOXES {
        body.insert((*name).into(), json!(form.contains_key(*name)));
    }
    body
}

/// `POST /admin/sites`: `name`, `servers` (one a line) and `sip_port`.
pub(crate) async fn add_site(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let name = field(&form, "name").to_string();
    let mut problems = Vec::new();
    let mut body = json!({ "name": name });
    match parse_servers(form.get("servers").map_or("", String::as_str)) {
        Ok(servers) => body["call_servers"] = json!(servers),
        Err(problem) => problems.push(problem),
    }
    let port = field(&form, "sip_port");
    if !port.is_empty() {
        match port.parse::<u16>() {
            Ok(port) => body["sip_port"] = json!(port),
            Err(_) => problems.push(format!("sip_port: {port:?} is not a port (1 to 65535)")),
        }
    }
    if problems.is_empty() {
        let answer = web.api.send(Method::POST, "/sites", &body).await;
        if answer.ok() {
            return done(
                &format!("/sites/{}", encode(&name)),
                &format!("Site {name} added. Its settings are below."),
            );
        }
        problems = answer.problems();
    }
    let mut context = Context::new();
    context.insert("sites", &web.api.get("/sites").await.json());
    context.insert("typed", &form);
    web.pages
        .render_form("sites.html", &session, None, context, Some(problems))
}

/// `POST /admin/sites/{name}/settings`: the settings form.
async fn save_settings(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(name): Path<String>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let mut problems = Vec::new();
    let body = settings_body(&form, &mut problems);
    if problems.is_empty() {
        let path = format!("/sites/{}", encode(&name));
        let answer = web.api.send(Method::PUT, &path, &Value::Object(body)).await;
        if answer.ok() {
            return done(&path, &format!("Settings of site {name} saved."));
        }
        problems = answer.problems();
    }
    site_page(&web, &session, &name, Some(problems), None).await
}

/// `POST /admin/sites/{name}/setting`: `parameter` and `value` (empty: removed), a setting for
/// every phone of the site.
async fn save_phone_setting(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(name): Path<String>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    match put_setting(&web, "site", &name, &form).await {
        Ok(notice) => done(&format!("/sites/{}", encode(&name)), &notice),
        Err(problems) => site_page(&web, &session, &name, Some(problems), None).await,
    }
}
