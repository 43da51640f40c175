//! The import page: upload a CSV file, see the dry run (what would be created, updated and
//! deleted, or every row error with its line and column), then apply exactly that file (kept in
//! the session meanwhile); and download the export.

use std::sync::Arc;

use axum::extract::multipart::MultipartError;
use axum::extract::{Multipart, Query, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use serde::Deserialize;
use serde_json::Value;
use tera::Context;

use crate::admin::web::client::Answer;
use crate::admin::web::dashboard::Notice;
use crate::admin::web::session::Session;
use crate::admin::web::{Web, csv_download, forged};
use crate::import::describe_update;

pub(crate) fn routes() -> Router<Arc<Web>> {
    Router::new()
        .route("/import", get(form).post(preview))
        .route("/import/apply", post(apply))
        .route("/import/changes", get(changes_page))
        .route("/export.csv", get(export))
}

async fn form(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Query(notice): Query<Notice>,
) -> Response {
    web.pages.render(
        "import.html",
        &session,
        notice.notice.as_deref(),
        Context::new(),
    )
}

fn mode_of(text: &str) -> &'static str {
    if text == "replace" {
        "replace"
    } else {
        "upsert"
    }
}

/// Changes listed per page of a preview or an import.
const CHANGES_PER_PAGE: usize = 200;

/// Every change of an import report, one line each, in the order the page lists them: the
/// riskiest first (deletes, then updates, then creates), extensions before phones.
fn change_lines(report: &Value) -> Vec<String> {
    let mut lines = Vec::new();
    let kinds = [("extensions", "extension"), ("phones", "phone")];
    let names = |kind: &str, list: &str| -> Vec<String> {
        report[kind][list]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    for (kind, noun) in kinds {
        lines.extend(
            names(kind, "deleted")
                .into_iter()
                .map(|k| format!("delete {noun} {k}")),
        );
    }
    for (kind, noun) in kinds {
        for change in report[kind]["updated"].as_array().into_iter().flatten() {
            let list = |field: &str| -> Vec<&str> {
                change[field]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect()
            };
            lines.push(format!(
                "update {noun} {}",
                describe_update(
                    change["key"].as_str().unwrap_or_default(),
                    &list("fields"),
                    &list("kept"),
                )
            ));
        }
    }
    for (kind, noun) in kinds {
        lines.extend(
            names(kind, "created")
                .into_iter()
                .map(|k| format!("create {noun} {k}")),
        );
    }
    lines
}

/// One page of `lines` from `offset`, with the pager's offsets.
fn insert_changes(context: &mut Context, lines: &[String], offset: usize) {
    let offset = offset.min(lines.len());
    let end = (offset + CHANGES_PER_PAGE).min(lines.len());
    context.insert("changes", &lines[offset..end]);
    context.insert("changes_total", &lines.len());
    context.insert("changes_from", &(offset + 1));
    context.insert("changes_to", &end);
    context.insert(
        "changes_previous",
        &(offset > 0).then(|| offset.saturating_sub(CHANGES_PER_PAGE)),
    );
    context.insert("changes_next", &(end < lines.len()).then_some(end));
}

/// The page after a dry run or an import: the report, or the errors.
fn outcome(web: &Web, session: &Session, answer: &Answer, mut context: Context) -> Response {
    if answer.ok() {
        let report = answer.json();
        insert_changes(&mut context, &change_lines(&report), 0);
        context.insert("report", &report);
    }
    let problems = (!answer.ok()).then(|| answer.problems());
    web.pages
        .render_form("import.html", session, None, context, problems)
}

async fn import(web: &Web, csv: Vec<u8>, mode: &str, dry_run: bool) -> Answer {
    web.api
        .call(
            Method::POST,
            &format!("/import?mode={mode}&dry_run={dry_run}"),
            Some("text/csv"),
            csv,
        )
        .await
}

/// `POST /admin/import`: a multipart form with `csrf`, `mode` and `file`.
async fn preview(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    mut multipart: Multipart,
) -> Response {
    let (mut csrf, mut mode, mut file, mut file_name) = (String::new(), String::new(), None, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                if name == "file" {
                    file_name = field.file_name().map(str::to_string);
                }
                match field.bytes().await {
                    Ok(bytes) => match name.as_str() {
                        "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
                        "mode" => mode = String::from_utf8_lossy(&bytes).into_owned(),
                        "file" => file = Some(bytes.to_vec()),
                        _ => {}
                    },
                    Err(e) => return unreadable(&web, &session, &e),
                }
            }
            Ok(None) => break,
            Err(e) => return unreadable(&web, &session, &e),
        }
    }
    if let Some(refused) = forged(&session, &csrf) {
        return refused;
    }
    let mode = mode_of(&mode);
    let mut context = Context::new();
    context.insert("mode", mode);
    context.insert("file_name", &file_name);
    let Some(csv) = file.filter(|f| !f.is_empty()) else {
        context.insert("problems", &["Choose a CSV file first."]);
        return web.pages.render("import.html", &session, None, context);
    };
    let answer = import(&web, csv.clone(), mode, true).await;
    if answer.ok() {
        match web.sessions.keep_preview(&session.id, csv) {
            Ok(preview) => context.insert("preview", &preview),
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    }
    outcome(&web, &session, &answer, context)
}

/// The import page after an upload that could not be read: over the size limit (413, with the
/// limit and what to do), or broken.
fn unreadable(web: &Web, session: &Session, error: &MultipartError) -> Response {
    let too_large = error.status() == StatusCode::PAYLOAD_TOO_LARGE;
    let problem = if too_large {
        format!(
            "The file is larger than the upload limit of {} MiB: split it into smaller files, or \
             raise the limit with --api-body-limit (PHONEPROV_API_BODY_LIMIT, in bytes).",
            web.body_limit / (1024 * 1024)
        )
    } else {
        format!("The upload could not be read ({error}): choose the file and send it again.")
    };
    let mut context = Context::new();
    context.insert("mode", "upsert");
    let page = web
        .pages
        .render_form("import.html", session, None, context, Some(vec![problem]));
    if too_large {
        (StatusCode::PAYLOAD_TOO_LARGE, page).into_response()
    } else {
        (StatusCode::BAD_REQUEST, page).into_response()
    }
}

/// `?preview=&mode=&offset=` of a preview's further pages.
#[derive(Deserialize)]
struct ChangesQuery {
    preview: String,
    mode: String,
    offset: Option<usize>,
}

/// `GET /admin/import/changes`: another page of a kept preview's changes (the dry run again on
/// the kept file: the data may have changed meanwhile, and the page shows what applying would
/// do now).
async fn changes_page(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Query(query): Query<ChangesQuery>,
) -> Response {
    let mut context = Context::new();
    let mode = mode_of(&query.mode);
    context.insert("mode", mode);
    let Some(csv) = web.sessions.peek_preview(&session.id, &query.preview) else {
        context.insert(
            "problems",
            &["That preview is gone (applied already, or too old): upload the file again."],
        );
        return web.pages.render("import.html", &session, None, context);
    };
    let answer = import(&web, csv.as_ref().clone(), mode, true).await;
    if !answer.ok() {
        return outcome(&web, &session, &answer, context);
    }
    let report = answer.json();
    insert_changes(
        &mut context,
        &change_lines(&report),
        query.offset.unwrap_or(0),
    );
    context.insert("report", &report);
    context.insert("preview", &query.preview);
    web.pages.render("import.html", &session, None, context)
}

#[derive(Deserialize)]
struct ApplyForm {
    csrf: String,
    preview: String,
    mode: String,
}

/// `POST /admin/import/apply`: applies the file previewed.
async fn apply(
    State(web): State<Arc<Web>>,
    Extension(session): Extension<Session>,
    Form(form): Form<ApplyForm>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    let mut context = Context::new();
    let Some(csv) = web.sessions.take_preview(&session.id, &form.preview) else {
        context.insert(
            "problems",
            &["That preview is gone (applied already, or too old): upload the file again."],
        );
        return web.pages.render("import.html", &session, None, context);
    };
    let mode = mode_of(&form.mode);
    context.insert("applied", &true);
    let answer = import(&web, csv, mode, false).await;
    outcome(&web, &session, &answer, context)
}

/// `?passwords=true` of the export.
#[derive(Deserialize)]
struct ExportQuery {
    passwords: Option<bool>,
}

/// `GET /admin/export.csv`: the CSV export, as a download (passwords only when asked for).
async fn export(State(web): State<Arc<Web>>, Query(query): Query<ExportQuery>) -> Response {
    let passwords = query.passwords.unwrap_or(false);
    let answer = web.api.get(&format!("/export?passwords={passwords}")).await;
    csv_download(answer, "phoneprov-export.csv")
}
