//! The publish status in the admin API: the last publish to each boot server `serve --publish`
//! keeps up to date (when, files sent, deleted, unchanged, failed, the first errors).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;

use crate::admin::api::error::ErrorBody;
use crate::admin::api::{Api, ApiError};
use crate::publish::PublishReport;

/// The last publish to each target (none without `--publish`, or before the first one ends).
#[utoipa::path(get, path = "/publish", operation_id = "publish_status", tag = "status",
    responses(
        (status = 200, description = "The last publish of each target", body = Vec<PublishReport>),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn status(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    let reports = api
        .controls
        .publish
        .as_ref()
        .map(|status| status.reports())
        .unwrap_or_default();
    Ok(Json(reports))
}
