//! Aastra 67xxi/68xxi/9xxxi and Mitel 69xx phones: [`Aastra`], and their file names and
//! template contexts ([`files`]).

pub mod catalogue;
pub mod directory;
pub mod files;
pub mod keys;

pub use files::*;

use crate::domain::{Mac, Vendor};
use crate::handset::agent::Agent;
use crate::handset::interface::Handset;

/// Aastra global file (`aastra.cfg`, `startup.cfg`).
pub const AASTRA_GLOBAL: &str = "aastra/aastra.cfg";
/// Aastra model file (`6757i.cfg`).
pub const AASTRA_MODEL: &str = "aastra/model.cfg";
/// Aastra per-phone file (`<MAC>.cfg`).
pub const AASTRA_PHONE: &str = "aastra/phone.cfg";

/// Content type of Aastra files.
pub const CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Aastra's and Mitel's SIP phones.
#[derive(Debug, Clone, Copy)]
pub struct Aastra;

impl Handset for Aastra {
    fn vendor(&self) -> Vendor {
        Vendor::Aastra
    }

    fn catalogue(&self) -> &'static [crate::domain::ParameterSpec] {
        catalogue::CATALOGUE
    }

    fn check_key(
        &self,
        model: Option<&crate::domain::Model>,
        _family: &str,
        key: &crate::domain::ProgrammedKey,
    ) -> Result<(), crate::handset::interface::KeyRefusal> {
        keys::check(model, key)
    }

    fn key_parameters(
        &self,
        model: Option<&crate::domain::Model>,
        keys: &[crate::domain::ProgrammedKey],
    ) -> Vec<(String, String)> {
        keys::parameters(model, keys)
    }

    fn neutral_parameters(
        &self,
        neutral: &crate::domain::Neutral,
        _family: &str,
    ) -> Vec<(String, String)> {
        catalogue::neutral_parameters(neutral)
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    fn templates(&self) -> &'static [&'static str] {
        &[AASTRA_GLOBAL, AASTRA_MODEL, AASTRA_PHONE]
    }

    /// `Aastra<model> MAC:<MAC> V:<version>-SIP` (or `Mitel...`): the MAC is the phone's.
    fn parse_agent(&self, user_agent: &str) -> Option<Agent> {
        let rest = user_agent
            .strip_prefix("Aastra")
            .or_else(|| user_agent.strip_prefix("Mitel"))?;
        let (model, rest) = rest.split_once(" MAC:")?;
        let (mac, rest) = rest.split_once(" V:")?;
        let firmware = rest.strip_suffix("-SIP").unwrap_or(rest);
        let mac = Mac::parse(mac).ok()?;
        (!model.is_empty() && !firmware.is_empty()).then(|| Agent {
            vendor: Vendor::Aastra,
            model: model.to_string(),
            firmware: firmware.to_string(),
            mac: Some(mac),
        })
    }

    /// `AastraIPPhone...` or `MitelIPPhone...`.
    fn claims_vendor_class(&self, class: &[u8]) -> bool {
        let text = String::from_utf8_lossy(class).to_ascii_lowercase();
        text.starts_with("aastraipphone") || text.starts_with("mitelipphone")
    }

    /// `<MAC>.cfg`, uppercase.
    fn phone_file_name(&self, mac: &Mac) -> String {
        files::phone_file_name(mac)
    }
}
