//! The database behind one trait. [`Store`] is what the rest of phoneprov sees; [`SqlStore`] is
//! its only implementation, on sqlx's `Any` driver, serving SQLite (the embedded default: a file
//! in the data folder, WAL) and PostgreSQL (`--database-url postgres://...`) with the same
//! queries. Migrations for each backend are embedded and run when a store is opened.
//!
//! Every admin write bumps a single data revision. Bulk changes ([`ChangeSet`]) name the revision
//! they were planned from and are refused if anything changed since, so a plan made from stale
//! data is never applied; all of a change set is written in one transaction or nothing is.

mod access;
mod bans;
mod batch;

mod distribution;
mod failover;
mod leases;
mod migrations;
mod notices;
mod pushes;
mod rows;
pub mod secrets;
mod sql;
mod uploads;
mod voicemail;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::net::IpAddr;

use async_trait::async_trait;

use crate::domain::{
    Ban, Extension, ExtensionNumber, FileFetch, Lease, LineNumber, Mac, Phone, PhoneLogin,
    PushRecord, SightingBatch, Site, SiteName, SiteSettings, Upload, UploadInfo, UploadWrite,
    Voicemail,
};

pub use failover::AuditEntry;
pub use sql::SqlStore;

/// How far back before its previous look a node reads other nodes' changes (leases, bindings),
/// ms: for transactions that were still committing then, and for clocks set apart.
pub const OTHER_NODES_MARGIN_MS: i64 = 5_000;

/// Which database a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file (WAL).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// Picks the backend from a database URL's scheme.
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl(url_without_password(url))),
        }
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// A database URL fit for messages: any password replaced by `***`.
pub fn url_without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}/{path}")
        }
        None => url.to_string(),
    }
}

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported database.
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedUrl(String),
    /// The database could not be reached or a query failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The data changed between planning a change set and applying it.
    #[error(
        "the data changed while this change was being prepared (another import or admin edit); nothing was written, run it again"
    )]
    Conflict,
    /// A stored row does not hold a valid value.
    #[error("invalid stored data in {table} ({key}): {reason}")]
    Corrupt {
        /// Table of the row.
        table: &'static str,
        /// Key of the row.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A background database task failed.
    #[error("a database task failed: {0}")]
    Task(String),
    /// A password cannot be sealed or opened (the secret key).
    #[error(transparent)]
    Secret(#[from] secrets::SecretError),
    /// A row that must exist does not.
    #[error("{0} not found")]
    NotFound(String),
    /// A row that must not exist already does.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// A change the rules do not allow, and why.
    #[error("{0}")]
    Refused(String),
    /// The database cannot be written (a read-only file or folder, a full disk, a read-only
    /// PostgreSQL user or replica).
    #[error(
        "cannot write to the database {target}: {reason} (phoneprov must write there: check the owner and permissions of the file and its folder, and free disk space)"
    )]
    NotWritable {
        /// The SQLite file or the PostgreSQL URL without its password.
        target: String,
        /// What the database said.
        reason: String,
    },
}

/// Row counts, for summaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Counts {
    /// Sites.
    pub sites: i64,
    /// Extensions.
    pub extensions: i64,
    /// Phones.
    pub phones: i64,
}

/// Sites, extensions and phones read at one data revision: the provisioning data, without
/// last-seen data (phones' `last_seen` is `None`).
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The revision the data was read at.
    pub revision: i64,
    /// Every site.
    pub sites: Vec<Site>,
    /// Every extension.
    pub extensions: Vec<Extension>,
    /// Every phone, with its lines.
    pub phones: Vec<Phone>,
    /// The central voice mail settings.
    pub voicemail: Voicemail,
    /// Each phone's HTTP login for its credential files, where one is set.
    pub logins: HashMap<Mac, PhoneLogin>,
}

/// Phones by when they were last seen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhoneActivity {
    /// Phones that fetched a file since the time asked about.
    pub seen_since: i64,
    /// Phones that never fetched a file.
    pub never_seen: i64,
}

/// A bulk change, applied in one transaction. The planner (e.g. CSV import) fills it with the
/// final state of each touched row.
#[derive(Debug, Clone, Default)]
pub struct ChangeSet {
    /// The revision the change was planned from; applying fails with [`StoreError::Conflict`]
    /// if the data has changed since.
    pub expected_revision: i64,
    /// Extensions to create or overwrite.
    pub upsert_extensions: Vec<Extension>,
    /// Extensions to delete (their line assignments go with them).
    pub delete_extensions: Vec<ExtensionNumber>,
    /// Phones to create, or whose vendor/model to overwrite; lines and last-seen data are not
    /// taken from here.
    pub upsert_phones: Vec<Phone>,
    /// Phones to delete, with their lines, fetch records and uploads.
    pub delete_phones: Vec<Mac>,
    /// Existing phones whose line keys become exactly the given set.
    pub replace_lines: Vec<(Mac, BTreeMap<LineNumber, ExtensionNumber>)>,
    /// Line keys of phones this change set creates (they have none to clear first).
    pub lines_of_new_phones: Vec<(Mac, BTreeMap<LineNumber, ExtensionNumber>)>,
}

impl ChangeSet {
    /// What it changes, in words, for the audit log.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        let named = |what: &str, count: usize, names: Vec<String>| {
            let mut text = format!("{what} {count}");
            if (1..=5).contains(&count) {
                text.push_str(&format!(" ({})", names.join(", ")));
            }
            text
        };
        for (what, names) in [
            (
                "extensions written",
                self.upsert_extensions
                    .iter()
                    .map(|e| e.number.to_string())
                    .collect::<Vec<_>>(),
            ),
            (
                "extensions deleted",
                self.delete_extensions
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            ),
            (
                "phones written",
                self.upsert_phones
                    .iter()
                    .map(|p| p.mac.to_string())
                    .collect(),
            ),
            (
                "phones deleted",
                self.delete_phones.iter().map(ToString::to_string).collect(),
            ),
            (
                "phones' lines replaced",
                self.replace_lines
                    .iter()
                    .map(|(m, _)| m.to_string())
                    .collect(),
            ),
        ] {
            if !names.is_empty() {
                parts.push(named(what, names.len(), names));
            }
        }
        parts.join(", ")
    }

    /// True when applying it would write nothing.
    pub fn is_empty(&self) -> bool {
        self.upsert_extensions.is_empty()
            && self.delete_extensions.is_empty()
            && self.upsert_phones.is_empty()
            && self.delete_phones.is_empty()
            && self.replace_lines.is_empty()
            && self.lines_of_new_phones.is_empty()
    }
}

/// Reports progress of a long write: rows written so far, rows in all.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// The database, as the rest of phoneprov sees it.
#[async_trait]
pub trait Store: Send + Sync + fmt::Debug {
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

    /// Records a batch of file fetches: last-seen data on each known phone and per-file fetch
    /// counts. Sightings of unknown MACs are ignored. One transaction per batch.
    async fn record_sightings(&self, batch: &SightingBatch) -> Result<(), StoreError>;

    /// The files a phone fetched, by name.
    async fn fetches(&self, mac: &Mac) -> Result<Vec<FileFetch>, StoreError>;

    /// Stores files known phones uploaded, in one transaction, in order (a log is appended to
    /// what is stored, read in the same transaction); whether each one's phone is known (an
    /// upload of an unknown phone is not stored).
    async fn put_uploads(&self, uploads: &[UploadWrite]) -> Result<Vec<bool>, StoreError>;

    /// A file a phone uploaded.
    async fn upload(&self, mac: &Mac, name: &str) -> Result<Option<Upload>, StoreError>;

    /// What a phone uploaded, by name, without the content.
    async fn uploads(&self, mac: &Mac) -> Result<Vec<UploadInfo>, StoreError>;

    /// Writes DHCP leases (inserted or replaced by address), all in one transaction; a lease
    /// whose address another client holds (unexpired) is not written, and the holder's lease is
    /// returned instead (another node gave the address first).
    async fn save_leases(&self, leases: &[Lease]) -> Result<Vec<Lease>, StoreError>;

    /// The leases written at or after `since_ms`, by any node sharing the database.
    async fn leases_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<Result<Lease, StoreError>>, StoreError>;

    /// Waits until another writer may have changed the data (PostgreSQL tells every node at each
    /// revision bump), or at most `most`.
    async fn wait_for_change(&self, most: std::time::Duration);

    /// Every provisioning ban still in force, set by any node.
    async fn bans(&self) -> Result<Vec<Ban>, StoreError>;

    /// Records a ban (replacing an older one of the same address).
    async fn save_ban(&self, ban: &Ban) -> Result<(), StoreError>;

    /// Removes an address's ban; whether one was stored.
    async fn lift_ban(&self, address: &str) -> Result<bool, StoreError>;

    /// Every stored DHCP lease by address; a row that holds no valid lease is returned as its
    /// error, so the caller can skip it and go on.
    async fn leases(&self) -> Result<Vec<Result<Lease, StoreError>>, StoreError>;

    /// Replaces a phone's check-sync push record (a phone that is gone is skipped).
    async fn save_push(&self, mac: &Mac, record: &PushRecord) -> Result<(), StoreError>;

    /// A phone's last check-sync push.
    async fn push(&self, mac: &Mac) -> Result<Option<PushRecord>, StoreError>;

    /// Switches a site over to its alternate (`over`) or back, in one transaction with its
    /// audit entry; the number of extensions that move. Refused (nothing written) without an
    /// alternate, in the state asked for already, or, switching over, with conflicts listed.
    async fn switch_site(
        &self,
        site: &SiteName,
        over: bool,
        actor: &str,
    ) -> Result<usize, StoreError>;

    /// Enables or disables switchover for an extension (refused without an alternate site, or
    /// for a number the alternate uses itself).
    async fn set_switchover(
        &self,
        number: &ExtensionNumber,
        enabled: bool,
        actor: &str,
    ) -> Result<(), StoreError>;

    /// Relocates an extension to a site (its home site: relocated home), settings kept.
    async fn relocate(
        &self,
        number: &ExtensionNumber,
        site: &SiteName,
        actor: &str,
    ) -> Result<(), StoreError>;

    /// The newest `limit` push records, newest first, with their phones.
    async fn pushes(&self, limit: i64) -> Result<Vec<(Mac, PushRecord)>, StoreError>;

    /// How many phones fetched a file at or after `since_ms`, and how many never did.
    async fn phone_activity(&self, since_ms: i64) -> Result<PhoneActivity, StoreError>;

    /// Rebalances a site's registration distribution with the fewest moves; how many moved.
    async fn rebalance(&self, site: &SiteName, actor: &str) -> Result<usize, StoreError>;

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

    /// The newest audit log entries, newest first.
    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_url() {
        assert_eq!(Backend::from_url("sqlite://x.db").unwrap(), Backend::Sqlite);
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        let err = Backend::from_url("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mysql://u:***@h/db") && !err.contains("secret"),
            "{err}"
        );
    }
}
