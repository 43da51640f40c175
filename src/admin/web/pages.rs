//! The web page's HTML templates (Tera, escaped as HTML), its stylesheet and script, all
//! embedded in the binary, and rendering a page with what every page shows (the navigation, the
//! logout form with its CSRF token, a notice after a change).

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tera::{Context, Kwargs, State, Tera};

use crate::admin::web::session::Session;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("login.html", include_str!("templates/login.html")),
    ("dashboard.html", include_str!("templates/dashboard.html")),
    ("import.html", include_str!("templates/import.html")),
    ("extensions.html", include_str!("templates/extensions.html")),
    ("extension.html", include_str!("templates/extension.html")),
    ("phones.html", include_str!("templates/phones.html")),
    ("phone.html", include_str!("templates/phone.html")),
    ("file.html", include_str!("templates/file.html")),
    ("sites.html", include_str!("templates/sites.html")),
    ("site.html", include_str!("templates/site.html")),
    ("settings.html", include_str!("templates/settings.html")),
    ("switch.html", include_str!("templates/switch.html")),
    ("unassigned.html", include_str!("templates/unassigned.html")),
];

const STYLESHEET: &str = include_str!("static/admin.css");
const SCRIPT: &str = include_str!("static/admin.js");
const FAVICON: &str = include_str!("static/favicon.svg");

/// The compiled templates.
pub(crate) struct Pages {
    tera: Option<Tera>,
}

impl Pages {
    /// Compiles the embedded templates (a broken one is logged, and its pages answer 500).
    pub(crate) fn new() -> Pages {
        match compile() {
            Ok(tera) => Pages { tera: Some(tera) },
            Err(e) => {
                tracing::error!("the admin web page's templates do not compile: {e:?}");
                Pages { tera: None }
            }
        }
    }

    /// Renders page `name` for `session` with the page's own `context`.
    pub(crate) fn render(
        &self,
        name: &str,
        session: &Session,
        notice: Option<&str>,
        mut context: Context,
    ) -> Response {
        context.insert("csrf", &session.csrf);
        context.insert("admin", &session.admin);
        context.insert("notice", &notice);
        let Some(tera) = &self.tera else {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page templates are broken",
            )
                .into_response();
        };
        match tera.render(name, &context) {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!("admin web page {name}: {e:?}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("cannot show {name}"),
                )
                    .into_response()
            }
        }
    }

    /// Renders a page that may list `problems` (a refused change): then it answers 422.
    pub(crate) fn render_form(
        &self,
        name: &str,
        session: &Session,
        notice: Option<&str>,
        mut context: Context,
        problems: Option<Vec<String>>,
    ) -> Response {
        let refused = problems.is_some();
        context.insert("problems", &problems);
        let page = self.render(name, session, notice, context);
        if refused {
            (StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        } else {
            page
        }
    }

    /// The login page, with a complaint after a wrong token.
    pub(crate) fn login(&self, session: &Session, complaint: Option<&str>) -> Response {
        let mut context = Context::new();
        context.insert("complaint", &complaint);
        self.render("login.html", session, None, context)
    }
}

fn compile() -> Result<Tera, tera::Error> {
    let mut tera = Tera::new();
    tera.autoescape_on([".html"]);
    tera.register_filter("time", |ms: i64, _: Kwargs, _: &State| utc_time(ms));
    tera.add_raw_templates(TEMPLATES.iter().copied())?;
    Ok(tera)
}

/// `GET /admin/static/admin.css`.
pub(crate) async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        STYLESHEET,
    )
        .into_response()
}

/// `GET /admin/static/admin.js`.
pub(crate) async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
        .into_response()
}

/// `GET /admin/static/favicon.svg`: the pages' icon (named by each page, so browsers ask for no
/// `/favicon.ico`).
pub(crate) async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml")], FAVICON).into_response()
}

/// `YYYY-MM-DD HH:MM:SS` in UTC of a time in ms since the epoch (see [`crate::clock::utc_text`]).
pub(crate) fn utc_time(ms: i64) -> String {
    crate::clock::utc_text(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_utc() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00");
        assert_eq!(utc_time(1_795_262_400_000), "2026-11-21 12:00:00");
        assert_eq!(utc_time(951_825_600_000), "2000-02-29 12:00:00");
    }

    #[test]
    fn every_page_template_compiles() {
        if let Err(e) = compile() {
            panic!("{e:?}");
        }
    }
}
