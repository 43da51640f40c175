//! The error answer of every API route: a status and `{"error": "...", "details": [...]}`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::import::RowError;
use crate::store::StoreError;

/// The error answer of every API route.
#[derive(Debug)]
pub enum ApiError {
    /// 401: no or a wrong token.
    Unauthorized,
    /// 429: too many failed logins from this address; locked out for a while.
    LockedOut,
    /// 404.
    NotFound(String),
    /// 400: a malformed parameter.
    BadRequest(String),
    /// 422: the CSV has errors (every one listed).
    Rejected(Vec<RowError>),
    /// 409: the data changed meanwhile.
    Conflict(String),
    /// 413: the body is larger than allowed.
    TooLarge,
    /// 422: invalid fields of a JSON body, as `(field, message)`.
    Invalid(Vec<(String, String)>),
    /// 503: the database does not answer (nothing was written); the message says which.
    StoreDown(String),
    /// 500: the database failed.
    Internal(String),
}

/// Every error answer.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody {
    /// What went wrong.
    error: String,
    /// Each problem: a CSV row error (`line`, `column`, `message`, and the row's `extension`
    /// when it could be read) or an invalid JSON field
    /// (`field`, `message`).
    details: Vec<serde_json::Value>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, details): (StatusCode, String, Vec<serde_json::Value>) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "a valid bearer token is required (Authorization: Bearer TOKEN)".into(),
                vec![],
            ),
            ApiError::LockedOut => (
                StatusCode::TOO_MANY_REQUESTS,
                "too many failed logins from this address; try again later".into(),
                vec![],
            ),
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, what, vec![]),
            ApiError::BadRequest(what) => (StatusCode::BAD_REQUEST, what, vec![]),
            ApiError::Conflict(what) => (StatusCode::CONFLICT, what, vec![]),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "the request body is larger than allowed (--api-body-limit)".into(),
                vec![],
            ),
            ApiError::Rejected(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{} error(s) in the file; nothing was written", errors.len()),
                errors.iter().map(row_error_json).collect(),
            ),
            ApiError::Invalid(fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("{} invalid field(s); nothing was written", fields.len()),
                fields
                    .iter()
                    .map(|(field, message)| serde_json::json!({"field": field, "message": message}))
                    .collect(),
            ),
            ApiError::StoreDown(what) => {
                tracing::error!("admin API: {what}");
                (StatusCode::SERVICE_UNAVAILABLE, what, vec![])
            }
            ApiError::Internal(what) => {
                tracing::error!("admin API: {what}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal error; see the server log".into(),
                    vec![],
                )
            }
        };
        let mut response = (status, Json(ErrorBody { error, details })).into_response();
        if status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn row_error_json(e: &RowError) -> serde_json::Value {
    let mut json = serde_json::json!({"line": e.line, "column": e.column, "message": e.message});
    if let Some(extension) = &e.extension {
        json["extension"] = serde_json::json!(extension);
    }
    json
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict => ApiError::Conflict(e.to_string()),
            StoreError::NotFound(what) => ApiError::NotFound(format!("{what} not found")),
            StoreError::Refused(why) => ApiError::Conflict(why),
            // No connection within the pool's wait (PostgreSQL down), for a read or a write.
            StoreError::Database(sqlx::Error::PoolTimedOut) => ApiError::StoreDown(
                "the database did not answer in time: nothing was written (is PostgreSQL running and reachable?)"
                    .into(),
            ),
            other => ApiError::Internal(other.to_string()),
        }
    }
}
