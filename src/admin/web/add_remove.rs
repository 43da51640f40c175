//! Adding and deleting one extension or one phone on the web page (bulk changes are the import
//! page's). Each is one API call, so the checks, the transaction and the audit entry are the
//! API's; a refused form is shown again with what was typed and every problem named.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Form, Router};
use serde_json::json;

use crate::admin::web::client::encode;
use crate::admin::web::directory::{ListQuery, list_page};
use crate::admin::web::session::Session;
use crate::admin::web::{CsrfOnly, FormFields, Web, done, field, forged, forged_fields};

/// A list page (`extensions`, `phones`) shown again with the refused form's `typed` values.
async fn list_with_problems(
    web: &Web,
    session: &Session,
    kind: &str,
    form: &FormFields,
    problems: Vec<String>,
) -> Response {
    list_page(
        web,
        session,
        kind,
        ListQuery::default(),
        Some((form, problems)),
    )
    .await
}

/// `POST /admin/extensions`: `number`, `display_name`, `site`, `password` (empty: generated).
pub(crate) async fn add_extension(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let number = field(&form, "number");
    let mut body = json!({
        "number": number,
        "display_name": field(&form, "display_name"),
        "site": field(&form, "site"),
    });
    let password = form.get("password").map_or("", String::as_str);
    if !password.is_empty() {
        body["password"] = json!(password);
    }
    let answer = web.api.send(Method::POST, "/extensions", &body).await;
    if answer.ok() {
        let generated = if password.is_empty() {
            " Its SIP password was generated."
        } else {
            ""
        };
        return done(
            &format!("/extensions/{}", encode(number)),
            &format!(
                "Extension {number} added.{generated} Put it on a phone's line key to provision it."
            ),
        );
    }
    list_with_problems(&web, &session, "extensions", &form, answer.problems()).await
}

pub(crate) fn routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/extensions/{number}/delete", post(delete_extension))
        .route("/phones/{mac}/delete", post(delete_phone))
}

/// `POST /admin/extensions/{number}/delete`.
async fn delete_extension(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(number): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let notice = format!("Extension {number} deleted.");
    delete_one(&web, &session, &form.csrf, "/extensions", &number, &notice).await
}

/// `POST /admin/phones`: `mac`, `model` and the extension on its first line key.
pub(crate) async fn add_phone(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let mac = field(&form, "mac");
    let extension = field(&form, "extension");
    let mut problems = Vec::new();
    if mac.is_empty() {
        problems.push("mac: give the phone's MAC address (on the label under the phone)".into());
    }
    if extension.is_empty() {
        problems.push(
            "extension: give the extension for its first line key (add the extension first if it is new)"
                .into(),
        );
    }
    if problems.is_empty() {
        let mut body = json!({ "lines": { "1": extension } });
        let model = field(&form, "model");
        if !model.is_empty() {
            body["model"] = json!(model);
        }
        let answer = web
            .api
            .send(
                Method::PUT,
                &format!("/phones/{}/lines", encode(mac)),
                &body,
            )
            .await;
        if answer.ok() {
            let stored = answer.json()["mac"].as_str().unwrap_or(mac).to_string();
            return done(
                &format!("/phones/{}", encode(&stored)),
                &format!("Phone {stored} added with extension {extension} on key 1."),
            );
        }
        problems = answer.problems();
    }
    list_with_problems(&web, &session, "phones", &form, problems).await
}

/// `POST /admin/phones/{mac}/delete`.
async fn delete_phone(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    let notice = format!("Phone {mac} deleted: it gets no files until it is added again.");
    delete_one(&web, &session, &form.csrf, "/phones", &mac, &notice).await
}

/// Deletes `key` of the API's `list` (after the CSRF check) and shows the list with `notice`, or
/// with the refusal.
async fn delete_one(
    web: &Web,
    session: &Session,
    csrf: &str,
    list: &str,
    key: &str,
    notice: &str,
) -> Response {
    if let Some(refused) = forged(session, csrf) {
        return refused;
    }
    let path = format!("{list}/{}", encode(key));
    let answer = web.api.call(Method::DELETE, &path, None, Vec::new()).await;
    if answer.ok() {
        done(list, notice)
    } else {
        done(
            list,
            &format!("Not deleted: {}", answer.problems().join("; ")),
        )
    }
}
