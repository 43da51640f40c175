//! The admin API (JSON under `/api/v1`), behind a bearer token compared in constant time:
//! extensions, phones (with last seen, fetches, uploads and the files each phone will get,
//! rendered for preview), sites, CSV import (the same code and report as `phoneprov import`) and
//! export, DHCP leases (list, release), and the OpenAPI document of all of it at `/api/v1/openapi.json` (public, so tools can
//! read it). This module owns the routing and the authorization; each resource has its module.
//! Errors are JSON `{"error": "...", "details": [...]}` with the fitting status; bad input is never
//! a 500. After a change the live data is reloaded at once.

mod bans;
mod csv;
mod error;
mod extensions;
mod failover;
mod fields;
mod leases;
mod listing;
mod openapi;
mod phone_access;
mod phones;
mod publish;
mod settings;
mod sites;
mod state;
mod status;
mod unassigned;
mod voicemail;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

pub use error::ApiError;
pub(crate) use state::{API_ACTOR, Api};
pub use state::{Controls, PREFIX};

use crate::http_common::with_content_type;
use crate::policy::secret_compare::same_secret;
use crate::provision::live::Live;
use crate::store::Store;

/// Default largest import body (16 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 16 * 1024 * 1024;

/// The API router with its OpenAPI document, to be nested under [`PREFIX`].
pub fn router(
    store: Arc<dyn Store>,
    live: Arc<Live>,
    controls: Controls,
    token: String,
    body_limit: usize,
) -> Router {
    let api = Arc::new(Api {
        store,
        live,
        controls,
        token,
    });
    let (routes, described) = OpenApiRouter::new()
        .routes(routes!(extensions::list, extensions::create,))
        .routes(routes!(
            extensions::get_one,
            extensions::update,
            extensions::delete,
        ))
        .routes(routes!(phones::list))
        .routes(routes!(phones::get_one, phones::delete))
        .routes(routes!(phones::assign_lines))
        .routes(routes!(phones::files))
        .routes(routes!(phones::file))
        .routes(routes!(phones::upload))
        .routes(routes!(phones::accept_upload))
        .routes(routes!(phones::resync))
        .routes(routes!(sites::list, sites::create))
        .routes(routes!(sites::get_one, sites::update))
        .routes(routes!(failover::preview))
        .routes(routes!(failover::switchover))
        .routes(routes!(failover::switchback))
        .routes(routes!(failover::set_switchover))
        .routes(routes!(failover::set_site_switchover))
        .routes(routes!(extensions::password))
        .routes(routes!(failover::relocate))
        .routes(routes!(failover::rebalance))
        .routes(routes!(status::get))
        .routes(routes!(publish::status))
        .routes(routes!(status::pushes))
        .routes(routes!(bans::list))
        .routes(routes!(bans::lift))
        .routes(routes!(phone_access::set_login, phone_access::remove_login))
        .routes(routes!(
            phone_access::get_binding,
            phone_access::reset_binding
        ))
        .routes(routes!(failover::audit))
        .routes(routes!(voicemail::get, voicemail::set))
        .routes(routes!(voicemail::mark))
        .routes(with_body_limit(routes!(csv::import), body_limit))
        .routes(routes!(csv::export))
        .routes(routes!(settings::list, settings::set))
        .routes(with_body_limit(routes!(settings::import), body_limit))
        .routes(routes!(settings::of_phone))
        .routes(routes!(settings::set_profile))
        .routes(routes!(settings::set_in_directory))
        .routes(routes!(settings::keys, settings::set_keys))
        .routes(routes!(unassigned::list))
        .routes(routes!(unassigned::export))
        .routes(routes!(unassigned::dismiss))
        .routes(routes!(unassigned::adopt))
        .routes(routes!(leases::list))
        .routes(routes!(leases::release))
        .split_for_parts();
    let document = openapi::document(described);
    routes
        .route("/", any(no_route))
        .route("/{*rest}", any(no_route))
        .route_layer(middleware::from_fn_with_state(Arc::clone(&api), authorize))
        .route(
            "/openapi.json",
            get(move || async move { with_content_type(document.clone(), "application/json") }),
        )
        .with_state(api)
}

/// Import bodies may be larger than other requests (`--api-body-limit`).
fn with_body_limit(
    (schemas, paths, method_router): UtoipaMethodRouter<Arc<Api>>,
    limit: usize,
) -> UtoipaMethodRouter<Arc<Api>> {
    (
        schemas,
        paths,
        method_router.layer(DefaultBodyLimit::max(limit)),
    )
}

async fn no_route() -> ApiError {
    ApiError::NotFound("no such API route".into())
}

/// The `X-Forwarded-For` header, if any (read only from trusted proxies).
pub(crate) fn forwarded_for(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get("x-forwarded-for")
        .and_then(|value| value.to_str().ok())
}

async fn authorize(State(api): State<Arc<Api>>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let logins = &api.controls.logins;
    // The web page calls the API in-process, without a client address, and the local socket
    // is the server's own: never limited.
    let local = request
        .extensions()
        .get::<crate::http_common::LocalAdmin>()
        .is_some();
    let client = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .filter(|_| !local)
        .map(|c| logins.client_of(c.0.ip(), forwarded_for(request.headers())));
    if let Some(client) = client
        && logins.is_locked(client)
    {
        tracing::warn!(
            target: "audit",
            client = %client,
            path = %request.uri().path(),
            "admin API login refused: too many failed logins from this address"
        );
        return ApiError::LockedOut.into_response();
    }
    if same_secret(presented.as_bytes(), api.token.as_bytes()) {
        if let Some(client) = client {
            logins.succeeded(client);
        }
        return next.run(request).await;
    }
    tracing::warn!(
        target: "audit",
        client = %client.map(|c| c.to_string()).unwrap_or_default(),
        path = %request.uri().path(),
        "admin API login failed: {}",
        if presented.is_empty() { "no token" } else { "wrong token" }
    );
    if let Some(client) = client {
        logins.failed(client);
        tokio::time::sleep(logins.delay()).await;
    }
    ApiError::Unauthorized.into_response()
}
