//! [`FileProvider`]: the part of the [`crate::handset::Handset`] interface that makes a vendor's
//! files: which names are its files, what the core guards of each, the template and context each
//! is rendered with, the files of a phone in fetch order, its built-in templates and their
//! samples, and the firmware its files name. Each vendor implements it in its `provide.rs`.

use crate::domain::{Deployment, Model, Phone};
use crate::handset::file::{
    AskedName, FileInput, FileRole, NotServed, PrepareError, Prepared, Template, VendorFile,
};

/// The admin's firmware pins in the type of the vendor that takes them; a vendor reads its own
/// and ignores any other.
pub type Pins = dyn std::any::Any + Send + Sync;

/// A firmware file a phone's files name, which the firmware folder should hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirmwareNeed {
    /// The file's name in the firmware folder.
    pub file: String,
    /// The firmware family's name as the vendor's guides write it.
    pub family: &'static str,
    /// True for the application image (without it the phone keeps the software it has); false
    /// for another file of the software package.
    pub image: bool,
}

/// How a vendor makes its files.
pub trait FileProvider {
    /// Its built-in templates (the names an override in the templates folder takes).
    fn templates(&self) -> &'static [Template];

    /// A sample context of one of its templates, taking the branches with the most variables,
    /// so an override is tried before it serves; `None` for another vendor's template.
    fn sample_context(&self, template: &str) -> Option<tera::Context>;

    /// Resolves `name` to one of its files: `None` when the name is none of its own (another
    /// vendor's, or nothing), `Some(Err)` when it is of its grammar but names nothing. Cheap:
    /// nothing is rendered.
    fn resolve<'d>(
        &self,
        deployment: &'d Deployment,
        name: AskedName<'_>,
    ) -> Option<Result<VendorFile<'d>, NotServed>>;

    /// What the core guards of one of its files.
    fn role(&self, file: &VendorFile<'_>) -> FileRole;

    /// The template and context one of its files is rendered with.
    fn prepare(
        &self,
        input: &FileInput<'_>,
        file: &VendorFile<'_>,
    ) -> Result<Prepared, PrepareError>;

    /// The names of the files phoneprov renders for one of its phones, in the order the phone
    /// fetches them.
    fn files_of_phone(&self, input: &FileInput<'_>, phone: &Phone) -> Vec<String>;

    /// Its files that are no phone's own, which `check` renders (a default master file, the
    /// sites' files).
    fn shared_files(&self, _deployment: &Deployment) -> Vec<String> {
        Vec::new()
    }

    /// The files it publishes for phones of no account (a default master file).
    fn unassigned_files(&self) -> &'static [&'static str] {
        &[]
    }

    /// The firmware family a phone is served as (its short name; `""` where the vendor has one
    /// file grammar), which decides the spelling of some parameters.
    fn family_of(&self, _phone: &Phone, _pins: &Pins) -> &'static str {
        ""
    }

    /// The firmware family a phone of `model` is served unless a pin says otherwise.
    fn family_of_model(&self, _model: Option<&Model>) -> &'static str {
        ""
    }

    /// The firmware files the files of `phone` name; empty where its files name none.
    fn firmware_needed(&self, _phone: &Phone, _pins: &Pins) -> Vec<FirmwareNeed> {
        Vec::new()
    }
}
