//! Files phones upload (Polycom, and Yealink's `-local.cfg`): which names are allowed and how
//! each is kept. A phone may upload only its own files, for its own MAC:
//!
//! | name | kept as |
//! |---|---|
//! | `<mac>-boot.log`, `<mac>-app.log` | log: appended, only the newest bytes kept |
//! | `<mac>-phone.cfg`, `<mac>-web.cfg` | replaced (Polycom handset and web UI overrides) |
//! | `<mac>-local.cfg` | replaced (Yealink handset and web UI changes) |
//! | `<mac>-directory.xml`, `<mac>-calls.xml` | replaced (contacts, call lists) |
//!
//! The name may sit under one directory (the master file's LOG/OVERRIDES/CONTACTS directories,
//! when a template sets them); it is stored by its file name. The MAC may be in either case; it is
//! stored lowercase. [`crate::provision::file_name::FileName::upload`] tells which upload a name is.
//! An override is [`screened`] before it is kept: what would redirect the phone or carry a
//! credential is dropped.

use std::borrow::Cow;

use crate::domain::Mac;
use crate::handset::polycom::overrides::{self as polycom, NotXml};
use crate::handset::yealink::overrides::{self as yealink, LOCAL_CONFIG, NotLocalConfig};

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
pub(crate) const SUFFIXES: [(&str, Keep); 7] = [
    ("-boot.log", Keep::Log),
    ("-app.log", Keep::Log),
    ("-phone.cfg", Keep::Replace),
    ("-web.cfg", Keep::Replace),
    (LOCAL_CONFIG, Keep::Replace),
    ("-directory.xml", Keep::Replace),
    ("-calls.xml", Keep::Replace),
];

/// The Polycom override names: read back by the phone at its next boot, where they win.
const OVERRIDES: [&str; 2] = ["-phone.cfg", "-web.cfg"];

/// An override that is not the file a phone writes; it is not stored.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum NotAnOverride {
    /// A Polycom override that is not well-formed XML.
    #[error(transparent)]
    Xml(#[from] NotXml),
    /// A Yealink `-local.cfg` that is not `name = value` lines.
    #[error(transparent)]
    Lines(#[from] NotLocalConfig),
}

/// `content` of `upload` as it may be kept, and the parameters dropped from it: an override
/// loses every parameter that redirects provisioning or registration or carries a credential;
/// other uploads are kept as sent.
pub fn screened<'a>(
    upload: &UploadName,
    content: &'a [u8],
) -> Result<(Cow<'a, [u8]>, Vec<String>), NotAnOverride> {
    let (kept, dropped) = if upload.name.ends_with(LOCAL_CONFIG) {
        yealink::strip_protected(content)?
    } else if OVERRIDES.iter().any(|suffix| upload.name.ends_with(suffix)) {
        polycom::strip_protected(content)?
    } else {
        return Ok((Cow::Borrowed(content), Vec::new()));
    };
    Ok((Cow::Owned(kept), dropped))
}

/// The content type an upload is served with: text for logs and Yealink's `-local.cfg`, XML
/// for the rest.
pub fn content_type_of_upload(name: &str) -> &'static str {
    if name.ends_with(".log") || name.ends_with(LOCAL_CONFIG) {
        "text/plain; charset=utf-8"
    } else {
        "text/xml; charset=utf-8"
    }
}
