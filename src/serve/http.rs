//! Phone-facing HTTP: GET and HEAD of every file the provisioning core renders (from [`Live`]'s
//! cache), else of a file in the firmware folder (streamed, with Content-Length, Last-Modified and
//! Range), else 404. Files are served at the root and, with a prefix, under it (`/prov/201.cfg`).
//! Request paths are percent-decoded once; a path that decodes to invalid UTF-8 or holds NUL or a
//! backslash is refused before anything else looks at it.
//!
//! Every file served is recorded on its phone (time, client address, user agent, firmware from the
//! user agent, file), in batches. The phone is the one the user agent names (Aastra/Mitel), else
//! the one the file names (`<mac>.cfg`, `<mac>-...`, an extension's file), else the phone last seen
//! at the client's address (firmware images). An Aastra/Mitel request whose user-agent MAC differs
//! from the MAC in the file name is refused with 403.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::clock::now_ms;
use crate::domain::{Mac, Sighting, Transport, Upload, Vendor};
use crate::provision::mac_in_name;
use crate::provision::upload::{self, Keep, UploadLimits};
use crate::serve::firmware;
use crate::serve::live::{FetchAnswer, Live};
use crate::serve::metrics;
use crate::serve::sightings::Recorder;
use crate::store::{Store, StoreError};
use crate::vendor::agent::{self, Agent};

/// How the phone-facing HTTP server is set up.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Optional path prefix phones may use, e.g. `/prov`.
    pub prefix: Option<String>,
    /// Folder of firmware and vendor files.
    pub firmware_dir: PathBuf,
    /// Size limits of phone uploads.
    pub uploads: UploadLimits,
}

struct App {
    live: Arc<Live>,
    store: Arc<dyn Store>,
    uploads: UploadLimits,
    recorder: Arc<Recorder>,
    prefix: Option<String>,
    firmware_dir: PathBuf,
    /// The phone last attributed at each client address.
    phone_at: Mutex<HashMap<IpAddr, Mac>>,
}

impl App {
    /// Records a served file on the phone it belongs to, if that can be told.
    fn note(
        &self,
        client: Option<IpAddr>,
        name: &str,
        user_agent: Option<String>,
        agent: Option<Agent>,
    ) {
        let named = agent
            .as_ref()
            .and_then(|a| a.mac)
            .filter(|mac| self.live.knows(mac))
            .or_else(|| self.live.phone_of(name));
        let mut phone_at = self
            .phone_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mac = match (named, client) {
            (Some(mac), Some(ip)) => {
                phone_at.insert(ip, mac);
                Some(mac)
            }
            (Some(mac), None) => Some(mac),
            (None, Some(ip)) => phone_at.get(&ip).copied(),
            (None, None) => None,
        };
        drop(phone_at);
        let Some(mac) = mac else { return };
        self.recorder.record(Sighting {
            mac,
            at_ms: now_ms(),
            ip: client.map(|ip| ip.to_string()).unwrap_or_default(),
            firmware: agent.map(|a| a.firmware),
            user_agent,
            file: name.to_string(),
            transport: Transport::Http,
        });
    }
}

/// The router of phone files. Serve it with connect info (`into_make_service_with_connect_info`)
/// so client addresses are recorded.
pub fn router(
    live: Arc<Live>,
    store: Arc<dyn Store>,
    recorder: Arc<Recorder>,
    config: HttpConfig,
) -> Router {
    let prefix = config
        .prefix
        .map(|p| format!("/{}", p.trim_matches('/')))
        .filter(|p| p != "/");
    let app = Arc::new(App {
        live,
        store,
        uploads: config.uploads,
        recorder,
        prefix,
        firmware_dir: config.firmware_dir,
        phone_at: Mutex::default(),
    });
    Router::new()
        .route("/", get(phone_file).put(upload_file))
        .route("/{*path}", get(phone_file).put(upload_file))
        .with_state(app)
}

/// Percent-decodes a path once. `None` for a bad escape, invalid UTF-8, NUL or a backslash.
fn decode_path(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    (!text.contains(['\0', '\\'])).then_some(text)
}

/// A 200 response with `body` and its content type.
pub(crate) fn with_content_type(body: impl Into<Body>, content_type: &'static str) -> Response {
    let mut response = Response::new(body.into());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
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
    let agent = user_agent.as_deref().and_then(agent::parse);
    let Some(name) = requested_name(&app, &request) else {
        return not_found();
    };
    if let (Some(said), Some(named)) = (agent.as_ref().and_then(|a| a.mac), mac_in_name(&name))
        && said != named
    {
        tracing::warn!(file = %name, user_agent = ?user_agent, "user-agent MAC differs from the file's MAC");
        return (StatusCode::FORBIDDEN, "forbidden\n").into_response();
    }
    let response = answer(&app, &name, request).await;
    if response.status().is_success() {
        app.note(client, &name, user_agent, agent);
    }
    response
}

/// The decoded file name a request asks for (prefix removed), or `None` for a refused path.
fn requested_name(app: &App, request: &Request) -> Option<String> {
    let raw = request.uri().path();
    let raw = match &app.prefix {
        Some(prefix) => raw
            .strip_prefix(prefix.as_str())
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(raw),
        None => raw,
    };
    raw.strip_prefix('/').and_then(decode_path)
}

pub(crate) fn content_type_of_upload(name: &str) -> &'static str {
    if name.ends_with(".log") {
        "text/plain; charset=utf-8"
    } else {
        "text/xml; charset=utf-8"
    }
}

/// PUT: a phone's own upload, for a known phone, within the size limit; anything else writes
/// nothing (403 for a name phones may not upload, 404 for an unknown phone, 413 when too large).
async fn upload_file(State(app): State<Arc<App>>, request: Request) -> Response {
    let Some(upload) = requested_name(&app, &request).and_then(|n| upload::classify(&n)) else {
        return (
            StatusCode::FORBIDDEN,
            "phones may upload only their own logs and overrides\n",
        )
            .into_response();
    };
    if !app.live.knows(&upload.mac) {
        return not_found();
    }
    let limit = app.uploads.max_bytes;
    let Ok(body) = axum::body::to_bytes(request.into_body(), limit).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("an upload may hold at most {limit} bytes\n"),
        )
            .into_response();
    };
    let content = match upload.keep {
        Keep::Replace => body.to_vec(),
        Keep::Log => match app.store.upload(&upload.mac, &upload.name).await {
            Ok(old) => {
                let old = old.map(|u| u.content).unwrap_or_default();
                upload::append_log(&old, &body, app.uploads.log_keep_bytes)
            }
            Err(e) => return store_failed(&upload.name, &e),
        },
    };
    let stored = Upload {
        mac: upload.mac,
        name: upload.name.clone(),
        content,
        updated_at_ms: now_ms(),
    };
    match app.store.put_upload(&stored).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(StoreError::NotFound(_)) => not_found(),
        Err(e) => store_failed(&upload.name, &e),
    }
}

fn store_failed(name: &str, error: &StoreError) -> Response {
    tracing::error!(file = %name, "upload storage failed: {error}");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "cannot store the upload\n",
    )
        .into_response()
}

async fn answer(app: &App, name: &str, request: Request) -> Response {
    if !name.contains('/') && name.len() <= firmware::MAX_SEGMENT {
        match app.live.fetch(name) {
            Ok(FetchAnswer::Found(file)) => {
                metrics::fetched(match file.vendor {
                    Vendor::Polycom => "polycom",
                    Vendor::Aastra => "aastra",
                });
                return with_content_type(file.content.clone(), file.content_type);
            }
            Ok(FetchAnswer::NotFound(reason)) => {
                tracing::debug!(file = %name, "{reason}");
            }
            Err(e) => {
                tracing::error!(file = %name, "cannot render: {e}");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "cannot render this file\n",
                )
                    .into_response();
            }
        }
    }
    if let Some(upload) = upload::classify(name) {
        // Phones read back what they uploaded (overrides, directories); nothing else by that name.
        return match app.store.upload(&upload.mac, &upload.name).await {
            Ok(Some(stored)) => {
                metrics::fetched("upload");
                with_content_type(stored.content, content_type_of_upload(&upload.name))
            }
            Ok(None) => not_found(),
            Err(e) => store_failed(&upload.name, &e),
        };
    }
    let Some(path) = firmware::resolve(&app.firmware_dir, name) else {
        return not_found();
    };
    match ServeFile::new(path).oneshot(request).await {
        Ok(response) => {
            if response.status().is_success() {
                metrics::fetched("firmware");
            }
            response.map(Body::new)
        }
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::decode_path;

    #[test]
    fn paths_are_decoded_once_and_checked() {
        assert_eq!(decode_path("201.cfg").as_deref(), Some("201.cfg"));
        assert_eq!(decode_path("%2e%2e/x").as_deref(), Some("../x"));
        assert_eq!(
            decode_path("%252e").as_deref(),
            Some("%2e"),
            "decoded once only"
        );
        for bad in ["%", "%2", "%zz", "a%00b", "a%5cb", "a\\b", "%ff"] {
            assert_eq!(decode_path(bad), None, "{bad:?}");
        }
    }
}
