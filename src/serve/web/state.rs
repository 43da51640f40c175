//! What every admin page handler shares: the in-process API client, the login token and limits,
//! the sessions and the page templates.

use std::sync::Arc;

use crate::serve::login_limit::LoginLimit;
use crate::serve::web::client::ApiClient;
use crate::serve::web::pages::Pages;
use crate::serve::web::session::Sessions;

/// Where the web page is mounted.
pub const PREFIX: &str = "/admin";

/// What every page handler shares.
pub(crate) struct Web {
    pub(super) api: ApiClient,
    pub(super) token: String,
    pub(super) logins: Arc<LoginLimit>,
    pub(super) sessions: Sessions,
    pub(super) pages: Pages,
}
