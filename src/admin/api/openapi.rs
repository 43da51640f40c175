//! The OpenAPI document of the admin API: the operations collected from the handlers'
//! `#[utoipa::path]` annotations, mounted under `/api/v1`, with the bearer-token scheme.

use axum::body::Bytes;
use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};

use crate::admin::api::PREFIX;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "phoneprov admin API",
        description = "Extensions, phones, sites, CSV import and export of a phoneprov \
                       provisioning server. Every operation needs `Authorization: Bearer TOKEN` \
                       (the admin token); errors are `{\"error\": ..., \"details\": [...]}`."
    ),
    security(("bearer" = [])),
    modifiers(&BearerScheme)
)]
struct ApiDoc;

struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document for the operations `described` (paths relative to the API's mount point), as
/// JSON.
pub(super) fn document(described: utoipa::openapi::OpenApi) -> Bytes {
    let document = ApiDoc::openapi().nest(PREFIX, described);
    match serde_json::to_vec(&document) {
        Ok(json) => Bytes::from(json),
        Err(e) => {
            tracing::error!("cannot write the OpenAPI document: {e}");
            Bytes::from_static(b"{}")
        }
    }
}
