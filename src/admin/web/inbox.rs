//! The unassigned-phones page: the inbox of phones that asked for their files but are not in
//! the database, each with a form to adopt it (an extension on key 1 and an optional profile)
//! or dismiss it, and the inbox as a CSV to fill in and import. Everything goes through the
//! admin API's `/unassigned` routes.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde_json::json;
use tera::Context;

use crate::admin::web::client::encode;
use crate::admin::web::dashboard::Notice;
use crate::admin::web::session::Session;
use crate::admin::web::{
    CsrfOnly, FormFields, Web, csv_download, done, field, forged, forged_fields,
};

pub(crate) fn routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/unassigned", get(page))
        .route("/unassigned.csv", get(csv))
        .route("/unassigned/{mac}/adopt", post(adopt))
        .route("/unassigned/{mac}/dismiss", post(dismiss))
}

async fn show(
    web: &Web,
    session: &Session,
    notice: Option<&str>,
    problems: Option<Vec<String>>,
) -> Response {
    let answer = web.api.get("/unassigned").await;
    let mut context = Context::new();
    context.insert("phones", &answer.json());
    context.insert("sites", &web.api.get("/sites").await.json());
    let problems = match (answer.ok(), problems) {
        (_, Some(problems)) => Some(problems),
        (false, None) => Some(answer.problems()),
        (true, None) => None,
    };
    web.pages
        .render_form("unassigned.html", session, notice, context, problems)
}

async fn page(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Query(notice): Query<Notice>,
) -> Response {
    show(&web, &session, notice.notice.as_deref(), None).await
}

async fn csv(State(web): State<Arc<Web>>) -> Response {
    csv_download(web.api.get("/unassigned.csv").await, "unassigned.csv")
}

/// `POST /admin/unassigned/{mac}/adopt`: `extension` (key 1), `profile`, and `display_name`
/// with `site` to create the extension when it does not exist yet.
async fn adopt(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Form(form): Form<FormFields>,
) -> Response {
    if let Some(refused) = forged_fields(&session, &form) {
        return refused;
    }
    let extension = field(&form, "extension");
    let mut body = json!({ "lines": { "1": extension } });
    let profile = field(&form, "profile");
    if !profile.is_empty() {
        body["profile"] = json!(profile);
    }
    let display_name = field(&form, "display_name");
    if !display_name.is_empty() {
        body["new_extensions"] = json!({ extension: {
            "display_name": display_name,
            "site": field(&form, "site"),
        }});
    }
    let path = format!("/unassigned/{}/adopt", encode(&mac));
    let answer = web.api.send(Method::POST, &path, &body).await;
    if answer.ok() {
        return done(
            &format!("/phones/{}", encode(&mac)),
            &format!(
                "Phone {mac} adopted with extension {extension} on key 1{}: its next request gets its files.",
                if display_name.is_empty() {
                    ""
                } else {
                    " (created if it was new; its SIP password is on its page)"
                }
            ),
        );
    }
    show(&web, &session, None, Some(answer.problems())).await
}

/// `POST /admin/unassigned/{mac}/dismiss`.
async fn dismiss(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Path(mac): Path<String>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let answer = web
        .api
        .call(
            Method::DELETE,
            &format!("/unassigned/{}", encode(&mac)),
            None,
            Vec::new(),
        )
        .await;
    if answer.ok() {
        done(
            "/unassigned",
            &format!("{mac} dismissed: it comes back if it asks again."),
        )
    } else {
        show(&web, &session, None, Some(answer.problems())).await
    }
}
