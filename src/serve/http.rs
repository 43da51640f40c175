//! Phone-facing HTTP: GET and HEAD of every file the provisioning core renders (from [`Live`]'s
//! cache), else of a file in the firmware folder (streamed, with Content-Length, Last-Modified and
//! Range), else 404. Files are served at the root and, with a prefix, under it (`/prov/201.cfg`).
//! Request paths are percent-decoded once; a path that decodes to invalid UTF-8 or holds NUL or a
//! backslash is refused before anything else looks at it.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::serve::firmware;
use crate::serve::live::{FetchAnswer, Live};

/// How the phone-facing HTTP server is set up.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Optional path prefix phones may use, e.g. `/prov`.
    pub prefix: Option<String>,
    /// Folder of firmware and vendor files.
    pub firmware_dir: PathBuf,
}

struct App {
    live: Arc<Live>,
    prefix: Option<String>,
    firmware_dir: PathBuf,
}

/// The router of phone files.
pub fn router(live: Arc<Live>, config: HttpConfig) -> Router {
    let prefix = config
        .prefix
        .map(|p| format!("/{}", p.trim_matches('/')))
        .filter(|p| p != "/");
    let app = Arc::new(App {
        live,
        prefix,
        firmware_dir: config.firmware_dir,
    });
    Router::new()
        .route("/", get(phone_file))
        .route("/{*path}", get(phone_file))
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

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found\n").into_response()
}

async fn phone_file(State(app): State<Arc<App>>, request: Request) -> Response {
    let raw = request.uri().path();
    let raw = match &app.prefix {
        Some(prefix) => raw
            .strip_prefix(prefix.as_str())
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(raw),
        None => raw,
    };
    let Some(name) = raw.strip_prefix('/').and_then(decode_path) else {
        return not_found();
    };
    if !name.contains('/') && name.len() <= firmware::MAX_SEGMENT {
        match app.live.fetch(&name) {
            Ok(FetchAnswer::Found(file)) => {
                let mut response = Response::new(Body::from(file.content.clone()));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(file.content_type),
                );
                return response;
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
    let Some(path) = firmware::resolve(&app.firmware_dir, &name) else {
        return not_found();
    };
    match ServeFile::new(path).oneshot(request).await {
        Ok(response) => response.map(Body::new),
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
