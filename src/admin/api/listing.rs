//! Paging and searching of API lists: `?offset=&limit=&q=`, answered as
//! `{"total", "offset", "limit", "items"}`.

use axum::Json;
use serde::{Deserialize, Serialize};

use crate::admin::api::ApiError;

/// Default and largest page size.
const PAGE: usize = 100;
const MAX_PAGE: usize = 1000;

/// Which part of a list to answer.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct Page {
    /// Items to skip (default 0).
    offset: Option<usize>,
    /// Items to answer, 1 to 1000 (default 100).
    limit: Option<usize>,
    /// Only items containing this text (case-insensitive).
    pub(super) q: Option<String>,
}

/// One page of a list.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Paged<T: Serialize> {
    /// Items matching the search, over all pages.
    total: usize,
    offset: usize,
    limit: usize,
    items: Vec<T>,
}

pub(super) fn paged<T: Serialize>(all: Vec<T>, page: &Page) -> Result<Json<Paged<T>>, ApiError> {
    let limit = page.limit.unwrap_or(PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(ApiError::BadRequest(format!(
            "limit must be 1 to {MAX_PAGE}"
        )));
    }
    let offset = page.offset.unwrap_or(0);
    let total = all.len();
    let items = all.into_iter().skip(offset).take(limit).collect();
    Ok(Json(Paged {
        total,
        offset,
        limit,
        items,
    }))
}

/// A search query, lowercased once; `None` matches everything.
pub(super) struct Search(Option<String>);

impl Search {
    pub(super) fn new(query: &Option<String>) -> Search {
        Search(query.as_ref().map(|q| q.to_lowercase()))
    }

    pub(super) fn matches(&self, fields: &[&str]) -> bool {
        let Some(query) = &self.0 else { return true };
        fields.iter().any(|f| f.to_lowercase().contains(query))
    }
}
