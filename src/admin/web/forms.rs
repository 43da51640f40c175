//! The admin pages' forms: the CSRF field every form carries and its check, and the redirect
//! with a notice after a change.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::admin::web::client;
use crate::admin::web::session::Session;
use crate::admin::web::state::PREFIX;

/// A form's CSRF field; pages check it with [`forged`].
#[derive(Debug, Deserialize)]
pub(crate) struct CsrfOnly {
    pub(super) csrf: String,
}

/// The refusal of a form whose CSRF token is not the session's; `None` when it is.
pub(crate) fn forged(session: &Session, presented: &str) -> Option<Response> {
    (!session.csrf_matches(presented)).then(|| {
        (
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this page: go back, reload and try again.",
        )
            .into_response()
    })
}

/// A form sent as name-value pairs.
pub(crate) type FormFields = std::collections::HashMap<String, String>;

/// A field of `form`, trimmed (`""` when absent).
pub(crate) fn field<'a>(form: &'a FormFields, name: &str) -> &'a str {
    form.get(name).map_or("", |v| v.trim())
}

/// [`forged`] for a form read as name-value pairs.
pub(crate) fn forged_fields(session: &Session, form: &FormFields) -> Option<Response> {
    forged(session, form.get("csrf").map_or("", String::as_str))
}

/// An API answer holding CSV, as a download named `file_name` (the API's refusal as text).
pub(crate) fn csv_download(answer: client::Answer, file_name: &str) -> Response {
    if !answer.ok() {
        return (answer.status, answer.problems().join("\n")).into_response();
    }
    let disposition = format!("attachment; filename=\"{file_name}\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        answer.body,
    )
        .into_response()
}

/// A redirect after a change, with a notice for the next page.
pub(crate) fn done(path: &str, notice: &str) -> Response {
    let separator = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!(
        "{PREFIX}{path}{separator}notice={}",
        client::encode(notice)
    ))
    .into_response()
}
