//! Settings without templates on the web page: the settings page (every stored setting, and
//! one set or removed for the deployment, a site, a vendor, a model or a profile), and the
//! one-setting form the site and phone pages share. Each goes through the API's
//! `PUT /settings`, checked like an imported row; its warnings come back in the notice.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Form, Router};
use serde_json::{Value, json};
use tera::Context;

use crate::admin::web::dashboard::Notice;
use crate::admin::web::session::Session;
use crate::admin::web::{FormFields, Web, done, field, forged_fields};
use crate::domain::{MODELS, Vendor};

pub(crate) fn routes() -> Router<Arc<Web>> {
    Router::new().route("/settings", get(page).post(save))
}

/// Sets (or, with an empty `value`, removes) the setting a form names by `parameter` and
/// `value`, at `scope` and `target`: the notice to show, with the API's warnings, or what was
/// refused.
pub(crate) async fn put_setting(
    web: &Web,
    scope: &str,
    target: &str,
    form: &FormFields,
) -> Result<String, Vec<String>> {
    let parameter = field(form, "parameter");
    let value = field(form, "value");
    let body = json!({
        "scope": scope,
        "target": target,
        "parameter": parameter,
        "value": value,
    });
    let answer = web.api.send(Method::PUT, "/settings", &body).await;
    if !answer.ok() {
        return Err(answer.problems());
    }
    let warnings: Vec<String> = answer.json()["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| w["message"].as_str().map(str::to_string))
        .collect();
    let what = if value.is_empty() {
        format!("Setting {parameter} removed.")
    } else {
        format!("Setting {parameter} saved.")
    };
    Ok(if warnings.is_empty() {
        what
    } else {
        format!("{what} {}", warnings.join(" "))
    })
}

/// The stored settings of `scope` and `target`, for a page's table.
pub(crate) async fn settings_of(web: &Web, scope: &str, target: &str) -> Vec<Value> {
    web.api.get("/settings").await.json()["settings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["scope"] == scope && s["target"] == target)
        .cloned()
        .collect()
}

async fn show(
    web: &Web,
    session: &Session,
    notice: Option<&str>,
    problems: Option<Vec<String>>,
    typed: Option<&FormFields>,
) -> Response {
    let all = web.api.get("/settings").await.json();
    let mut context = Context::new();
    context.insert("settings", &all["settings"]);
    context.insert("sites", &web.api.get("/sites").await.json());
    let vendors: Vec<&str> = Vendor::ALL.iter().map(|v| v.as_str()).collect();
    context.insert("vendors", &vendors);
    let models: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
    context.insert("models", &models);
    context.insert("typed", &typed.cloned().unwrap_or_default());
    web.pages
        .render_form("settings.html", session, notice, context, problems)
}

/// `GET /admin/settings`.
async fn page(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Query(notice): Query<Notice>,
) -> Response {
    show(&web, &session, notice.notice.as_deref(), None, None).await
}

/// `POST /admin/settings`: `scope`, `target`, `parameter` and `value` (empty: removed).
async fn save(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let scope = field(&form, "scope");
    let target = if scope == "deployment" {
        ""
    } else {
        field(&form, "target")
    };
    match put_setting(&web, scope, target, &form).await {
        Ok(notice) => done("/settings", &notice),
        Err(problems) => show(&web, &session, None, Some(problems), Some(&form)).await,
    }
}
