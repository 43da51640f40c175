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
    /// The phones that fetched their files from this address before the ban: they keep
    /// getting them while it lasts (phones behind the same NAT), also after a restart.
    #[schema(value_type = Vec<String>)]
    #[serde(serialize_with = "macs_as_text")]
    pub phones: Vec<crate::domain::Mac>,
}

fn macs_as_text<S: serde::Serializer>(
    phones: &[crate::domain::Mac],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(phones.iter().map(ToString::to_string))
}
