//! Polycom SoundPoint IP, SoundStation IP, VVX, Edge E and CCX phones: [`Polycom`], their file
//! names and template contexts ([`files`]), their firmware families and pins ([`firmware`]), and
//! the Poly phones on another firmware family that are refused ([`obi`]).

pub mod catalogue;
pub mod codec_lists;
pub mod directory;
pub mod files;
pub mod firmware;
pub mod keys;
pub mod obi;
pub mod overrides;
pub mod provide;

pub use files::*;
pub use provide::{
    POLYCOM_DEFAULT_MASTER, POLYCOM_EXTENSION, POLYCOM_MASTER, POLYCOM_SETTINGS, POLYCOM_SITE,
};

use crate::domain::{Mac, Phone, Vendor};
use crate::handset::agent::Agent;
use crate::handset::boot::{BootServer, DhcpChoice};
use crate::handset::interface::{Contact, Handset};
use crate::handset::polycom::obi::poly_mac;

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
        family: &str,
        keys: &[crate::domain::ProgrammedKey],
    ) -> Vec<(String, String)> {
        keys::parameters(family, keys)
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

    fn directory_suffix(&self) -> &'static str {
        directory::FILE_SUFFIX
    }

    fn directory_file_name(&self, mac: &Mac) -> String {
        format!("{}{}", mac.polycom_name(), directory::FILE_SUFFIX)
    }

    fn directory_speed_dials(
        &self,
        keys: &[crate::domain::ProgrammedKey],
    ) -> Vec<(u16, String, String)> {
        keys::speed_dials(keys)
            .into_iter()
            .map(|(index, number, label)| (index, number.to_string(), label.to_string()))
            .collect()
    }

    fn merge_directory(
        &self,
        company: &str,
        speed_dials: &[(u16, String, String)],
        uploaded: Option<&[u8]>,
        is_ours: &dyn Fn(&str) -> bool,
    ) -> Option<Result<Vec<u8>, String>> {
        let dials: Vec<directory::SpeedDial<'_>> = speed_dials
            .iter()
            .map(|(index, number, label)| directory::SpeedDial {
                index: *index,
                number,
                label,
            })
            .collect();
        Some(directory::merge(company, &dials, uploaded, is_ours).map_err(|e| e.to_string()))
    }

    /// A Polycom phone's speed dials are entries of its directory file.
    fn directory_holds_speed_dials(&self) -> bool {
        true
    }

    fn write_directory(&self, _phone: &Phone, contacts: &[Contact<'_>]) -> Vec<u8> {
        let out = Vec::with_capacity(contacts.len() * 96);
        let entries = contacts.iter().map(|c| directory::Contact {
            name: c.name,
            number: c.number,
        });
        // Writing into memory cannot fail.
        directory::write(entries, out).unwrap_or_default()
    }

    /// `FileTransport Polycom<Family>-<MODEL>-UA/<version>[ Type/<Updater|Application>]`, also
    /// `FileTransport PolyEdge-Edge_E450-UA/<version>` and
    /// `FileTransport PolyCCX-CCX_600-UA/<version> (SN:<mac>) Type/Application` (the serial
    /// number is the MAC; taken as the phone's when it is a Poly MAC); a Poly phone on OBi-based
    /// firmware is recognised and marked unsupported ([`obi`]).
    fn parse_agent(&self, user_agent: &str) -> Option<Agent> {
        if let Some(agent) = obi::parse_agent(user_agent) {
            return Some(agent);
        }
        let rest = user_agent.strip_prefix("FileTransport Poly")?;
        let (product, version) = rest.split_once("-UA/")?;
        let model = product.split_once('-')?.1;
        let mut words = version.split_whitespace();
        let firmware = words.next()?;
        let mac = words
            .find_map(|word| word.strip_prefix("(SN:")?.strip_suffix(')'))
            .and_then(poly_mac);
        (!model.is_empty() && !firmware.is_empty())
            .then(|| Agent::served(Vendor::Polycom, model, firmware, mac))
    }

    /// The binary class (RFC 3925 layout with enterprise number 13885), or a text class
    /// naming Polycom.
    fn claims_vendor_class(&self, class: &[u8]) -> bool {
        class.starts_with(&ENTERPRISE)
            || String::from_utf8_lossy(class)
                .to_ascii_lowercase()
                .contains("polycom")
    }

    /// FTP with the factory login (`PlcmSpIp`), which a phone out of the box uses, when FTP
    /// runs; else the web URL.
    fn boot_url(&self, server: &BootServer<'_>) -> String {
        match server.ftp_port {
            Some(21) => format!("ftp://PlcmSpIp:PlcmSpIp@{}/", server.host),
            Some(port) => format!("ftp://PlcmSpIp:PlcmSpIp@{}:{port}/", server.host),
            None => server.web_url.to_string(),
        }
    }

    /// The URL in the chosen option (160 by default), and in option 66 too unless told not
    /// to.
    fn dhcp_options(&self, url: &str, choice: DhcpChoice) -> Vec<(u8, Vec<u8>)> {
        choice.options(url)
    }

    /// `<mac>.cfg`, lowercase.
    fn phone_file_name(&self, mac: &Mac) -> String {
        format!("{}.cfg", mac.polycom_name())
    }
}
