//! What every admin page handler shares: the in-process API client, the login token and limits,
//! the sessions and the page templates.

use std::sync::Arc;

use crate::admin::web::client::ApiClient;
use crate::admin::web::pages::Pages;
use crate::admin::web::session::Sessions;
use crate::policy::login_limit::LoginLimit;

/// Where the web page is mounted.
pub const PREFIX: &str = "/admin";

/// What every page handler shares.
pub(crate) struct Web {
    pub(super) api: ApiClient,
    pub(super) token: String,
    pub(super) logins: Arc<LoginLimit>,
    pub(super) sessions: Sessions,
    pub(super) pages: Pages,
    /// Largest request body (an uploaded CSV file), in bytes.
    pub(super) body_limit: usize,
}
