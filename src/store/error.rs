//! [`StoreError`]: what can go wrong in the store, for every backend and role.

use crate::store::secrets;

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
    /// The first connection to the database failed: why, in the admin's words.
    #[error("cannot open the database {target}: {reason}")]
    Unreachable {
        /// The SQLite file or the PostgreSQL URL without its password.
        target: String,
        /// Why, and what to do.
        reason: String,
    },
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
