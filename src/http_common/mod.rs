//! What the HTTP servers share, below both the phone transport (`transport::http`) and the
//! admin API and web page (`admin`), which are served beside it: the response helper, what a
//! TLS connection tells its handlers, the mark of a request over the local admin socket, and the
//! limits on request bodies ([`request_body`]).

pub mod request_body;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;

use crate::policy::access::ClientCertificate;

/// A 200 response with `body` and its content type.
pub fn with_content_type(body: impl Into<Body>, content_type: &'static str) -> Response {
    let mut response = Response::new(body.into());
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// What the TLS listener tells the handlers of a connection (absent on plain HTTP).
#[derive(Debug, Clone, Copy)]
pub struct TlsConnection {
    /// The client's certificate, as verified.
    pub certificate: ClientCertificate,
}

/// Marks a request that came over the admin API's local socket (`DATA/admin.sock`), which only
/// the server's own user can open.
#[derive(Debug, Clone, Copy)]
pub struct LocalAdmin;
