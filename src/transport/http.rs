//! Phone-facing HTTP: GET and HEAD of every file [`PhoneFiles`] finds (rendered, read-back upload,
//! or firmware streamed with Content-Length, Last-Modified and Range), else 404; PUT of a phone's
//! own uploads. Files are served at the root and, with a prefix, under it (`/prov/201.cfg`).
//! Request paths are percent-decoded once; a path that decodes to invalid UTF-8 or holds NUL or a
//! backslash is refused before anything else looks at it. An Aastra/Mitel request whose
//! user-agent MAC differs from the MAC in the file name is refused with 403.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::domain::Transport;
use crate::http_common::request_body::{BodyRefused, UNAUTHENTICATED_BODY_DEADLINE, read_within};
use crate::http_common::{TlsConnection, with_content_type};
use crate::policy::access::{HttpLogin, Requester};
use crate::policy::phone_files::{Delivery, PhoneFiles};
use crate::policy::refused::Refused;
use crate::provision::file_name::FileName;

struct App {
    files: Arc<PhoneFiles>,
    prefix: Option<String>,
}

/// The router of phone files. Serve it with connect info (`into_make_service_with_connect_info`)
/// so client addresses are recorded.
pub fn router(files: Arc<PhoneFiles>, prefix: Option<String>) -> Router {
    let prefix = prefix
        .map(|p| format!("/{}", p.trim_matches('/')))
        .filter(|p| p != "/");
    let app = Arc::new(App { files, prefix });
    Router::new()
        .route("/", get(front_door).put(upload_file))
        .route("/{*path}", get(phone_file).put(upload_file))
        .with_state(app)
}

/// The answer to a refused request; a 401 carries the login challenges, after the failed-login
/// delay when a wrong login was sent.
async fn refusal_with_challenges(app: &App, refused: Refused, secure: bool) -> Response {
    let stale = match refused {
        Refused::Unauthorized { stale } => stale,
        Refused::WrongLogin(delay) => {
            tokio::time::sleep(delay).await;
            false
        }
        other => return refusal(other),
    };
    let mut response = refusal(Refused::Unauthorized { stale });
    for challenge in app.files.access().challenges(secure, stale) {
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

fn refusal(refused: Refused) -> Response {
    match refused {
        Refused::NotFound => (StatusCode::NOT_FOUND, "not found\n").into_response(),
        Refused::Forbidden(why) => (StatusCode::FORBIDDEN, format!("{why}\n")).into_response(),
        Refused::TooLarge(limit) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("an upload may hold at most {limit} bytes\n"),
        )
            .into_response(),
        Refused::Failed(why) => {
            (StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n")).into_response()
        }
        Refused::Banned => (
            StatusCode::FORBIDDEN,
            "this address is banned from provisioning for now\n",
        )
            .into_response(),
        Refused::Unauthorized { .. } | Refused::WrongLogin(_) => (
            StatusCode::UNAUTHORIZED,
            "this file needs the phone's login\n",
        )
            .into_response(),
        Refused::LoginsLocked(lock) => {
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                "too many failed phone logins from this address; try again later\n",
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&lock.as_secs().to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

/// `GET /`: no phone asks for it; a person who opens the server's address gets the admin page.
async fn front_door() -> Response {
    axum::response::Redirect::to("/admin").into_response()
}

async fn phone_file(State(app): State<Arc<App>>, request: Request) -> Response {
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let user_agent = request
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let agent = user_agent.as_deref().and_then(crate::handset::parse_agent);
    let Some(name) = requested_name(&app, &request) else {
        return refusal(Refused::NotFound);
    };
    let tls = request.extensions().get::<TlsConnection>().copied();
    let secure = tls.is_some();
    if let Err(refused) = app.files.check_agent(
        &name,
        agent.as_ref(),
        client,
        transport_of(secure),
        user_agent.as_deref(),
    ) {
        return refusal(refused);
    }
    let uri = request
        .uri()
        .path_and_query()
        .map_or_else(|| request.uri().path(), |target| target.as_str());
    let requester = Requester {
        client,
        http: Some(HttpLogin {
            authorization: request
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
            method: request.method().as_str(),
            uri,
            secure,
            user_agent: user_agent.as_deref(),
            agent: agent.as_ref(),
        }),
        certificate: tls.map(|t| t.certificate).unwrap_or_default(),
        transport: transport_of(secure),
        // A HEAD goes through the same checks but is a probe: it commits nothing.
        probe: request.method() == Method::HEAD,
    };
    let probe = requester.probe;
    let Delivery { found, receipt } = match app.files.find(&requester, &name).await {
        Ok(delivery) => delivery,
        Err(refused) => return refusal_with_challenges(&app, refused, secure).await,
    };
    let content_type = found.content_type();
    match found.into_bytes() {
        Ok(bytes) => {
            if !probe && let Err(refused) = receipt.commit(&name, user_agent, agent) {
                return refusal(refused);
            }
            with_content_type(bytes, content_type)
        }
        Err(path) => {
            let response = match ServeFile::new(path).oneshot(request).await {
                Ok(response) => response.map(Body::new),
                Err(never) => match never {},
            };
            // A firmware image commits no access (it is no phone's file): only its sighting.
            if response.status().is_success() && !probe {
                let _ = receipt.commit(&name, user_agent, agent);
            }
            response
        }
    }
}

/// HTTPS over TLS, else HTTP.
fn transport_of(secure: bool) -> Transport {
    if secure {
        Transport::Https
    } else {
        Transport::Http
    }
}

/// The file name a request asks for (prefix removed, decoded), or `None` for a refused path.
fn requested_name(app: &App, request: &Request) -> Option<FileName> {
    let raw = request.uri().path();
    let raw = match &app.prefix {
        Some(prefix) => raw
            .strip_prefix(prefix.as_str())
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(raw),
        None => raw,
    };
    let path = raw.strip_prefix('/')?;
    FileName::from_url_path(path).ok()
}

/// PUT: a phone's own upload, for a known phone, from an address acting for it, within the size
/// limit and the body deadline; anything else writes nothing (403 for a name phones may not
/// upload, 404 for an unknown phone or a refused address alike, 413 when too large, 408 when
/// too slow).
async fn upload_file(State(app): State<Arc<App>>, request: Request) -> Response {
    let Some(name) = requested_name(&app, &request) else {
        return refusal(Refused::NotFound);
    };
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let tls = request.extensions().get::<TlsConnection>().copied();
    let requester = Requester {
        client,
        http: None,
        certificate: tls.map(|t| t.certificate).unwrap_or_default(),
        transport: transport_of(tls.is_some()),
        probe: false,
    };
    let upload = match app.files.accepts_upload(&requester, &name) {
        Ok(upload) => upload,
        Err(refused) => return refusal(refused),
    };
    let limit = app.files.upload_limits().max_bytes;
    let body = match read_within(request.into_body(), limit, UNAUTHENTICATED_BODY_DEADLINE).await {
        Ok(body) => body,
        Err(BodyRefused::TooLarge(_)) => return refusal(app.files.oversized(&upload)),
        Err(other) => return other.into_response(),
    };
    match app.files.store_upload(upload, &body).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(refused) => refusal(refused),
    }
}
