//! [`Handset`]: what phoneprov asks of one vendor's phones. Each vendor's folder implements it
//! ([`crate::handset::polycom::Polycom`], [`crate::handset::aastra::Aastra`]).

use crate::domain::{MODELS, Mac, Model, Neutral, ParameterSpec, ProgrammedKey, Site, Vendor};
use crate::handset::agent::Agent;

/// One vendor's phones, as the rest of phoneprov asks about them.
pub trait Handset: Sync {
    /// Which vendor.
    fn vendor(&self) -> Vendor;

    /// The content type its files are served with.
    fn content_type(&self) -> &'static str;

    /// The names of the templates its files are rendered from (see `render::TEMPLATES`).
    fn templates(&self) -> &'static [&'static str];

    /// What a user agent of one of its phones says (model, firmware, and the MAC where the
    /// vendor sends it); `None` for another vendor's.
    fn parse_agent(&self, user_agent: &str) -> Option<Agent>;

    /// Whether a DHCP vendor class (option 60) is one of its phones'.
    fn claims_vendor_class(&self, class: &[u8]) -> bool;

    /// The name of a phone's own file, as the phone asks for it.
    fn phone_file_name(&self, mac: &Mac) -> String;

    /// The port a phone listens on for SIP (a check-sync NOTIFY goes there), as its files set it
    /// from its site.
    fn sip_port(&self, site: &Site) -> u16 {
        site.settings.effective_sip_port()
    }

    /// The parameters it knows by name, type and range (its `catalogue.rs`).
    fn catalogue(&self) -> &'static [ParameterSpec];

    /// A vendor-neutral setting (`@language`) as its parameters, for a phone of firmware family
    /// `family` (short name; `""` where the vendor has one file grammar).
    fn neutral_parameters(&self, neutral: &Neutral, family: &str) -> Vec<(String, String)>;

    /// Whether `key` can be programmed on a phone of `model` served as firmware `family`;
    /// `Err` says why not (a kind the phone lacks, a key beyond its keys).
    fn check_key(
        &self,
        model: Option<&Model>,
        family: &str,
        key: &ProgrammedKey,
    ) -> Result<(), KeyRefusal>;

    /// The parameters a phone's programmed keys set in its files.
    fn key_parameters(
        &self,
        model: Option<&Model>,
        keys: &[ProgrammedKey],
    ) -> Vec<(String, String)>;

    /// Its models, from the model table.
    fn models(&self) -> Vec<&'static Model> {
        MODELS
            .iter()
            .filter(|m| m.vendor == self.vendor())
            .collect()
    }
}

/// Why a key cannot be programmed, and which of its fields is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRefusal {
    /// `key`, `type` or `value`.
    pub field: &'static str,
    /// Why.
    pub message: String,
}

impl KeyRefusal {
    /// The key's number (beyond the model's keys, or no model to place it on).
    pub fn key(message: impl Into<String>) -> KeyRefusal {
        KeyRefusal {
            field: "key",
            message: message.into(),
        }
    }

    /// Its kind (one the phone lacks).
    pub fn kind(message: impl Into<String>) -> KeyRefusal {
        KeyRefusal {
            field: "type",
            message: message.into(),
        }
    }

    /// Its value.
    pub fn value(message: impl Into<String>) -> KeyRefusal {
        KeyRefusal {
            field: "value",
            message: message.into(),
        }
    }
}
