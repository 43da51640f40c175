//! Failover in the admin API: preview a site's switchover, switch a site over to its alternate
//! and back, enable switchover
//! per extension, relocate an extension, rebalance a site's call servers, and read the audit log. Each change is one store
//! transaction with its audit entry ([`crate::store::FailoverStore::switch_site`] and friends); a refusal
//! (no alternate, conflicts, wrong state) is 409 with the reason, and nothing changes. Phones
//! whose files change are pushed a check-sync NOTIFY by the pusher.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use crate::admin::api::error::ErrorBody;
use crate::admin::api::fields::{json_body, reload};
use crate::admin::api::{API_ACTOR, Api, ApiError};
use crate::domain::{ExtensionNumber, SiteName, switchover_split};

/// A switchover or switchback done.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Switched {
    site: String,
    switched_over: bool,
    /// Extensions that moved.
    extensions: usize,
}

fn site_of(text: &str) -> Result<SiteName, ApiError> {
    SiteName::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))
}

fn number_of(text: &str) -> Result<ExtensionNumber, ApiError> {
    ExtensionNumber::parse(text).map_err(|e| ApiError::BadRequest(e.to_string()))
}

/// What a switchover (or switchback) of a site would do with its extensions at home, by number.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SwitchoverPreview {
    site: String,
    /// Its alternate site, if it has one (without one, nothing can switch over).
    alternate_site: Option<String>,
    /// Whether it is switched over now (then the next step is a switchback).
    switched_over: bool,
    /// Those that follow: served by the alternate's call server while switched over.
    moving: Vec<String>,
    /// Those excluded from switchover: they stay.
    excluded: Vec<String>,
    /// Those that follow but whose number the alternate uses itself: they stay home.
    staying: Vec<String>,
}

/// What a switchover (or switchback) of the site would move and what stays, as the switchover
/// itself counts it; nothing changes.
#[utoipa::path(get, path = "/sites/{name}/switchover-preview", operation_id = "preview_switchover", tag = "sites",
    params(("name" = String, Path, description = "Site name")),
    responses(
        (status = 200, description = "What would move and what stays", body = SwitchoverPreview),
        (status = 400, description = "Not a site name", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ))]
pub(super) async fn preview(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let name = site_of(&name)?;
    let snapshot = api.store.snapshot().await?;
    let site = snapshot
        .sites
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| ApiError::NotFound(format!("no site {name}")))?;
    let alternate = site.settings.alternate_site.and_then(|id| {
        snapshot
            .sites
            .iter()
            .find(|s| s.id == id && s.id != site.id)
    });
    let split = switchover_split(&snapshot.extensions, site, alternate);
    let numbers = |list: Vec<&crate::domain::Extension>| {
        list.into_iter().map(|e| e.number.to_string()).collect()
    };
    Ok(Json(SwitchoverPreview {
        site: site.name.to_string(),
        alternate_site: alternate.map(|a| a.name.to_string()),
        switched_over: site.switched_over,
        moving: numbers(split.moving),
        excluded: numbers(split.excluded),
        staying: numbers(split.staying),
    }))
}

async fn switch(api: &Api, name: &str, over: bool) -> Result<Json<Switched>, ApiError> {
    let site = site_of(name)?;
    let extensions = api.store.switch_site(&site, over, API_ACTOR).await?;
    reload(api).await;
    Ok(Json(Switched {
        site: site.to_string(),
        switched_over: over,
        extensions,
    }))
}

/// Moves every extension of the site that follows its switchover (all but the excluded ones, and
/// numbers the alternate uses itself) to its alternate site's call server.
#[utoipa::path(post, path = "/sites/{name}/switchover", operation_id = "switch_over_site", tag = "sites",
    params(("name" = String, Path, description = "Site name")),
    responses(
        (status = 200, description = "Switched over", body = Switched),
        (status = 400, description = "Not a site name", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "No alternate, or already switched over", body = ErrorBody),
    ))]
pub(super) async fn switchover(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    switch(&api, &name, true).await
}

/// Returns the site's switched-over extensions to their home call server.
#[utoipa::path(post, path = "/sites/{name}/switchback", operation_id = "switch_back_site", tag = "sites",
    params(("name" = String, Path, description = "Site name")),
    responses(
        (status = 200, description = "Switched back", body = Switched),
        (status = 400, description = "Not a site name", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
        (status = 409, description = "Not switched over", body = ErrorBody),
    ))]
pub(super) async fn switchback(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    switch(&api, &name, false).await
}

/// Whether an extension follows its site's switchover.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SwitchoverInput {
    enabled: bool,
}

/// Makes an extension follow its site's switchover (the default), or excludes it.
#[utoipa::path(put, path = "/extensions/{number}/switchover", operation_id = "set_extension_switchover", tag = "extensions",
    params(("number" = String, Path, description = "Extension number")),
    request_body = SwitchoverInput,
    responses(
        (status = 200, description = "Set", body = SwitchoverState),
        (status = 400, description = "Not a number, or not the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such extension", body = ErrorBody),
    ))]
pub(super) async fn set_switchover(
    State(api): State<Arc<Api>>,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let number = number_of(&number)?;
    let input: SwitchoverInput = json_body(&body)?;
    api.store
        .set_switchover(&number, input.enabled, API_ACTOR)
        .await?;
    reload(&api).await;
    Ok(Json(SwitchoverState {
        number: number.to_string(),
        switchover_enabled: input.enabled,
    }))
}

/// Every extension of a site follows its switchover, or none does.
#[utoipa::path(put, path = "/sites/{name}/extensions-switchover", operation_id = "set_site_extensions_switchover", tag = "sites",
    params(("name" = String, Path, description = "Site name: its extensions (by home site)")),
    request_body = SwitchoverInput,
    responses(
        (status = 200, description = "Set; how many extensions changed", body = SiteSwitchoverState),
        (status = 400, description = "Not a site name, or not the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ))]
pub(super) async fn set_site_switchover(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let site = site_of(&name)?;
    let input: SwitchoverInput = json_body(&body)?;
    let changed = api
        .store
        .set_site_switchover(&site, input.enabled, API_ACTOR)
        .await?;
    reload(&api).await;
    Ok(Json(SiteSwitchoverState {
        site: site.to_string(),
        switchover_enabled: input.enabled,
        changed,
    }))
}

/// A site's extensions' switchover setting, and how many changed.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SiteSwitchoverState {
    site: String,
    switchover_enabled: bool,
    changed: usize,
}

/// An extension's switchover setting.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct SwitchoverState {
    number: String,
    switchover_enabled: bool,
}

/// Where to relocate an extension.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RelocateInput {
    /// The site; its home site relocates it home.
    site: String,
}

/// An extension's sites after a relocation.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Relocated {
    number: String,
    current_site: String,
}

/// Relocates an extension to another site, keeping all its settings (its home site: home).
#[utoipa::path(post, path = "/extensions/{number}/relocate", operation_id = "relocate_extension", tag = "extensions",
    params(("number" = String, Path, description = "Extension number")),
    request_body = RelocateInput,
    responses(
        (status = 200, description = "Relocated", body = Relocated),
        (status = 400, description = "Not a number, or not the known fields", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such extension or site", body = ErrorBody),
    ))]
pub(super) async fn relocate(
    State(api): State<Arc<Api>>,
    Path(number): Path<String>,
    body: Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let number = number_of(&number)?;
    let input: RelocateInput = json_body(&body)?;
    let site = site_of(&input.site)?;
    api.store.relocate(&number, &site, API_ACTOR).await?;
    reload(&api).await;
    Ok(Json(Relocated {
        number: number.to_string(),
        current_site: site.to_string(),
    }))
}

/// How many audit entries to list.
#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct AuditQuery {
    /// At most this many, newest first (default 100, at most 10,000).
    limit: Option<i64>,
}

/// An audit log entry.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct AuditView {
    at_ms: i64,
    actor: String,
    action: String,
    subject: String,
    detail: String,
}

/// The audit log of admin changes (sites, extensions, phones, failover, voice mail), newest first.
#[utoipa::path(get, path = "/audit", operation_id = "list_audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, description = "Entries, newest first", body = Vec<AuditView>),
        (status = 400, description = "A bad limit", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn audit(
    State(api): State<Arc<Api>>,
    Query(query): Query<AuditQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be 1 to 10000".into()));
    }
    let entries = api.store.audit(limit).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditView {
                at_ms: e.at_ms,
                actor: e.actor,
                action: e.action,
                subject: e.subject,
                detail: e.detail,
            })
            .collect::<Vec<_>>(),
    ))
}

/// A rebalance done.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct Rebalanced {
    site: String,
    /// Extensions whose primary or backup call server changed.
    moved: usize,
}

/// Spreads the site's extensions evenly over its call servers again, moving the fewest.
#[utoipa::path(post, path = "/sites/{name}/rebalance", operation_id = "rebalance_site", tag = "sites",
    params(("name" = String, Path, description = "Site name")),
    responses(
        (status = 200, description = "Rebalanced", body = Rebalanced),
        (status = 400, description = "Not a site name", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
        (status = 404, description = "No such site", body = ErrorBody),
    ))]
pub(super) async fn rebalance(
    State(api): State<Arc<Api>>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let site = site_of(&name)?;
    let moved = api.store.rebalance(&site, API_ACTOR).await?;
    reload(&api).await;
    Ok(Json(Rebalanced {
        site: site.to_string(),
        moved,
    }))
}
