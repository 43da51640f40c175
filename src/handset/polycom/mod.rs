//! Polycom SoundPoint IP, SoundStation IP, VVX and Edge phones: [`Polycom`], their file names
//! and template contexts ([`files`]) and their firmware families and pins ([`firmware`]).

pub mod catalogue;
pub mod directory;
pub mod files;
pub mod firmware;
pub mod keys;
pub mod overrides;

pub use files::*;

use crate::domain::{Mac, Vendor};
use crate::handset::agent::Agent;
use crate::handset::interface::Handset;

/// Polycom master file of a known phone (`<mac>.cfg`).
pub const POLYCOM_MASTER: &str = "polycom/master.xml";
/// Polycom master file for unknown phones (`000000000000.cfg`).
pub const POLYCOM_DEFAULT_MASTER: &str = "polycom/default-master.xml";
/// Polycom registration file of one extension (`201.cfg`).
pub const POLYCOM_EXTENSION: &str = "polycom/extension.xml";
/// Polycom site file (`altigen.cfg`).
pub const POLYCOM_SITE: &str = "polycom/site.xml";
/// Polycom settings file of one phone (`<mac>-settings.cfg`).
pub const POLYCOM_SETTINGS: &str = "polycom/settings.xml";

/// Content type of Polycom files.
pub const CONTENT_TYPE: &str = "text/xml; charset=utf-8";

/// Polycom's IANA enterprise number, as the first four bytes of its binary option 60.
const ENTERPRISE: [u8; 4] = [0x00, 0x00, 0x36, 0x3d];

/// Polycom's phones.
#[derive(Debug, Clone, Copy)]
pub struct Polycom;

impl Handset for Polycom {
    fn vendor(&self) -> Vendor {
        Vendor::Polycom
    }

    fn catalogue(&self) -> &'static [crate::domain::ParameterSpec] {
        catalogue::CATALOGUE
    }

    fn check_key(
        &self,
        model: Option<&crate::domain::Model>,
        family: &str,
        key: &crate::domain::ProgrammedKey,
    ) -> Result<(), crate::handset::interface::KeyRefusal> {
        keys::check(model, family, key)
    }

    fn key_parameters(
        &self,
        _model: Option<&crate::domain::Model>,
        keys: &[crate::domain::ProgrammedKey],
    ) -> Vec<(String, String)> {
        keys::parameters(keys)
    }

    fn neutral_parameters(
        &self,
        neutral: &crate::domain::Neutral,
        family: &str,
    ) -> Vec<(String, String)> {
        catalogue::neutral_parameters(neutral, family)
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    fn templates(&self) -> &'static [&'static str] {
        &[
            POLYCOM_MASTER,
            POLYCOM_DEFAULT_MASTER,
            POLYCOM_EXTENSION,
            POLYCOM_SITE,
            POLYCOM_SETTINGS,
        ]
    }

    /// `FileTransport Polycom<Family>-<MODEL>-UA/<version>[ Type/<Updater|Application>]`, also
    /// `FileTransport PolyEdge-Edge_E450-UA/<version>`; no MAC.
    fn parse_agent(&self, user_agent: &str) -> Option<Agent> {
        let rest = user_agent.strip_prefix("FileTransport Poly")?;
        let (product, version) = rest.split_once("-UA/")?;
        let model = product.split_once('-')?.1;
        let firmware = version.split_whitespace().next()?;
        (!model.is_empty() && !firmware.is_empty()).then(|| Agent {
            vendor: Vendor::Polycom,
            model: model.to_string(),
            firmware: firmware.to_string(),
            mac: None,
        })
    }

    /// The binary class (RFC 3925 layout with enterprise number 13885), or a text class
    /// naming Polycom.
    fn claims_vendor_class(&self, class: &[u8]) -> bool {
        class.starts_with(&ENTERPRISE)
            || String::from_utf8_lossy(class)
                .to_ascii_lowercase()
                .contains("polycom")
    }

    /// `<mac>.cfg`, lowercase.
    fn phone_file_name(&self, mac: &Mac) -> String {
        format!("{}.cfg", mac.polycom_name())
    }
}
