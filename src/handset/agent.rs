//! User agents of provisioning requests: which vendor, model and firmware a request comes from,
//! and for Aastra/Mitel, which MAC (their user agent carries it; Polycom's does not). Each
//! vendor's parser is its [`crate::handset::Handset::parse_agent`];
//! [`crate::handset::parse_agent`] asks each.
//!
//! - Polycom: `FileTransport Polycom<Family>-<MODEL>-UA/<version>[ Type/<Updater|Application>]`,
//!   also `FileTransport PolyEdge-Edge_E450-UA/<version>` and, with the MAC as serial number,
//!   `FileTransport PolyCCX-CCX_600-UA/<version> (SN:<mac>) Type/Application`; Poly phones on
//!   OBi-based firmware (`Poly/PolyEdgeB20-<version> (<mac>)`) are recognised as running a firmware
//!   family phoneprov does not serve ([`Agent::unsupported`]).
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
    /// The phone's MAC, when the user agent carries it (Aastra/Mitel, Yealink, Poly CCX).
    pub mac: Option<Mac>,
    /// Why phoneprov does not serve this phone, when it runs a firmware family of its vendor's
    /// that phoneprov renders no files for (said in the log, the inbox and the refusal).
    pub unsupported: Option<&'static str>,
}

impl Agent {
    /// A phone's agent of a firmware phoneprov serves.
    pub fn served(vendor: Vendor, model: &str, firmware: &str, mac: Option<Mac>) -> Agent {
        Agent {
            vendor,
            model: model.to_string(),
            firmware: firmware.to_string(),
            mac,
            unsupported: None,
        }
    }
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
            (
                "FileTransport PolyEdge-Edge_E450-UA/8.0.0.15602 Type/Application",
                "Edge_E450",
                "8.0.0.15602",
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
    fn a_ccx_agent_carries_the_mac_as_its_serial_number() {
        let agent =
            parse("FileTransport PolyCCX-CCX_600-UA/8.0.2.3267 (SN:482567b5313f) Type/Application")
                .unwrap();
        assert_eq!(
            (agent.model.as_str(), agent.firmware.as_str(), agent.mac),
            ("CCX_600", "8.0.2.3267", Mac::parse("482567b5313f").ok())
        );
        assert_eq!(agent.unsupported, None);
        // A serial number that is no Poly MAC names no phone.
        let other =
            parse("FileTransport PolyCCX-CCX_500-UA/9.4.1.0508 (SN:0a1b2c3d4e5f) Type/Application")
                .unwrap();
        assert_eq!((other.model.as_str(), other.mac), ("CCX_500", None));
    }

    #[test]
    fn poly_phones_on_obi_based_firmware_are_recognised_as_unsupported() {
        let agent = parse("Poly/PolyEdgeB20-1.1.0.1234 (64167f0a0b0c)").unwrap();
        assert_eq!(agent.vendor, Vendor::Polycom);
        assert_eq!(agent.model, "EdgeB20");
        assert_eq!(agent.firmware, "1.1.0.1234");
        assert_eq!(agent.mac, Mac::parse("64167f0a0b0c").ok());
        assert!(agent.unsupported.is_some_and(|why| why.contains("OBi")));
        let obihai = parse("OBIHAI/VVX450-7.0.1.0001").unwrap();
        assert!(obihai.unsupported.is_some());
        let vvx = parse("FileTransport PolycomVVX-VVX_450-UA/6.4.6.1234 Type/Application").unwrap();
        assert_eq!(vvx.unsupported, None);
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
