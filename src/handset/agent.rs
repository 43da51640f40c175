//! User agents of provisioning requests: which vendor, model and firmware a request comes from,
//! and for Aastra/Mitel, which MAC (their user agent carries it; Polycom's does not). Each
//! vendor's parser is its [`crate::handset::Handset::parse_agent`];
//! [`crate::handset::parse_agent`] asks each.
//!
//! - Polycom: `FileTransport Polycom<Family>-<MODEL>-UA/<version>[ Type/<Updater|Application>]`,
//!   also `FileTransport PolyEdge-Edge_E450-UA/<version>`.
//! - Aastra/Mitel: `<Aastra|Mitel><model> MAC:<XX-XX-XX-XX-XX-XX> V:<firmware>-SIP`.

use crate::domain::{Mac, Vendor};

/// What a user agent says about the phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Vendor.
    pub vendor: Vendor,
    /// Model token as sent (`VVX_400`, `6757i`).
    pub model: String,
    /// Firmware (application or BootROM) version.
    pub firmware: String,
    /// The phone's MAC, when the user agent carries it (Aastra/Mitel).
    pub mac: Option<Mac>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handset::parse_agent as parse;

    #[test]
    fn polycom_agents() {
        for (ua, model, firmware) in [
            (
                "FileTransport PolycomSoundPointIP-SPIP_335-UA/3.2.1.0078",
                "SPIP_335",
                "3.2.1.0078",
            ),
            (
                "FileTransport PolycomSoundStationIP-SSIP_6000-UA/5.0.3.1667 Type/Updater",
                "SSIP_6000",
                "5.0.3.1667",
            ),
            (
                "FileTransport PolycomVVX-VVX_400-UA/4.1.4.7430 Type/Application",
                "VVX_400",
                "4.1.4.7430",
            ),
            (
                "FileTransport PolyEdge-Edge_E450-UA/8.0.0.1234",
                "Edge_E450",
                "8.0.0.1234",
            ),
        ] {
            let agent = parse(ua).unwrap_or_else(|| panic!("{ua}"));
            assert_eq!(
                (
                    agent.vendor,
                    agent.model.as_str(),
                    agent.firmware.as_str(),
                    agent.mac
                ),
                (Vendor::Polycom, model, firmware, None)
            );
        }
    }

    #[test]
    fn aastra_agents_carry_the_mac() {
        let agent = parse("Aastra6757i MAC:00-08-5D-13-CA-05 V:3.2.1.1013-SIP").unwrap();
        assert_eq!(agent.vendor, Vendor::Aastra);
        assert_eq!(agent.model, "6757i");
        assert_eq!(agent.firmware, "3.2.1.1013");
        assert_eq!(agent.mac, Mac::parse("00085d13ca05").ok());
        let mitel = parse("Mitel6930 MAC:14-00-E9-1E-DB-52 V:6.4.0.140-SIP").unwrap();
        assert_eq!(mitel.model, "6930");
    }

    #[test]
    fn anything_else_is_none() {
        for ua in [
            "curl/7.88.1",
            "",
            "Aastra6757i MAC:zz V:1-SIP",
            "FileTransport Polycom",
            "Mozilla/5.0",
        ] {
            assert_eq!(parse(ua), None, "{ua:?}");
        }
    }
}
