//! Files phones upload (Polycom): which names are allowed and how each is kept. A phone may
//! upload only its own files, for its own MAC:
//!
//! | name | kept as |
//! |---|---|
//! | `<mac>-boot.log`, `<mac>-app.log` | log: appended, only the newest bytes kept |
//! | `<mac>-phone.cfg`, `<mac>-web.cfg` | replaced (handset and web UI overrides) |
//! | `<mac>-directory.xml`, `<mac>-calls.xml` | replaced (contacts, call lists) |
//!
//! The name may sit under one directory (the master file's LOG/OVERRIDES/CONTACTS directories,
//! when a template sets them); it is stored by its file name. The MAC may be in either case; it is
//! stored lowercase. [`crate::provision::file_name::FileName::upload`] tells which upload a name is.
//! An override is [`screened`] before it is kept: what would redirect the phone or carry a
//! credential is dropped.

use std::borrow::Cow;

use crate::domain::Mac;
use crate::handset::polycom::overrides::{NotXml, strip_protected};

/// Largest upload accepted, per file (1 MiB).
pub const DEFAULT_MAX_UPLOAD: usize = 1024 * 1024;
/// How much of each log is kept (the newest 256 KiB).
pub const DEFAULT_LOG_KEEP: usize = 256 * 1024;

/// Size limits of uploads.
#[derive(Debug, Clone, Copy)]
pub struct UploadLimits {
    /// Largest body of one upload.
    pub max_bytes: usize,
    /// Newest bytes kept of a log.
    pub log_keep_bytes: usize,
}

impl Default for UploadLimits {
    fn default() -> Self {
        UploadLimits {
            max_bytes: DEFAULT_MAX_UPLOAD,
            log_keep_bytes: DEFAULT_LOG_KEEP,
        }
    }
}

/// How an upload is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Appended; only the newest bytes kept.
    Log,
    /// Replaced whole.
    Replace,
}

/// An allowed upload name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadName {
    /// The phone it belongs to.
    pub mac: Mac,
    /// The stored name, e.g. `0004f214ab37-app.log`.
    pub name: String,
    /// How it is kept.
    pub keep: Keep,
}

/// The suffixes phones upload under, after their MAC, and how each is kept.
pub(crate) const SUFFIXES: [(&str, Keep); 6] = [
    ("-boot.log", Keep::Log),
    ("-app.log", Keep::Log),
    ("-phone.cfg", Keep::Replace),
    ("-web.cfg", Keep::Replace),
    ("-directory.xml", Keep::Replace),
    ("-calls.xml", Keep::Replace),
];

/// The override names: read back by the phone at its next boot, where they win.
const OVERRIDES: [&str; 2] = ["-phone.cfg", "-web.cfg"];

/// `content` of `upload` as it may be kept, and the parameters dropped from it: an override
/// loses every parameter that redirects provisioning or registration or carries a credential;
/// other uploads are kept as sent.
pub fn screened<'a>(
    upload: &UploadName,
    content: &'a [u8],
) -> Result<(Cow<'a, [u8]>, Vec<String>), NotXml> {
    if !OVERRIDES.iter().any(|suffix| upload.name.ends_with(suffix)) {
        return Ok((Cow::Borrowed(content), Vec::new()));
    }
    let (kept, dropped) = strip_protected(content)?;
    Ok((Cow::Owned(kept), dropped))
}
