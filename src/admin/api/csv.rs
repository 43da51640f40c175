//! CSV in the admin API: import (a `text/csv` body or a multipart file; dry run and replace
//! mode; the same code and report as `phoneprov import`) and export.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::admin::api::error::ErrorBody;
use crate::admin::api::fields::reload;
use crate::admin::api::{Api, ApiError};
use crate::http_common::with_content_type;
use crate::import::{ImportError, ImportOptions, ImportReport, export_csv, import_csv};

/// How to import.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ImportQuery {
    /// Check and report only; write nothing.
    dry_run: Option<bool>,
    /// `upsert` (default) or `replace` (what the file does not name is deleted).
    mode: Option<String>,
}

impl ImportQuery {
    /// The import's options, on behalf of the API.
    pub(super) fn options(&self) -> Result<ImportOptions, ApiError> {
        Ok(ImportOptions {
            dry_run: self.dry_run.unwrap_or(false),
            replace: self.replace()?,
            actor: super::API_ACTOR.to_string(),
        })
    }

    /// Whether the mode is `replace`.
    fn replace(&self) -> Result<bool, ApiError> {
        match self.mode.as_deref() {
            None | Some("upsert") => Ok(false),
            Some("replace") => Ok(true),
            Some(other) => Err(ApiError::BadRequest(format!(
                "mode must be upsert or replace, not {other:?}"
            ))),
        }
    }
}

/// A multipart import form: the CSV as a file field.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ImportForm {
    /// The CSV file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The CSV of an import request: the body itself, or the first file of a multipart form.
pub(super) async fn csv_of(request: Request) -> Result<Bytes, ApiError> {
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let refused = |status: StatusCode, text: String| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge
        } else {
            ApiError::BadRequest(format!("cannot read the request body: {text}"))
        }
    };
    if !multipart {
        return Bytes::from_request(request, &())
            .await
            .map_err(|e| refused(e.status(), e.body_text()));
    }
    let mut form = Multipart::from_request(request, &())
        .await
        .map_err(|e| ApiError::BadRequest(format!("invalid multipart form: {}", e.body_text())))?;
    let field_error =
        |e: axum::extract::multipart::MultipartError| refused(e.status(), e.body_text());
    while let Some(field) = form.next_field().await.map_err(field_error)? {
        if field.file_name().is_some() || field.name() == Some("file") {
            return field.bytes().await.map_err(field_error);
        }
    }
    Err(ApiError::BadRequest(
        "the multipart form has no file".into(),
    ))
}

/// Imports extensions and phones from CSV, all or nothing.
#[utoipa::path(post, path = "/import", operation_id = "import_csv", tag = "csv", params(ImportQuery),
    request_body(content(
        (String = "text/csv"),
        (ImportForm = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "What the import did, or would do", body = ImportReport),
        (status = 400, description = "A bad parameter or form", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 409, description = "The data changed meanwhile", body = ErrorBody),
        (status = 413, description = "Larger than --api-body-limit", body = ErrorBody),
        (status = 422, description = "Errors in the file, each with line and column; nothing \
            was written", body = ErrorBody),
    ))]
pub(super) async fn import(
    State(api): State<Arc<Api>>,
    Query(query): Query<ImportQuery>,
    request: Request,
) -> Result<impl IntoResponse, ApiError> {
    let body = csv_of(request).await?;
    let mut report = import_csv(api.store.as_ref(), &body, &query.options()?, &|_, _| {})
        .await
        .map_err(file_refused)?;
    if report.revision.is_some() {
        reload(&api).await;
        report.limits = api.live.limit_warnings();
    }
    Ok(Json(report))
}

/// A refused file import: every row error, with line and column (422).
pub(super) fn file_refused(e: ImportError) -> ApiError {
    match e {
        ImportError::Rejected(errors) => ApiError::Rejected(errors),
        ImportError::Store(e) => ApiError::from(e),
        ImportError::Random(e) => ApiError::Internal(e.to_string()),
    }
}

/// `?passwords=true` of the export.
#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct ExportQuery {
    /// Include the SIP passwords (default false: the column is left out).
    passwords: Option<bool>,
}

/// Every extension and phone as CSV (the import format; SIP passwords only when asked for).
#[utoipa::path(get, path = "/export", operation_id = "export_csv", tag = "csv", params(ExportQuery),
    responses(
        (status = 200, description = "The CSV", content((String = "text/csv; charset=utf-8"))),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn export(
    State(api): State<Arc<Api>>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let mut csv = Vec::new();
    export_csv(
        api.store.as_ref(),
        &mut csv,
        query.passwords.unwrap_or(false),
    )
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(with_content_type(csv, "text/csv; charset=utf-8"))
}
