//! [`Snapshot`]: the provisioning data read whole at one revision (what the store reads, and what
//! a [`crate::domain::Deployment`] indexes).

use std::collections::HashMap;

use crate::domain::{Extension, Mac, Phone, PhoneLogin, SettingsBook, Site, Voicemail};

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
    /// Settings without templates and phones' profiles.
    pub settings: SettingsBook,
}
