//! [`Handset`]: what phoneprov asks of one vendor's phones. Each vendor's folder implements it
//! ([`crate::handset::polycom::Polycom`], [`crate::handset::aastra::Aastra`]).

use crate::domain::{
    MODELS, Mac, Model, Neutral, ParameterSpec, Phone, ProgrammedKey, Site, Vendor,
};
use crate::handset::agent::Agent;
use crate::handset::boot::{BootServer, DhcpChoice};
use crate::handset::file_provider::FileProvider;

/// One company contact, as a vendor's directory file lists it.
#[derive(Debug, Clone, Copy)]
pub struct Contact<'a> {
    /// The user's name.
    pub name: &'a str,
    /// The number dialled.
    pub number: &'a str,
}

/// One vendor's phones, as the rest of phoneprov asks about them.
pub trait Handset: FileProvider + Sync {
    /// Which vendor.
    fn vendor(&self) -> Vendor;

    /// The content type its files are served with.
    fn content_type(&self) -> &'static str;

    /// The ending of a phone's directory file after its MAC (`-directory.xml`).
    fn directory_suffix(&self) -> &'static str;

    /// The name a phone asks for its directory file by (its MAC in the vendor's spelling, then
    /// [`Handset::directory_suffix`]).
    fn directory_file_name(&self, mac: &Mac) -> String;

    /// A phone's speed dials `(index, number, label)` where its directory file carries them.
    fn directory_speed_dials(&self, _keys: &[ProgrammedKey]) -> Vec<(u16, String, String)> {
        Vec::new()
    }

    /// A phone's directory file `company` (as [`Handset::write_directory`] made it) with its
    /// speed dials and the contacts the phone uploaded under that name (`uploaded`) that are not
    /// ours (`is_ours` of their number: a company contact or a speed dial); `None` where the
    /// vendor's phones keep their own contacts apart (the company file is served as it is),
    /// `Some(Err)` when the upload cannot be read.
    fn merge_directory(
        &self,
        _company: &str,
        _speed_dials: &[(u16, String, String)],
        _uploaded: Option<&[u8]>,
        _is_ours: &dyn Fn(&str) -> bool,
    ) -> Option<Result<Vec<u8>, String>> {
        None
    }

    /// What phone `mac` reads back of the upload it stored under `name`, given what phoneprov
    /// renders under a name (`rendered`): as stored, unless the vendor's phones let an upload
    /// win over the provisioned files.
    fn read_back(
        &self,
        _mac: &Mac,
        _name: &str,
        stored: Vec<u8>,
        _rendered: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<u8> {
        stored
    }

    /// The most contacts a phone keeps from its directory file, where its vendor documents a
    /// limit (`check` warns past it).
    fn directory_limit(&self, _phone: &Phone) -> Option<usize> {
        None
    }

    /// Whether a phone gets its directory file for its speed dials alone (no company list).
    fn directory_holds_speed_dials(&self) -> bool {
        false
    }

    /// What sets one phone's directory apart from another phone's with the same contacts
    /// (shown whole or cut names); `""` when nothing does.
    fn directory_variant(&self, _phone: &Phone) -> &'static str {
        ""
    }

    /// A phone's directory file, listing `contacts` in order.
    fn write_directory(&self, phone: &Phone, contacts: &[Contact<'_>]) -> Vec<u8>;

    /// The settings a listed phone's own file needs to read its directory file (Aastra/Mitel:
    /// the `directory 1` parameter naming it; Yealink: the phone book's absolute URL, under
    /// `web_url`, phoneprov's web URL when the server knows it), as parameters and values.
    fn directory_settings(&self, _phone: &Phone, _web_url: Option<&str>) -> Vec<(String, String)> {
        Vec::new()
    }

    /// What a user agent of one of its phones says (model, firmware, and the MAC where the
    /// vendor sends it); `None` for another vendor's.
    fn parse_agent(&self, user_agent: &str) -> Option<Agent>;

    /// Whether a DHCP vendor class (option 60) is one of its phones'.
    fn claims_vendor_class(&self, class: &[u8]) -> bool;

    /// The boot-server URL its phones are given by default.
    fn boot_url(&self, server: &BootServer<'_>) -> String;

    /// The DHCP options that carry `url` to its phones, as (code, value).
    fn dhcp_options(&self, url: &str, choice: DhcpChoice) -> Vec<(u8, Vec<u8>)>;

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

    /// The parameters a phone's programmed keys set in its files, for a phone served as
    /// firmware `family` (a vendor may have to switch a feature on for a key to work).
    fn key_parameters(
        &self,
        model: Option<&Model>,
        family: &str,
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

    /// The model a key is placed by, and the layout of its keys (`layout_of` its name), or the
    /// refusal: no model given, or a model whose keys phoneprov does not know.
    pub fn model_layout<L>(
        model: Option<&Model>,
        layout_of: impl FnOnce(&str) -> Option<L>,
    ) -> Result<(&Model, L), KeyRefusal> {
        let model = model.ok_or_else(|| {
            KeyRefusal::key(
                "the phone's model is needed to place its keys (give it in the extension CSV)",
            )
        })?;
        let layout = layout_of(model.name).ok_or_else(|| {
            KeyRefusal::key(format!(
                "phoneprov does not know the keys of a {}",
                model.name
            ))
        })?;
        Ok((model, layout))
    }
}
