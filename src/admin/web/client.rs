//! The web page is a client of the admin API, in process: every read and change goes through the
//! same API routes (with the admin token), so the checks, the transactions, the audit log and the
//! error messages are the API's, never a second copy.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::admin::api::PREFIX;

/// Largest API answer the page reads (a CSV export of a large deployment fits).
const MAX_ANSWER: usize = 256 * 1024 * 1024;

/// An API answer.
#[derive(Debug)]
pub struct Answer {
    /// Its status.
    pub status: StatusCode,
    /// Its body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (`null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Whether the status is 2xx.
    pub fn ok(&self) -> bool {
        self.status.is_success()
    }

    /// The API's error message and its details as `field: message` lines.
    pub fn problems(&self) -> Vec<String> {
        let body = self.json();
        let mut lines = vec![body["error"].as_str().map_or_else(
            || format!("the server answered {}", self.status),
            str::to_string,
        )];
        for detail in body["details"].as_array().into_iter().flatten() {
            lines.push(describe_detail(detail));
        }
        lines
    }
}

/// One entry of an API error's `details`: `{"field", "message"}` or a CSV row error
/// `{"line", "column", "message", "extension"?}`.
fn describe_detail(detail: &Value) -> String {
    let message = detail["message"].as_str().unwrap_or_default();
    if let Some(field) = detail["field"].as_str() {
        return format!("{field}: {message}");
    }
    let Some(line) = detail["line"].as_u64() else {
        return message.to_string();
    };
    let extension = detail["extension"]
        .as_str()
        .map(|e| format!(" (extension {e})"))
        .unwrap_or_default();
    match detail["column"].as_str() {
        Some(column) => format!("line {line}{extension}, column {column}: {message}"),
        None => format!("line {line}{extension}: {message}"),
    }
}

/// Calls the API router in process.
#[derive(Clone)]
pub struct ApiClient {
    router: Router,
    authorization: String,
}

impl ApiClient {
    /// A client of `router` (the API, as nested under [`PREFIX`]) with the admin token.
    pub fn new(router: Router, token: &str) -> ApiClient {
        ApiClient {
            router,
            authorization: format!("Bearer {token}"),
        }
    }

    /// Sends a request; `path` is below the API prefix (`/sites`).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{PREFIX}{path}"))
            .header(header::AUTHORIZATION, &self.authorization);
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let request = match request.body(Body::from(body)) {
            Ok(request) => request,
            Err(e) => return failed(format!("bad request to {path}: {e}")),
        };
        let response = match self.router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        match to_bytes(response.into_body(), MAX_ANSWER).await {
            Ok(bytes) => Answer {
                status,
                body: bytes.to_vec(),
            },
            Err(e) => failed(format!("cannot read the answer of {path}: {e}")),
        }
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None, Vec::new()).await
    }

    /// `method path` with a JSON body.
    pub async fn send(&self, method: Method, path: &str, body: &Value) -> Answer {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        self.call(method, path, Some("application/json"), bytes)
            .await
    }
}

fn failed(message: String) -> Answer {
    Answer {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        body: serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default(),
    }
}

/// `text` escaped for a URL path segment or query value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
