//! The database behind one trait. [`Store`] is what the rest of phoneprov sees; [`SqlStore`] is
//! its only implementation, on sqlx's `Any` driver, serving SQLite (the embedded default: a file
//! in the data folder, WAL) and PostgreSQL (`--database-url postgres://...`) with the same
//! queries. Migrations for each backend are embedded and run when a store is opened.
//!
//! Every admin write bumps a single data revision. Bulk changes ([`ChangeSet`]) name the revision
//! they were planned from and are refused if anything changed since, so a plan made from stale
//! data is never applied; all of a change set is written in one transaction or nothing is.

mod backend;
mod bans;
mod batch;
mod connect;
mod data;
mod phone_access;
mod provisioning;

mod distribution;
mod error;
mod failover;
mod leases;
mod load;
mod memory_leases;
mod migrations;
mod notices;
mod problems;
mod pushes;
mod roles;
mod rows;
pub mod secrets;
mod settings;
mod sightings;
mod sql;
mod transaction;
mod uploads;
mod voicemail;

pub use crate::domain::Snapshot;
pub use backend::{Backend, url_without_password};
pub use data::{
    AuditEntry, ChangeSet, Counts, LoggedProblem, PhoneActivity, Progress, SettingsChange,
};
pub use error::StoreError;
pub use memory_leases::MemoryLeases;
pub use roles::{
    BanStore, FailoverStore, LOGGED_PROBLEMS_KEPT, LeaseStore, OTHER_NODES_MARGIN_MS,
    PhoneAccessStore, ProblemStore, ProvisioningData, PushStore, SettingsStore, SightingStore,
    Store, UploadStore, VoicemailStore,
};
pub use sql::SqlStore;

/// Every role trait, for code that calls the store's methods: `use crate::store::prelude::*`.
pub mod prelude {
    pub use super::roles::{
        BanStore, FailoverStore, LeaseStore, PhoneAccessStore, ProblemStore, ProvisioningData,
        PushStore, SettingsStore, SightingStore, Store, UploadStore, VoicemailStore,
    };
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
