//! The admin API's shared state: the store, the live data and the running servers each resource
//! handler works on, and the names every handler shares.

use std::sync::Arc;

use crate::dhcp::server::LeaseControl;
use crate::policy::guard::Guard;
use crate::policy::login_limit::LoginLimit;
use crate::provision::live::Live;
use crate::push::pusher::PushQueue;
use crate::store::Store;

/// Who the audit log names for changes made through the API.
pub(crate) const API_ACTOR: &str = "api";

/// Where the API is mounted.
pub const PREFIX: &str = "/api/v1";

pub(crate) struct Api {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) live: Arc<Live>,
    pub(crate) controls: Controls,
    pub(super) token: String,
}

/// The running servers the API drives, where they run.
#[derive(Debug, Clone, Default)]
pub struct Controls {
    /// The DHCP server's lease control.
    pub leases: Option<LeaseControl>,
    /// The check-sync pusher's queue.
    pub pushes: Option<PushQueue>,
    /// The enumeration defense of the phone-facing servers.
    pub guard: Option<Arc<Guard>>,
    /// Who may receive which files: the trust-on-first-use bindings and the addresses that act
    /// for each phone, of the phone-facing servers.
    pub access: Option<Arc<crate::policy::access::Access>>,
    /// The phone-facing servers' inbox of phones that are not in the database.
    pub inbox: Option<Arc<crate::policy::inbox::Inbox>>,
    /// The last publish of each boot server published to (`serve --publish`).
    pub publish: Option<Arc<crate::publish::PublishStatus>>,
    /// Failed admin logins per address (the API's token and the web page's login share it).
    pub logins: Arc<LoginLimit>,
}
