//! The store by role: one narrow trait per kind of data, each consumer taking the one it needs
//! (the DHCP server a [`LeaseStore`], the last-seen writer a [`SightingStore`], ...), and
//! [`Store`], their sum, for what needs several (the admin API, the composition root).

use std::fmt;
use std::net::IpAddr;

use async_trait::async_trait;

use crate::domain::{
    Ban, Extension, ExtensionNumber, FileFetch, Lease, Mac, Phone, PhoneLogin, PushRecord,
    SettingsBook, SightingBatch, Site, SiteName, SiteSettings, Snapshot, Upload, UploadInfo,
    UploadWrite, Voicemail,
};

use crate::store::backend::Backend;
use crate::store::data::{
    AuditEntry, ChangeSet, Counts, LoggedProblem, PhoneActivity, Progress, SettingsChange,
};
use crate::store::error::StoreError;

/// How far back before its previous look a node reads other nodes' changes (leases, bindings),
/// ms: for transactions that were still committing then, and for clocks set apart.
pub const OTHER_NODES_MARGIN_MS: i64 = 5_000;

/// The deployment's data: sites, extensions and phones, the snapshot phone files are rendered from, and the bulk changes (imports, admin edits) applied to it in one transaction under a data revision.
#[async_trait]
pub trait ProvisioningData: Send + Sync + fmt::Debug {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// The current data revision.
    async fn revision(&self) -> Result<i64, StoreError>;

    /// Whether a write reaches the database now (a tiny committed write of a probe row):
    /// refused at start and reported by `/healthz` when not.
    async fn check_writable(&self) -> Result<(), StoreError>;

    /// Row counts.
    async fn counts(&self) -> Result<Counts, StoreError>;

    /// Every site, by name.
    async fn sites(&self) -> Result<Vec<Site>, StoreError>;

    /// One site by name.
    async fn site(&self, name: &SiteName) -> Result<Option<Site>, StoreError>;

    /// Creates a site.
    async fn create_site(
        &self,
        name: &SiteName,
        settings: &SiteSettings,
        actor: &str,
    ) -> Result<Site, StoreError>;

    /// Overwrites a site's settings.
    async fn update_site(
        &self,
        name: &SiteName,
        settings: &SiteSettings,
        actor: &str,
    ) -> Result<(), StoreError>;

    /// Every extension.
    async fn extensions(&self) -> Result<Vec<Extension>, StoreError>;

    /// One extension.
    async fn extension(&self, number: &ExtensionNumber) -> Result<Option<Extension>, StoreError>;

    /// Every phone with its lines.
    async fn phones(&self) -> Result<Vec<Phone>, StoreError>;

    /// One phone with its lines.
    async fn phone(&self, mac: &Mac) -> Result<Option<Phone>, StoreError>;

    /// Sites, extensions and phones read consistently at one revision.
    async fn snapshot(&self) -> Result<Snapshot, StoreError>;

    /// Applies a change set in one transaction; returns the new revision.
    async fn apply(
        &self,
        changes: &ChangeSet,
        actor: &str,
        progress: Progress<'_>,
    ) -> Result<i64, StoreError>;

    /// Waits until another writer may have changed the data (PostgreSQL tells every node at each
    /// revision bump), or at most `most`.
    async fn wait_for_change(&self, most: std::time::Duration);

    /// How many phones fetched a file at or after `since_ms`, and how many never did.
    async fn phone_activity(&self, since_ms: i64) -> Result<PhoneActivity, StoreError>;
}

/// When and how each phone was last seen, and its fetch counts per file, written in batches.
#[async_trait]
pub trait SightingStore: Send + Sync + fmt::Debug {
    /// Records a batch of file fetches: last-seen data on each known phone and per-file fetch
    /// counts. Sightings of unknown MACs are ignored. One transaction per batch.
    async fn record_sightings(&self, batch: &SightingBatch) -> Result<(), StoreError>;

    /// Each phone's home: the address its credential files last went to (none after a reset).
    async fn phone_homes(&self) -> Result<Vec<(Mac, IpAddr)>, StoreError>;

    /// The files a phone fetched, by name.
    async fn fetches(&self, mac: &Mac) -> Result<Vec<FileFetch>, StoreError>;
}

/// The files phones upload (logs, overrides, contacts), per phone.
#[async_trait]
pub trait UploadStore: Send + Sync + fmt::Debug {
    /// Stores files known phones uploaded, in one transaction, in order (a log is appended to
    /// what is stored, read in the same transaction); whether each one's phone is known (an
    /// upload of an unknown phone is not stored).
    async fn put_uploads(&self, uploads: &[UploadWrite]) -> Result<Vec<bool>, StoreError>;

    /// A file a phone uploaded.
    async fn upload(&self, mac: &Mac, name: &str) -> Result<Option<Upload>, StoreError>;

    /// What a phone uploaded, by name, without the content.
    async fn uploads(&self, mac: &Mac) -> Result<Vec<UploadInfo>, StoreError>;

    /// Marks the upload `name` of `mac`, as stored now, as accepted by an admin (the next write
    /// of it is untrusted again); whether there is such an upload.
    async fn accept_upload(&self, mac: &Mac, name: &str) -> Result<bool, StoreError>;
}

/// DHCP leases, shared by the nodes of one database.
#[async_trait]
pub trait LeaseStore: Send + Sync + fmt::Debug {
    /// Whether other nodes may write leases to it too (PostgreSQL), so they are followed.
    fn shared_by_nodes(&self) -> bool;

    /// Writes DHCP leases (inserted or replaced by address), all in one transaction; a lease
    /// whose address another client holds (unexpired) is not written, and the holder's lease is
    /// returned instead (another node gave the address first).
    async fn save_leases(&self, leases: &[Lease]) -> Result<Vec<Lease>, StoreError>;

    /// The leases written at or after `since_ms`, by any node sharing the database.
    async fn leases_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<Result<Lease, StoreError>>, StoreError>;

    /// Every stored DHCP lease by address; a row that holds no valid lease is returned as its
    /// error, so the caller can skip it and go on.
    async fn leases(&self) -> Result<Vec<Result<Lease, StoreError>>, StoreError>;
}

/// Addresses banned from provisioning, shared by the nodes of one database.
#[async_trait]
pub trait BanStore: Send + Sync + fmt::Debug {
    /// Every provisioning ban still in force, set by any node.
    async fn bans(&self) -> Result<Vec<Ban>, StoreError>;

    /// Records a ban (replacing an older one of the same address).
    async fn save_ban(&self, ban: &Ban) -> Result<(), StoreError>;

    /// Removes an address's ban; whether one was stored.
    async fn lift_ban(&self, address: &str) -> Result<bool, StoreError>;
}

/// The recent warnings and errors, saved so a restart keeps them.
#[async_trait]
pub trait ProblemStore: Send + Sync + fmt::Debug {
    /// Saves `problems` in one transaction, keeping only the newest [`LOGGED_PROBLEMS_KEPT`].
    async fn save_problems(&self, problems: &[LoggedProblem]) -> Result<(), StoreError>;

    /// The newest saved problems, newest first, at most [`LOGGED_PROBLEMS_KEPT`].
    async fn logged_problems(&self) -> Result<Vec<LoggedProblem>, StoreError>;
}

/// Saved problems kept (the dashboard shows at most 50 of each of a few kinds).
pub const LOGGED_PROBLEMS_KEPT: i64 = 500;

/// The outcome of each phone's last check-sync push.
#[async_trait]
pub trait PushStore: Send + Sync + fmt::Debug {
    /// Replaces a phone's check-sync push record (a phone that is gone is skipped).
    async fn save_push(&self, mac: &Mac, record: &PushRecord) -> Result<(), StoreError>;

    /// A phone's last check-sync push.
    async fn push(&self, mac: &Mac) -> Result<Option<PushRecord>, StoreError>;

    /// The newest `limit` push records, newest first, with their phones.
    async fn pushes(&self, limit: i64) -> Result<Vec<(Mac, PushRecord)>, StoreError>;
}

/// Switchover to alternate sites and back, relocation, rebalancing, and the audit log of admin changes.
#[async_trait]
pub trait FailoverStore: Send + Sync + fmt::Debug {
    /// Switches a site over to its alternate (`over`) or back, in one transaction with its
    /// audit entry; the number of extensions that move. Refused (nothing written) without an
    /// alternate, in the state asked for already, or, switching over, with conflicts listed.
    async fn switch_site(
        &self,
        site: &SiteName,
        over: bool,
        actor: &str,
    ) -> Result<usize, StoreError>;

    /// Makes an extension follow its site's switchover, or excludes it (a number the alternate
    /// uses itself stays home at a switchover either way).
    async fn set_switchover(
        &self,
        number: &ExtensionNumber,
        enabled: bool,
        actor: &str,
    ) -> Result<(), StoreError>;

    /// Makes every extension whose home is `site` follow its switchover, or excludes them all;
    /// how many changed.
    async fn set_site_switchover(
        &self,
        site: &SiteName,
        enabled: bool,
        actor: &str,
    ) -> Result<usize, StoreError>;

    /// Relocates an extension to a site (its home site: relocated home), settings kept.
    async fn relocate(
        &self,
        number: &ExtensionNumber,
        site: &SiteName,
        actor: &str,
    ) -> Result<(), StoreError>;

    /// Rebalances a site's registration distribution with the fewest moves; how many moved.
    async fn rebalance(&self, site: &SiteName, actor: &str) -> Result<usize, StoreError>;

    /// The newest audit log entries, newest first.
    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;

    /// Appends an audit entry for something an admin saw or did that changes no data (a SIP
    /// password shown).
    async fn note(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), StoreError>;
}

/// The central voice mail server and its backup.
#[async_trait]
pub trait VoicemailStore: Send + Sync + fmt::Debug {
    /// The central voice mail server, its backup and whether it is marked down.
    async fn voicemail(&self) -> Result<Voicemail, StoreError>;

    /// Sets the central voice mail server and its backup (the down mark is kept).
    async fn set_voicemail(
        &self,
        central: Option<String>,
        backup: Option<String>,
        actor: &str,
    ) -> Result<(), StoreError>;

    /// Marks the central voice mail server down (`true`) or up.
    async fn mark_voicemail(&self, down: bool, actor: &str) -> Result<(), StoreError>;
}

/// Who may fetch a phone's credential files: its HTTP login, and its trust-on-first-use binding.
#[async_trait]
pub trait PhoneAccessStore: Send + Sync + fmt::Debug {
    /// Sets (`None`: removes) the HTTP login a phone needs for its credential files.
    async fn set_phone_login(
        &self,
        mac: &Mac,
        login: Option<&PhoneLogin>,
        actor: &str,
    ) -> Result<(), StoreError>;

    /// Every phone's trust-on-first-use binding.
    async fn phone_bindings(&self) -> Result<Vec<(Mac, IpAddr)>, StoreError>;

    /// The trust-on-first-use bindings made at or after `since_ms`, by any node.
    async fn phone_bindings_since(&self, since_ms: i64) -> Result<Vec<(Mac, IpAddr)>, StoreError>;

    /// Binds a phone to `address` unless it is bound already or unknown; the address it is bound
    /// to now (another node's, if it bound the phone first), none for an unknown phone.
    async fn bind_phone(&self, mac: &Mac, address: IpAddr) -> Result<Option<IpAddr>, StoreError>;

    /// Resets a phone's binding; the address it had, if any.
    async fn unbind_phone(&self, mac: &Mac, actor: &str) -> Result<Option<IpAddr>, StoreError>;
}

/// Settings without templates and the profile each phone is given.
#[async_trait]
pub trait SettingsStore: Send + Sync + fmt::Debug {
    /// Every setting and profile assignment.
    async fn settings(&self) -> Result<SettingsBook, StoreError>;

    /// Applies a change of settings in one transaction; returns the new revision.
    async fn change_settings(
        &self,
        change: &SettingsChange,
        actor: &str,
    ) -> Result<i64, StoreError>;

    /// Lists an extension in the company directory, or takes it out.
    async fn set_in_directory(
        &self,
        number: &ExtensionNumber,
        listed: bool,
        actor: &str,
    ) -> Result<(), StoreError>;
}

/// The database, as the rest of phoneprov sees it: every role.
pub trait Store:
    ProvisioningData
    + SightingStore
    + UploadStore
    + LeaseStore
    + BanStore
    + PushStore
    + FailoverStore
    + VoicemailStore
    + PhoneAccessStore
    + SettingsStore
    + ProblemStore
{
}

impl<T> Store for T where
    T: ProvisioningData
        + SightingStore
        + UploadStore
        + LeaseStore
        + BanStore
        + PushStore
        + FailoverStore
        + VoicemailStore
        + PhoneAccessStore
        + SettingsStore
        + ProblemStore
{
}
