//! Yealink T3x/T4x/T5x/T7x/T8x desk phones on firmware 81 or later: [`Yealink`] (user agents,
//! DHCP, what a phone reads back of its uploads), their file names and template contexts
//! ([`files`]), the common-file code of each model ([`models`]), their keys ([`keys`]), parameter
//! catalogue ([`catalogue`]), neutral settings ([`neutral`]), clock ([`clock`]), uploaded changes
//! ([`overrides`]) and remote phone book ([`directory`]).

pub mod catalogue;
pub mod clock;
pub mod directory;
pub mod files;
pub mod keys;
pub mod models;
pub mod neutral;
pub mod overrides;
pub mod provide;

pub use provide::{YEALINK_BOOT, YEALINK_COMMON, YEALINK_PHONE};

use crate::domain::{Mac, Model, Neutral, ParameterSpec, Phone, ProgrammedKey, Vendor};
use crate::handset::agent::Agent;
use crate::handset::boot::{BootServer, DhcpChoice};
use crate::handset::interface::{Contact, Handset, KeyRefusal};

/// Content type of Yealink files.
pub const CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// Yealink's SIP desk phones.
#[derive(Debug, Clone, Copy)]
pub struct Yealink;

impl Handset for Yealink {
    fn vendor(&self) -> Vendor {
        Vendor::Yealink
    }

    /// The Yealink parameters phoneprov checks (`catalogue.rs`); any other is taken as given,
    /// with the warning an uncatalogued parameter gets.
    fn catalogue(&self) -> &'static [ParameterSpec] {
        catalogue::CATALOGUE
    }

    /// A key fits the model's line keys and expansion modules, and Yealink has its kind.
    fn check_key(
        &self,
        model: Option<&Model>,
        _family: &str,
        key: &ProgrammedKey,
    ) -> Result<(), KeyRefusal> {
        keys::check(model, key)
    }

    fn key_parameters(
        &self,
        model: Option<&Model>,
        _family: &str,
        keys: &[ProgrammedKey],
    ) -> Vec<(String, String)> {
        keys::parameters(model, keys)
    }

    fn neutral_parameters(&self, neutral: &Neutral, _family: &str) -> Vec<(String, String)> {
        neutral::parameters(neutral)
    }

    /// A phone's `<mac>-local.cfg` without what its provisioned `<mac>.cfg` sets, so the admin's
    /// values win there; its other uploads as stored.
    fn read_back(
        &self,
        mac: &Mac,
        name: &str,
        stored: Vec<u8>,
        rendered: &dyn Fn(&str) -> Option<String>,
    ) -> Vec<u8> {
        if !name.ends_with(overrides::LOCAL_CONFIG) {
            return stored;
        }
        match rendered(&files::phone_file_name(mac)) {
            Some(provisioned) => overrides::read_back(&stored, provisioned.as_bytes()),
            None => stored,
        }
    }

    fn content_type(&self) -> &'static str {
        CONTENT_TYPE
    }

    fn directory_suffix(&self) -> &'static str {
        directory::FILE_SUFFIX
    }

    /// The phone book's absolute URL and its name, when the server knows its web URL.
    fn directory_settings(&self, phone: &Phone, web_url: Option<&str>) -> Vec<(String, String)> {
        directory::settings(&phone.mac, web_url)
    }

    fn directory_file_name(&self, mac: &Mac) -> String {
        format!("{mac}{}", directory::FILE_SUFFIX)
    }

    fn write_directory(&self, _phone: &Phone, contacts: &[Contact<'_>]) -> Vec<u8> {
        // Writing into memory cannot fail.
        directory::write(contacts, Vec::with_capacity(contacts.len() * 80)).unwrap_or_default()
    }

    /// `Yealink SIP-T54W 96.86.0.100 44:db:d2:01:02:03` (also `yealink`, the MAC without colons,
    /// `Yealink SIP VP-T49G ...`, `Yealink W90DM ...`), and the old form without a MAC,
    /// `Yealink-T46G 28.71.0.81 28.1.0.128.0.0.0`.
    fn parse_agent(&self, user_agent: &str) -> Option<Agent> {
        let vendor_word = user_agent.get(..7)?;
        if !vendor_word.eq_ignore_ascii_case("yealink") {
            return None;
        }
        let rest = &user_agent[7..];
        if let Some(old) = rest.strip_prefix('-') {
            let mut words = old.split_whitespace();
            let model = words.next()?;
            let firmware = words.next()?;
            return Some(agent(model, firmware, None));
        }
        let mut words: Vec<&str> = rest.split_whitespace().collect();
        let mac = match words.last().map(|last| Mac::parse(last)) {
            Some(Ok(mac)) => {
                words.pop();
                Some(mac)
            }
            _ => None,
        };
        let firmware = words.pop()?;
        if !firmware.contains('.') || words.is_empty() {
            return None;
        }
        let model = words.join(" ");
        let model = model
            .strip_prefix("SIP-")
            .or_else(|| model.strip_prefix("SIP "))
            .unwrap_or(&model);
        Some(agent(model, firmware, mac))
    }

    /// Option 60 starting with `yealink`, any case.
    fn claims_vendor_class(&self, class: &[u8]) -> bool {
        class
            .get(..7)
            .is_some_and(|start| start.eq_ignore_ascii_case(b"yealink"))
    }

    /// The web URL.
    fn boot_url(&self, server: &BootServer<'_>) -> String {
        server.web_url.to_string()
    }

    /// Option 66: the boot server's URL; and the custom option the admin named, which a
    /// Yealink phone tries before 66 (`static.auto_provision.dhcp_option.list_user_options`).
    fn dhcp_options(&self, url: &str, choice: DhcpChoice) -> Vec<(u8, Vec<u8>)> {
        DhcpChoice::beside_66(choice.code).options(url)
    }

    /// `<mac>.boot`, the first file a phone asks for.
    fn phone_file_name(&self, mac: &Mac) -> String {
        files::boot_file_name(mac)
    }
}

/// What a Yealink user agent says.
fn agent(model: &str, firmware: &str, mac: Option<Mac>) -> Agent {
    Agent::served(Vendor::Yealink, model, firmware, mac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handset::parse_agent;

    /// The user-agent forms Yealink phones send (Wazo's and FusionPBX's agent parsers list
    /// them): the MAC with colons or without, a lower-case vendor, a model of two words, a
    /// DECT base, and the old form without a MAC.
    #[test]
    fn every_yealink_agent_form_names_model_firmware_and_mac() {
        let mac = |text: &str| Mac::parse(text).ok();
        for (ua, model, firmware, said) in [
            (
                "Yealink SIP-T54W 96.86.0.100 44:db:d2:01:02:03",
                "T54W",
                "96.86.0.100",
                mac("44dbd2010203"),
            ),
            (
                "yealink SIP-T28P 2.73.0.50 00:15:65:11:22:33",
                "T28P",
                "2.73.0.50",
                mac("001565112233"),
            ),
            (
                "Yealink SIP-T56A 58.80.0.25 001565f429a4",
                "T56A",
                "58.80.0.25",
                mac("001565f429a4"),
            ),
            (
                "Yealink SIP VP-T49G 51.80.0.100 00:15:65:44:55:66",
                "VP-T49G",
                "51.80.0.100",
                mac("001565445566"),
            ),
            (
                "Yealink W90DM 130.87.0.10 80:5e:c0:01:02:03",
                "W90DM",
                "130.87.0.10",
                mac("805ec0010203"),
            ),
            (
                "Yealink-T46G 28.71.0.81 28.1.0.128.0.0.0",
                "T46G",
                "28.71.0.81",
                None,
            ),
        ] {
            let agent = parse_agent(ua).unwrap_or_else(|| panic!("{ua}"));
            assert_eq!(
                (
                    agent.vendor,
                    agent.model.as_str(),
                    agent.firmware.as_str(),
                    agent.mac
                ),
                (Vendor::Yealink, model, firmware, said),
                "{ua}"
            );
        }
        for ua in [
            "Yealink",
            "Yealink SIP-T54W",
            "YealinkX",
            "Mozilla/5.0 Yealink",
        ] {
            assert_eq!(parse_agent(ua), None, "{ua:?}");
        }
    }

    #[test]
    fn dhcp_gives_yealink_phones_option_66() {
        assert!(Yealink.claims_vendor_class(b"yealink"));
        assert!(Yealink.claims_vendor_class(b"Yealink SIP-T46S"));
        assert!(!Yealink.claims_vendor_class(b"Polycom-VVX400"));
        let url = b"http://192.0.2.10:8080/".to_vec();
        let options = Yealink.dhcp_options(
            "http://192.0.2.10:8080/",
            DhcpChoice {
                code: 66,
                also_66: true,
            },
        );
        assert_eq!(options, [(66, url.clone())]);
        let options = Yealink.dhcp_options(
            "http://192.0.2.10:8080/",
            DhcpChoice {
                code: 150,
                also_66: true,
            },
        );
        assert_eq!(options, [(66, url.clone()), (150, url)]);
    }
}
