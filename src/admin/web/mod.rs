//! The admin web page at `/admin`: server-rendered HTML (Tera templates and one stylesheet and
//! script, all embedded in the binary; nothing is loaded from another host, and the
//! Content-Security-Policy says so). Every basic form works without JavaScript.
//!
//! This module owns the routing, the login (with the admin token), the session cookie, the CSRF
//! check of every form and the security headers. The pages are in [`dashboard`], [`import`],
//! [`directory`] (extensions and phones), [`sites`] and [`settings`]; they read and change data only through
//! the admin API, called in process ([`client`]).

mod add_remove;
pub mod client;
mod dashboard;
mod directory;
mod forms;
mod import;
mod inbox;
mod pages;
pub mod session;
mod settings;
mod site_settings;
mod sites;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Form, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

use crate::policy::login_limit::LoginLimit;
use crate::policy::secret_compare::same_secret;
use client::ApiClient;
use pages::Pages;
use session::{Session, Sessions};

pub(crate) use forms::{CsrfOnly, FormFields, csv_download, done, field, forged, forged_fields};
pub use state::PREFIX;
pub(crate) use state::Web;

/// The web page's router (its paths start with [`PREFIX`]; `/admin/` redirects to `/admin`).
/// `api` is the admin API router as nested under its prefix, `token` the admin token (the
/// login password), `logins` the failed admin logins per address (shared with the API).
pub fn router(api: Router, token: String, logins: Arc<LoginLimit>, body_limit: usize) -> Router {
    let web = Arc::new(Web {
        api: ApiClient::new(api, &token),
        token,
        logins,
        sessions: Sessions::default(),
        pages: Pages::new(),
        body_limit,
    });
    let private = Router::new()
        .route("/", get(dashboard::show))
        .route("/bans/lift", axum::routing::post(dashboard::lift))
        .route("/logout", axum::routing::post(logout))
        .merge(import::routes())
        .route(
            "/extensions",
            get(directory::extensions).post(add_remove::add_extension),
        )
        .route(
            "/phones",
            get(directory::phones).post(add_remove::add_phone),
        )
        .merge(directory::routes())
        .merge(add_remove::routes())
        .merge(inbox::routes())
        .route("/sites", get(sites::sites).post(site_settings::add_site))
        .merge(sites::routes())
        .merge(site_settings::routes())
        .merge(settings::routes())
        .route_layer(middleware::from_fn_with_state(
            Arc::clone(&web),
            require_admin,
        ));
    let pages = Router::new()
        .route(
            "/login",
            get(login_page).post(login).layer(middleware::from_fn(
                crate::http_common::request_body::bounded_login_body,
            )),
        )
        .route("/static/admin.css", get(pages::stylesheet))
        .route("/static/admin.js", get(pages::script))
        .route("/static/favicon.svg", get(pages::favicon))
        .merge(private)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(security_headers))
        .with_state(web);
    Router::new().nest(PREFIX, pages).route(
        &format!("{PREFIX}/"),
        get(|| async { Redirect::permanent(PREFIX) }),
    )
}

/// Sends logged-out visitors to the login page and hands the session to the page.
async fn require_admin(State(web): State<Arc<Web>>, mut request: Request, next: Next) -> Response {
    match session_of(&web, request.headers()) {
        Some(session) if session.admin => {
            request.extensions_mut().insert(session);
            next.run(request).await
        }
        _ => Redirect::to(&format!("{PREFIX}/login")).into_response(),
    }
}

fn session_of(web: &Web, headers: &HeaderMap) -> Option<Session> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    web.sessions.get(session::id_in(cookies)?)
}

/// No caching, no framing, no sniffing, and nothing from anywhere but this server.
async fn security_headers(request: Request, next: Next) -> Response {
    let over_tls = request
        .extensions()
        .get::<crate::http_common::TlsConnection>()
        .is_some();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    if over_tls {
        // Over HTTPS the session cookie never goes out in clear, and the browser keeps to
        // HTTPS for this host from now on.
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
        let cookies: Vec<HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|cookie| cookie.to_str().ok())
            .filter_map(|cookie| HeaderValue::from_str(&format!("{cookie}; Secure")).ok())
            .collect();
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            headers.append(header::SET_COOKIE, cookie);
        }
    }
    for (name, value) in [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

async fn login_page(State(web): State<Arc<Web>>, headers: HeaderMap) -> Response {
    let session = match session_of(&web, &headers) {
        Some(session) if session.admin => return Redirect::to(PREFIX).into_response(),
        Some(session) => session,
        None => match web.sessions.create(false) {
            Ok(session) => session,
            Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        },
    };
    let page = web.pages.login(&session, None);
    with_cookie(page, &session)
}

fn with_cookie(mut response: Response, session: &Session) -> Response {
    if let Ok(value) = HeaderValue::from_str(&session.cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: String,
    token: String,
}

async fn login(
    State(web): State<Arc<Web>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let Some(visitor) = session_of(&web, &headers) else {
        return Redirect::to(&format!("{PREFIX}/login")).into_response();
    };
    if let Some(refused) = forged(&visitor, &form.csrf) {
        return refused;
    }
    let client = web
        .logins
        .client_of(client.ip(), crate::admin::api::forwarded_for(&headers));
    let minutes = web.logins.lock_minutes();
    if web.logins.is_locked(client) {
        tracing::warn!(target: "audit", client = %client, "admin web login refused: too many failed logins from this address");
        let page = web.pages.login(
            &visitor,
            Some(&format!(
                "Too many failed logins from this address; try again in {minutes} minutes, or lift the lock on the server with: phoneprov unlock"
            )),
        );
        return (StatusCode::TOO_MANY_REQUESTS, page).into_response();
    }
    if !same_secret(form.token.trim().as_bytes(), web.token.as_bytes()) {
        tracing::warn!(target: "audit", client = %client, "admin web login failed: wrong token");
        web.logins.failed(client);
        tokio::time::sleep(web.logins.delay()).await;
        let left = web.logins.attempts_left(client);
        let message = format!(
            "That is not the admin token. {left} more failed attempt(s) from this address lock it out for {minutes} minutes."
        );
        let page = web.pages.login(&visitor, Some(&message));
        return (StatusCode::UNAUTHORIZED, page).into_response();
    }
    web.logins.succeeded(client);
    web.sessions.remove(&visitor.id);
    match web.sessions.create(true) {
        Ok(admin) => {
            tracing::info!(client = %client, "admin web login");
            with_cookie(Redirect::to(PREFIX).into_response(), &admin)
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn logout(
    State(web): State<Arc<Web>>,
    axum::Extension(session): axum::Extension<Session>,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(refused) = forged(&session, &form.csrf) {
        return refused;
    }
    web.sessions.remove(&session.id);
    let mut response = Redirect::to(&format!("{PREFIX}/login")).into_response();
    if let Ok(value) = HeaderValue::from_str(&session::expired_cookie()) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}
