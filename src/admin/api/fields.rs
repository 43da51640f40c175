//! What the API's changes share: reading a JSON body, collecting invalid fields by name, turning
//! a refused import into field errors, and reloading the live data after a change.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::admin::api::{Api, ApiError};
use crate::import::{Cell, ImportError};
use crate::store::ChangeSet;

/// Invalid fields so far, as `(field, message)`.
pub(super) struct Fields(pub(super) Vec<(String, String)>);

impl Fields {
    /// A cell from an optional text field, recording a parse failure under `field`.
    pub(super) fn cell<T, E: std::fmt::Display>(
        &mut self,
        field: &str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Cell<T> {
        match value {
            None => Cell::Absent,
            Some("") => Cell::Empty,
            Some(text) => match parse(text) {
                Ok(v) => Cell::Value(v),
                Err(e) => {
                    self.0.push((field.to_string(), e.to_string()));
                    Cell::Empty
                }
            },
        }
    }
}

/// A JSON body, or a 400 naming what is wrong with it.
pub(super) fn json_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("invalid JSON body: {e}")))
}

/// A refused one-row import, as field errors.
pub(super) fn refused(e: ImportError) -> ApiError {
    match e {
        ImportError::Rejected(errors) => ApiError::Invalid(
            errors
                .into_iter()
                .map(|e| (e.column.unwrap_or_default(), e.message))
                .collect(),
        ),
        ImportError::Store(e) => ApiError::from(e),
        ImportError::Random(e) => ApiError::Internal(e.to_string()),
    }
}

/// Applies a change set made from the current snapshot, reloads, and answers 204.
pub(super) async fn apply_and_reload(api: &Api, changes: &ChangeSet) -> Result<Response, ApiError> {
    api.store
        .apply(changes, super::API_ACTOR, &|_, _| {})
        .await?;
    reload(api).await;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Reloads the live data after a change (a failure is logged; the change stands).
pub(super) async fn reload(api: &Api) {
    if let Err(e) = api.live.refresh().await {
        tracing::warn!("changed, but cannot reload the live data yet: {e}");
    }
}
