//! Request bodies a client cannot drag out or blow up: a body that a route reads before anyone
//! has logged in (the admin login form, a phone's upload) must arrive whole within a deadline
//! and a small size, else the request is answered `408` or `413` and its connection closed. A
//! slow body otherwise holds a connection, its descriptor and its buffer for as long as the
//! client likes.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// How long a client has to send the whole body of an unauthenticated request.
pub const UNAUTHENTICATED_BODY_DEADLINE: Duration = Duration::from_secs(10);
/// The largest body of the admin login form (a CSRF token and the admin token).
pub const LOGIN_BODY_LIMIT: usize = 4096;

/// Why a body was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyRefused {
    /// More than the limit, in bytes.
    TooLarge(usize),
    /// Not all there by the deadline.
    TooSlow(Duration),
    /// The connection broke while it was read.
    Broken,
}

/// The whole of `body`, if it holds at most `limit` bytes and arrives within `deadline`.
pub async fn read_within(
    body: Body,
    limit: usize,
    deadline: Duration,
) -> Result<Bytes, BodyRefused> {
    match tokio::time::timeout(deadline, axum::body::to_bytes(body, limit)).await {
        Err(_) => Err(BodyRefused::TooSlow(deadline)),
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) if is_length_limit(&error) => Err(BodyRefused::TooLarge(limit)),
        Ok(Err(_)) => Err(BodyRefused::Broken),
    }
}

/// Whether reading stopped at the size limit (axum wraps http-body's `LengthLimitError`).
fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(cause) = source {
        if cause.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = cause.source();
    }
    false
}

impl IntoResponse for BodyRefused {
    fn into_response(self) -> Response {
        let (status, text) = match self {
            BodyRefused::TooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the request body may hold at most {limit} bytes\n"),
            ),
            BodyRefused::TooSlow(deadline) => (
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body must arrive within {} seconds\n",
                    deadline.as_secs()
                ),
            ),
            BodyRefused::Broken => (
                StatusCode::BAD_REQUEST,
                "the request body could not be read\n".to_string(),
            ),
        };
        let mut response = (status, text).into_response();
        // The rest of the body is never read: the connection cannot carry another request.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    }
}

/// Middleware for the admin login form: its body is read whole, at most [`LOGIN_BODY_LIMIT`]
/// bytes within [`UNAUTHENTICATED_BODY_DEADLINE`], before the form is looked at.
pub async fn bounded_login_body(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match read_within(body, LOGIN_BODY_LIMIT, UNAUTHENTICATED_BODY_DEADLINE).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(refused) => {
            tracing::debug!("admin login body refused: {refused:?}");
            refused.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_body_is_taken_whole_or_refused_for_its_size_or_its_slowness() {
        let deadline = Duration::from_millis(200);
        let small = read_within(Body::from("csrf=a&token=b"), 64, deadline).await;
        assert_eq!(small, Ok(Bytes::from_static(b"csrf=a&token=b")));
        let large = read_within(Body::from(vec![b'x'; 65]), 64, deadline).await;
        assert_eq!(large, Err(BodyRefused::TooLarge(64)));
        let never = futures_lite::stream::pending::<Result<Bytes, std::io::Error>>();
        let slow = read_within(Body::from_stream(never), 64, deadline).await;
        assert_eq!(slow, Err(BodyRefused::TooSlow(deadline)));
    }
}
