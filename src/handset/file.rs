//! What the provisioning core and a vendor share about one of the vendor's files: the file a
//! name resolved to ([`VendorFile`]: the vendor's own kind, and what the file is about), what the
//! core guards of it ([`FileRole`]), why a name has no file ([`NotServed`]), the data files are
//! made from ([`FileInput`]) and a template with its context ([`Prepared`]). The core never reads
//! a vendor's kind; the vendor never sees a transport.

use tera::Context;

use crate::domain::{
    Deployment, Effective, Extension, ExtensionNumber, Mac, Model, Phone, Site, Vendor,
};

/// A requested name as a vendor reads it: the normalised text (no leading `/`), the MAC it
/// starts with, when it starts with one (`0004f214ab37.cfg`, `0004f214ab37-settings.cfg`), and
/// the extension number it is named by (`201.cfg`).
#[derive(Debug, Clone, Copy)]
pub struct AskedName<'a> {
    /// The name.
    pub text: &'a str,
    /// The MAC it starts with.
    pub mac: Option<Mac>,
    /// The extension whose file it would be (`<digits>.cfg`).
    pub extension: Option<&'a ExtensionNumber>,
}

impl AskedName<'_> {
    /// The name without its folder-free `.cfg` ending (`201` of `201.cfg`), if it has one.
    pub fn cfg_stem(&self) -> Option<&str> {
        self.text.strip_suffix(".cfg").filter(|s| !s.contains('/'))
    }

    /// What follows the MAC (`.cfg`, `-settings.cfg`), when the name starts with one.
    pub fn after_mac(&self) -> Option<&str> {
        self.mac.and_then(|_| self.text.get(12..))
    }
}

/// What a vendor's file is about, in the terms every vendor shares.
#[derive(Debug, Clone, Copy)]
pub enum About<'d> {
    /// Every phone of the vendor (a default master file, a global file).
    Vendor,
    /// A site's phones.
    Site(&'d Site),
    /// A model's phones.
    Model(&'static Model),
    /// One phone (its master file, its settings).
    Phone(&'d Phone),
    /// One extension (its registration file).
    Extension(&'d Extension),
}

/// A vendor's answer that a name is its file of `kind`, about `about`.
pub fn claimed<'d>(
    kind: &'static str,
    about: About<'d>,
) -> Option<Result<VendorFile<'d>, NotServed>> {
    Some(Ok(VendorFile { kind, about }))
}

/// One of a vendor's files, as the vendor resolved a name: its own kind (a name only the vendor
/// reads, such as `"master"` or `"site.uc"`) and what it is about.
#[derive(Debug, Clone, Copy)]
pub struct VendorFile<'d> {
    /// The vendor's kind of file.
    pub kind: &'static str,
    /// What it is about.
    pub about: About<'d>,
}

/// What the core guards of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileRole {
    /// A phone's master file: the first it asks for, whose fetch makes the address act for the
    /// phone (and binds it under trust on first use).
    pub master: bool,
    /// It holds a SIP password (or a phone's admin password).
    pub carries_secret: bool,
}

/// Why a name is not a file phoneprov renders (for logs and `phoneprov render`, never for
/// phones: they get "not found" whatever the reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotServed {
    /// Not a name of a rendered file at all (a firmware file, or nothing).
    #[error("{0:?} is not a file phoneprov renders")]
    NotRendered(String),
    /// Twelve hex digits that are no phone's MAC address.
    #[error("{0} is not a phone's MAC address")]
    NotAMac(String),
    /// No phone has this MAC.
    #[error("no phone with MAC {0}")]
    NoPhone(Mac),
    /// A file of one vendor's phones asked for a phone of another vendor.
    #[error("phone {mac} is a {vendor} phone: {file} is not one of its files")]
    OtherVendorsPhone {
        /// The phone.
        mac: Mac,
        /// Its vendor.
        vendor: Vendor,
        /// The file asked for.
        file: String,
    },
    /// The extension is on a phone whose vendor keeps its lines in the phone's own file.
    #[error("extension {number} is on a {vendor} phone: its lines are in the phone's own file")]
    InPhonesOwnFile {
        /// The extension.
        number: ExtensionNumber,
        /// The vendor of its phone.
        vendor: Vendor,
    },
    /// No such extension (nor a model of that number).
    #[error("no extension {0}")]
    NoExtension(ExtensionNumber),
    /// No site of that name.
    #[error("no site {0:?}")]
    NoSite(String),
}

/// The data a vendor's files are made from: the deployment, the firmware pins, and each phone's
/// effective settings (worked out by the core, the same for every vendor).
#[derive(Clone, Copy)]
pub struct FileInput<'d> {
    /// The data, at one revision.
    pub deployment: &'d Deployment,
    /// The firmware the admin pinned per model, in the type of the vendor that takes pins
    /// (Polycom's `FirmwarePins`); a vendor reads its own and ignores any other.
    pub pins: &'d (dyn std::any::Any + Send + Sync),
    /// A phone's effective settings, with where each comes from.
    pub settings_of: &'d dyn Fn(&Phone) -> Vec<Effective>,
}

impl std::fmt::Debug for FileInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileInput").finish_non_exhaustive()
    }
}

/// A template and the context it is rendered with.
#[derive(Debug)]
pub struct Prepared {
    /// The template's name (`polycom/master.xml`).
    pub template: &'static str,
    /// Its context.
    pub context: Context,
}

/// Why a context could not be made for a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrepareError {
    /// The template.
    pub template: &'static str,
    /// What went wrong.
    pub message: String,
}

impl Prepared {
    /// `value` as the context of `template`.
    pub fn of(
        template: &'static str,
        value: impl serde::Serialize,
    ) -> Result<Prepared, PrepareError> {
        Context::from_serialize(&value)
            .map(|context| Prepared { template, context })
            .map_err(|e| PrepareError {
                template,
                message: e.to_string(),
            })
    }
}

/// A built-in template of a vendor: its name, its text and the format it writes.
#[derive(Debug, Clone, Copy)]
pub struct Template {
    /// Its name (`polycom/master.xml`), as an override in the templates folder is named.
    pub name: &'static str,
    /// The built-in text.
    pub text: &'static str,
    /// The format of what it writes (how values are escaped).
    pub format: Format,
}

/// The format a template writes, which decides how values are escaped in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// XML: values escaped as attribute text; the output must be well-formed.
    Xml,
    /// `key: value` lines: a value is the rest of one line.
    ColonLines,
    /// `key = value` lines (Yealink): a value is the rest of one line.
    EqualsLines,
}
