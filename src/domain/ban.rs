//! [`Ban`]: an address banned from provisioning for guessing phone file names, as stored (so
//! every node sharing the database enforces it) and shown to admins.

/// A banned address, as shown to admins.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Ban {
    /// The client address.
    pub address: String,
    /// When it was banned, ms since the epoch.
    pub since_ms: i64,
    /// When the ban ends, ms since the epoch.
    pub until_ms: i64,
    /// Missing names it asked for in the window that led to the ban.
    pub misses: usize,
    /// The last missing name it asked for.
    pub last_name: String,
}
