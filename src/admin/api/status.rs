//! The deployment at a glance in the admin API: counts of sites, extensions and phones (per
//! vendor too), phones
//! seen in the last hour and never seen, files served per minute over the last hour, the recent
//! warnings and errors, and the recent check-sync pushes with their outcomes.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use crate::admin::api::error::ErrorBody;
use crate::admin::api::phones::{PushView, push_view};
use crate::admin::api::{Api, ApiError};
use crate::clock::now_ms;
use crate::domain::{Mac, Vendor};
use crate::observe::activity::{Problem, failed_phones, fetches_per_minute, recent_problems};

/// The deployment at a glance.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct StatusView {
    sites: i64,
    extensions: i64,
    phones: i64,
    /// Phones per vendor (`polycom`, `aastra`, `yealink`), every vendor listed.
    phones_by_vendor: std::collections::BTreeMap<String, usize>,
    /// Phones that fetched a file in the last hour.
    phones_seen_last_hour: i64,
    /// Phones that never fetched a file.
    phones_never_seen: i64,
    /// Phones with a recent boot or registration failure (a firmware image missing, a failed
    /// registration in an uploaded log), newest first, each with that failure.
    phones_failed: Vec<FailedPhone>,
    /// Files served to phones in each of the last 60 minutes, oldest first.
    fetches_per_minute: Vec<u64>,
    /// The most recent warnings and errors logged, newest first.
    recent_problems: Vec<Problem>,
    /// phoneprov's own address as phones reach it: the call server of sites that name none.
    own_address: String,
}

/// A phone with a recent failure.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct FailedPhone {
    /// Its MAC.
    mac: String,
    /// Its newest failure.
    problem: Problem,
}

/// Counts, activity and recent problems.
#[utoipa::path(get, path = "/status", operation_id = "get_status", tag = "status",
    responses(
        (status = 200, description = "The deployment at a glance", body = StatusView),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn get(State(api): State<Arc<Api>>) -> Result<impl IntoResponse, ApiError> {
    let counts = api.store.counts().await?;
    let activity = api.store.phone_activity(now_ms() - 3_600_000).await?;
    let (deployment, _) = api.live.current();
    let mut phones_by_vendor: std::collections::BTreeMap<String, usize> = Vendor::ALL
        .iter()
        .map(|vendor| (vendor.as_str().to_string(), 0))
        .collect();
    for phone in deployment.phones() {
        *phones_by_vendor
            .entry(phone.vendor.as_str().to_string())
            .or_default() += 1;
    }
    Ok(Json(StatusView {
        sites: counts.sites,
        extensions: counts.extensions,
        phones: counts.phones,
        phones_by_vendor,
        phones_seen_last_hour: activity.seen_since,
        phones_never_seen: activity.never_seen,
        phones_failed: failed_phones()
            .into_iter()
            .filter(|(mac, _)| Mac::parse(mac).is_ok_and(|mac| deployment.phone(&mac).is_some()))
            .map(|(mac, problem)| FailedPhone { mac, problem })
            .collect(),
        fetches_per_minute: fetches_per_minute(),
        recent_problems: recent_problems(),
        own_address: api.live.server_address().to_string(),
    }))
}

/// How many pushes to list.
#[derive(Deserialize, utoipa::IntoParams)]
pub(super) struct PushQuery {
    /// At most this many, newest first (default 100, at most 10,000).
    limit: Option<i64>,
}

/// A phone's last push.
#[derive(Serialize, utoipa::ToSchema)]
pub(super) struct PhonePush {
    mac: String,
    push: PushView,
}

/// The most recent check-sync pushes, one per phone, newest first.
#[utoipa::path(get, path = "/pushes", operation_id = "list_pushes", tag = "phones", params(PushQuery),
    responses(
        (status = 200, description = "Pushes, newest first", body = Vec<PhonePush>),
        (status = 400, description = "A bad limit", body = ErrorBody),
        (status = 401, description = "No or a wrong token", body = ErrorBody),
    ))]
pub(super) async fn pushes(
    State(api): State<Arc<Api>>,
    Query(query): Query<PushQuery>,
) -> Result<impl IntoResponse, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be 1 to 10000".into()));
    }
    let pushes = api.store.pushes(limit).await?;
    let seen: HashMap<Mac, i64> = api
        .store
        .phones()
        .await?
        .into_iter()
        .filter_map(|p| Some((p.mac, p.last_seen?.at_ms)))
        .collect();
    Ok(Json(
        pushes
            .iter()
            .map(|(mac, record)| PhonePush {
                mac: mac.to_string(),
                push: push_view(record, seen.get(mac).copied()),
            })
            .collect::<Vec<_>>(),
    ))
}
