//! Aastra 67xxi/68xxi/9xxxi and Mitel 69xx phones: [`Aastra`], and their file names and
//! template contexts ([`files`]).

pub mod catalogue;
pub mod directory;
pub mod files;
pub mod keys;
pub mod provide;

pub use files::*;
pub use provide::{AASTRA_GLOBAL, AASTRA_MODEL, AASTRA_PHONE};

use crate::domain::{Mac, Phone, Vendor};
use crate::handset::agent::Agent;
use crate::handset::boot::{BootServer, DhcpChoice};
use crate::handset::interface::{Contact, Handset};

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
        _family: &str,
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

    fn directory_suffix(&self) -> &'static str {
        directory::FILE_SUFFIX
    }

    fn directory_file_name(&self, mac: &Mac) -> String {
        directory::file_name(mac)
    }

    /// A 6867i cuts long names itself, so it gets them whole; other models get them cut.
    fn directory_variant(&self, phone: &Phone) -> &'static str {
        if directory::shows_whole_names(phone) {
            "whole names"
        } else {
            ""
        }
    }

    fn write_directory(&self, phone: &Phone, contacts: &[Contact<'_>]) -> Vec<u8> {
        let max_name = (!directory::shows_whole_names(phone)).then_some(directory::MAX_NAME_CHARS);
        let entries = contacts.iter().map(|c| directory::Contact {
            name: c.name,
            number: c.number,
        });
        // Writing into memory cannot fail.
        directory::write(entries, max_name, Vec::with_capacity(contacts.len() * 24))
            .unwrap_or_default()
    }

    /// `directory 1: <MAC>-directory.csv` names the file to the phone.
    /// An Aastra/Mitel phone keeps at most 200 directory entries (41-001343-02 REV04,
    /// "Directory List Limitations").
    fn directory_limit(&self, _phone: &Phone) -> Option<usize> {
        Some(directory::MAX_ENTRIES)
    }

    fn directory_settings(&self, phone: &Phone, _web_url: Option<&str>) -> Vec<(String, String)> {
        vec![(
            directory::FILE_PARAMETER.to_string(),
            directory::file_name(&phone.mac),
        )]
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
        (!model.is_empty() && !firmware.is_empty())
            .then(|| Agent::served(Vendor::Aastra, model, firmware, Some(mac)))
    }

    /// `AastraIPPhone...` or `MitelIPPhone...`.
    fn claims_vendor_class(&self, class: &[u8]) -> bool {
        let text = String::from_utf8_lossy(class).to_ascii_lowercase();
        text.starts_with("aastraipphone") || text.starts_with("mitelipphone")
    }

    /// The web URL.
    fn boot_url(&self, server: &BootServer<'_>) -> String {
        server.web_url.to_string()
    }

    /// Option 66, and option 43 with sub-option 2 (the configuration server); a URL longer
    /// than one sub-option holds goes in option 66 only.
    fn dhcp_options(&self, url: &str, _choice: DhcpChoice) -> Vec<(u8, Vec<u8>)> {
        let url = url.as_bytes();
        let mut options = vec![(66, url.to_vec())];
        if let Ok(length) = u8::try_from(url.len()) {
            let mut sub_options = vec![2, length];
            sub_options.extend_from_slice(url);
            options.push((43, sub_options));
        }
        options
    }

    /// `<MAC>.cfg`, uppercase.
    fn phone_file_name(&self, mac: &Mac) -> String {
        files::phone_file_name(mac)
    }
}
